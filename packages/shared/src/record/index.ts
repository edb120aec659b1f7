export * from './record.ts';
export * from './agreements.ts';
