export * from './csv.ts';
export * from './segments.ts';
export * from './papers.ts';
export * from './qda-bridge.ts';
export * from './speaker-labels.ts';
export * from './coder-names.ts';
