export * from './report.ts';
export * from './disagreements.ts';
export * from './decisions.ts';
