export * from './csv.ts';
export * from './segments.ts';
