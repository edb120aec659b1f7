export * from './text-query.ts';
export * from './units.ts';
