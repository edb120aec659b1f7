export { formatTimecode, timeForOffset, turnIndexAtTime } from './timecode.ts';
