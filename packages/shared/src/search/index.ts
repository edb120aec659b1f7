export * from './text-query.ts';
export * from './units.ts';
export * from './api.ts';
