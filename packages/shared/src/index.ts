export * from './limits.ts';
export * from './close-codes.ts';
export * from './rooms.ts';
export * from './api.ts';
export * from './schema/index.ts';
export * from './export/index.ts';
export * from './import/index.ts';
