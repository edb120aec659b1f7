import * as Y from 'yjs';
import { newId } from '../schema/ids.ts';
import { isCoding, TranscriptDoc, type Coding, type Decision, type DecisionAction } from '../schema/transcript.ts';
import { resolveSpan } from '../schema/anchors.ts';
import type { Disagreement } from './disagreements.ts';

export const DECISION_LABELS: Record<DecisionAction, string> = {
  'accept-a': 'accept A',
  'accept-b': 'accept B',
  'keep-both': 'keep both',
  merge: 'merge boundaries',
  reject: 'reject',
  defer: 'defer',
};

/**
 * The reconciliation state kept in the transcript document (`reconcile` map):
 * which two coders are being reconciled and the disagreement everyone is on.
 */
export function reconcileState(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap('reconcile');
}

/** Latest decision per disagreement key (a later decision replaces an earlier one). */
export function latestDecisions(t: TranscriptDoc): Map<string, Decision> {
  const out = new Map<string, Decision>();
  for (const d of t.decisions.toArray()) out.set(d.disagreementKey, d);
  return out;
}

/** Disagreements still to decide (deferred ones stay open). */
export function pendingDisagreements(t: TranscriptDoc, all: readonly Disagreement[]): Disagreement[] {
  const decided = latestDecisions(t);
  return all.filter((d) => {
    const dec = decided.get(d.key);
    return !dec || dec.action === 'defer';
  });
}

/**
 * Applies a decision: writes the resulting codings into the consensus layer (the
 * transcript's `codings`) and appends to the decision log, in one transaction so
 * both coders see both at once.
 */
export function applyDecision(
  t: TranscriptDoc,
  layers: { a: Y.Map<Coding>; b: Y.Map<Coding> },
  d: Disagreement,
  action: DecisionAction,
  userId: string,
  comment: string,
  describe: (codeId: string) => string = (id) => id,
): Decision {
  const a = d.a ? layers.a.get(d.a.id) : undefined;
  const b = d.b ? layers.b.get(d.b.id) : undefined;
  if ((action === 'accept-a' && !isCoding(a)) || (action === 'accept-b' && !isCoding(b))) {
    throw new Error(`"${DECISION_LABELS[action]}" needs that coder's coding`);
  }
  if (action === 'defer' && !comment.trim()) throw new Error('say why you defer this one');
  const copy = (c: Coding, over: Partial<Coding> = {}) => {
    const id = newId();
    t.codings.set(id, { ...c, ...over, id, createdAt: Date.now() });
  };
  const decision: Decision = {
    id: newId(), disagreementKey: d.key, action, userId, at: Date.now(), comment: comment.trim(),
    summary: summarize(t, d, action, describe),
  };
  t.doc.transact(() => {
    // A later decision on the same disagreement replaces the earlier one's codings.
    for (const [id, c] of [...t.codings.entries()]) if (c.decision === d.key) t.codings.delete(id);
    const mark: Partial<Coding> = { decision: d.key };
    switch (action) {
      case 'accept-a': copy(a!, mark); break;
      case 'accept-b': copy(b!, mark); break;
      case 'keep-both':
        if (isCoding(a)) copy(a, mark);
        if (isCoding(b)) copy(b, mark);
        break;
      case 'merge': {
        const both = [a, b].filter(isCoding);
        if (both.length === 0) break;
        const spans = both.map((c) => ({ c, span: resolveSpan(t.doc, c) })).filter((x) => x.span);
        if (spans.length === 0) break;
        const first = spans.reduce((p, q) => (q.span!.start < p.span!.start ? q : p));
        const last = spans.reduce((p, q) => (q.span!.end > p.span!.end ? q : p));
        const codes = [...new Set(both.map((c) => c.codeId))];
        // A merged coding is both coders' (the research record lists them both).
        const coders = [...new Set(both.map((c) => c.coderId))];
        const by = coders.length > 1 ? { coders } : {};
        for (const codeId of codes) copy(both[0]!, { ...mark, ...by, codeId, start: first.c.start, end: last.c.end } as Partial<Coding>);
        break;
      }
      case 'reject':
      case 'defer':
        break;
    }
    t.decisions.push([decision]);
  });
  return decision;
}

function summarize(t: TranscriptDoc, d: Disagreement, action: DecisionAction, describe: (codeId: string) => string): string {
  const quote = t.body.toString().slice(d.start, d.end).replace(/\s+/g, ' ').trim();
  const short = quote.length > 80 ? `${quote.slice(0, 77)}…` : quote;
  const codes = [d.a ? `A: ${describe(d.a.codeId)}` : 'A: —', d.b ? `B: ${describe(d.b.codeId)}` : 'B: —'].join('; ');
  return `${DECISION_LABELS[action]} (${d.kind}; ${codes}) "${short}"`;
}
