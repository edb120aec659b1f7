import type * as Y from 'yjs';
import { findAgreements, type DisagreementOptions } from '../reconcile/disagreements.ts';
import { resolveSpan } from '../schema/anchors.ts';
import { isCoding, type Coding, type TranscriptDoc } from '../schema/transcript.ts';
import { AGREEMENT_PREFIX } from './record.ts';

/** A consensus coding that both coders agreed on: it names both of them. */
export interface AgreedCoding extends Coding {
  coders: [string, string];
  decision: string;
}

/**
 * Writes into the consensus layer (the transcript's `codings`) every coding the
 * two coders agree on: same code, boundaries within the tolerance the
 * reconciliation uses (so exactly what it does not list as a disagreement).
 * Each is kept once, spanning both codings, with both coders, under a key made
 * of the two codings' ids, so running this again (at the reveal, from a
 * reconciliation session, on two nodes) adds nothing twice. Returns how many
 * were added.
 */
export function recordAgreements(
  t: TranscriptDoc, coders: { a: string; b: string }, layers: { a: Y.Map<Coding>; b: Y.Map<Coding> }, opts: DisagreementOptions = {},
): number {
  // One order for a pair, whoever asks: the keys (and so the check for what is there) stay the same.
  if (coders.b < coders.a) return recordAgreements(t, { a: coders.b, b: coders.a }, { a: layers.b, b: layers.a }, opts);
  const a = t.resolveCodings(layers.a).map((c) => ({ ...c, coderId: coders.a }));
  const b = t.resolveCodings(layers.b).map((c) => ({ ...c, coderId: coders.b }));
  const present = new Set<string>();
  for (const c of t.codings.values()) if (isCoding(c) && typeof c.decision === 'string') present.add(c.decision);
  const missing = findAgreements(a, b, opts).filter((ag) => !present.has(ag.key) && !t.codings.has(ag.key));
  if (missing.length === 0) return 0;
  let added = 0;
  t.doc.transact(() => {
    for (const ag of missing) {
      const ra = layers.a.get(ag.a.id);
      const rb = layers.b.get(ag.b.id);
      if (!isCoding(ra) || !isCoding(rb)) continue;
      const sa = resolveSpan(t.doc, ra);
      const sb = resolveSpan(t.doc, rb);
      if (!sa || !sb) continue;
      const memo = [ra.memo, rb.memo].filter((m): m is string => typeof m === 'string' && m.trim() !== '').join('\n\n');
      const coding: AgreedCoding = {
        id: ag.key, codeId: ra.codeId, coderId: coders.a, coders: [coders.a, coders.b],
        start: sb.start < sa.start ? rb.start : ra.start, end: sb.end > sa.end ? rb.end : ra.end,
        createdAt: Date.now(), decision: ag.key, ...(memo ? { memo } : {}),
      };
      t.codings.set(coding.id, coding);
      added++;
    }
  });
  return added;
}

export const isAgreementKey = (key: string): boolean => key.startsWith(AGREEMENT_PREFIX);
