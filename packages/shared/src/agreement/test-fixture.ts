import type { ComparedTranscript } from './pooled.ts';

/** The fixture of docs/agreement.md: one short interview, two coders (A, B) and a third (C). */
export const TEXT = [
  'Interviewer: What went wrong with the model?',
  'P1: The metrics were a poor proxy of quality. Data was also scarce and labels were noisy.',
  'Interviewer: Who noticed first?',
  'P1: Nobody owned the pipeline, so nobody noticed. Reviews were rare.',
].join('\n\n');
const at = (quote: string) => { const s = TEXT.indexOf(quote); if (s < 0) throw new Error(quote); return { start: s, end: s + quote.length }; };
export const TURNS = (() => { const out: [number, number][] = []; let s = 0; for (const p of TEXT.split('\n\n')) { out.push([s, s + p.length]); s += p.length + 2; } return out; })();
export const FIXTURE: ComparedTranscript = {
  id: 't1', text: TEXT, turns: TURNS,
  coders: new Map([
    ['A', [
      { ...at('The metrics were a poor proxy of quality.'), codeId: 'metrics' },
      { ...at('Data was also scarce'), codeId: 'data' },
      { ...at('Nobody owned the pipeline'), codeId: 'ownership' },
    ]],
    ['B', [
      { ...at('metrics were a poor proxy of quality.'), codeId: 'metrics' },
      { ...at('Data was also scarce and labels were noisy.'), codeId: 'data' },
      { ...at('Reviews were rare.'), codeId: 'ownership' },
    ]],
    ['C', [
      { ...at('The metrics were a poor proxy of quality.'), codeId: 'metrics' },
      { ...at('labels were noisy.'), codeId: 'data' },
      { ...at('Nobody owned the pipeline, so nobody noticed.'), codeId: 'ownership' },
    ]],
  ]),
};
