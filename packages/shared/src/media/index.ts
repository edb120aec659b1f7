export { formatTimecode, turnIndexAtTime } from './timecode.ts';
