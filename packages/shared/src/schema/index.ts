export * from './anchors.ts';
export * from './live-spans.ts';
export * from './ids.ts';
export * from './transcript.ts';
export * from './codebook.ts';
export * from './comments.ts';
export * from './shapes.ts';
