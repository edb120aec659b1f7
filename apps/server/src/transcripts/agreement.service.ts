import * as Y from 'yjs';
import {
  CodebookDoc, codebookRoom, coderPairs, conventionAgreement, figuresFromCounts, pairCodes, type ComparedTranscript, type Convention,
  type ConventionResult, findDisagreements, layerCodings, layerRoom, sumCounts, transcriptAgreement,
  TranscriptDoc, transcriptRoom, type CodeFigures, type CoderCoding, type Disagreement, type PairCounts, type TextCoding,
} from '@concord/shared';
import { badRequest } from '../errors.ts';
import type { AppDeps } from '../http/context.ts';
import type { TranscriptRecord } from '../storage/types.ts';

export interface PairReport {
  a: string;
  b: string;
  perTranscript: { transcriptId: string; perCode: CodeFigures[]; overall: Omit<CodeFigures, 'codeId'> }[];
  /** Each code pooled across the transcripts. */
  perCode: CodeFigures[];
  /** All codes and transcripts pooled. */
  overall: Omit<CodeFigures, 'codeId'>;
}

export interface AgreementReport {
  unit: 'word';
  unitNote: string;
  coders: { id: string; name: string }[];
  codes: { id: string; name: string }[];
  transcripts: { id: string; name: string; mode: 'open' | 'independent'; revealed: boolean }[];
  /** Transcripts in independent mode not yet revealed: their layers are private, so no figures. */
  hidden: string[];
  pairs: PairReport[];
  /** Figures under the requested convention for one group of coders (a pair, or all coders). */
  analysis: ConventionResult | null;
}

export interface AnalysisOptions {
  convention: Convention;
  /** MAXQDA overlap threshold in percent. */
  overlap?: number;
  /** The coders compared: two or more ids, or every coder; default the first pair. */
  group?: readonly string[] | 'all';
  /** Bootstrap resamples for the intervals. */
  samples?: number;
}

export const UNIT_NOTE =
  'Unit: words of the transcript, only in speaker turns where at least one of the two coders applied any code, so long uncoded stretches do not inflate agreement. A coder applied a code to a word when one of their codings of that code touches it.';

/** Loaded, resolved codings of each coder on one transcript (shared layer by coder, or private layers). */
export async function coderCodings(deps: AppDeps, t: TranscriptRecord, coderIds?: readonly string[]): Promise<{
  doc: TranscriptDoc; byCoder: Map<string, (CoderCoding & { text: string })[]>; release: () => void;
}> {
  const tdoc = await deps.rooms.copyDoc(transcriptRoom(t.projectId, t.id));
  const td = new TranscriptDoc(tdoc);
  const byCoder = new Map<string, (CoderCoding & { text: string })[]>();
  const docs: Y.Doc[] = [tdoc];
  if (t.mode === 'independent') {
    const members = await deps.storage.listMembers(t.projectId);
    const ids = coderIds ?? members.filter((m) => m.role === 'owner' || m.role === 'coder').map((m) => m.userId);
    for (const uid of ids) {
      const ldoc = await deps.rooms.copyDoc(layerRoom(t.projectId, t.id, uid));
      docs.push(ldoc);
      const list = td.resolveCodings(layerCodings(ldoc));
      if (list.length > 0 || coderIds) byCoder.set(uid, list.map((c) => ({ ...c, coderId: uid })));
    }
  } else {
    for (const c of td.resolveCodings()) {
      if (coderIds && !coderIds.includes(c.coderId)) continue;
      let list = byCoder.get(c.coderId);
      if (!list) byCoder.set(c.coderId, (list = []));
      list.push(c);
    }
  }
  return { doc: td, byCoder, release: () => { for (const d of docs) d.destroy(); } };
}

export async function agreementReport(
  deps: AppDeps, projectId: string, opts: { transcriptId?: string; coders?: string[]; analysis?: AnalysisOptions },
): Promise<AgreementReport> {
  const all = await deps.storage.listTranscripts(projectId);
  const transcripts = opts.transcriptId ? all.filter((t) => t.id === opts.transcriptId) : all;
  const members = await deps.storage.listMembers(projectId);
  const names = new Map(members.map((m) => [m.userId, m.name]));
  const cbDoc = await deps.rooms.copyDoc(codebookRoom(projectId));
  const cb = new CodebookDoc(cbDoc);
  const hidden: string[] = [];
  const compared: ComparedTranscript[] = [];
  try {
    for (const t of transcripts) {
      if (t.mode === 'independent' && !t.revealed) {
        hidden.push(t.id);
        continue;
      }
      const { doc, byCoder, release } = await coderCodings(deps, t, opts.coders);
      try {
        const coders = new Map<string, TextCoding[]>();
        for (const [id, list] of byCoder) coders.set(id, list.map((c) => ({ start: c.start, end: c.end, codeId: cb.resolveId(c.codeId) })));
        compared.push({ id: t.id, text: doc.body.toString(), turns: doc.resolveTurns().map((x) => [x.start, x.end] as [number, number]), coders });
      } finally {
        release();
      }
    }
    const coderSet = new Set<string>();
    const codeSet = new Set<string>();
    const pairs: PairReport[] = [];
    for (const [a, b] of coderPairs(compared)) {
      coderSet.add(a); coderSet.add(b);
      // The pair's own codes over every compared transcript: order-independent, and codes only
      // a third coder used add no "neither" units (issue #13).
      const codeIds = pairCodes(compared, a, b);
      for (const id of codeIds) codeSet.add(id);
      const perTranscript: PairReport['perTranscript'] = [];
      for (const t of compared) {
        const ca = t.coders.get(a);
        const cbList = t.coders.get(b);
        if (!ca || !cbList) continue;
        const r = transcriptAgreement(t.text, t.turns, ca, cbList, codeIds);
        perTranscript.push({ transcriptId: t.id, perCode: r.perCode, overall: r.overall });
      }
      const byCode = new Map<string, PairCounts[]>();
      for (const t of perTranscript) for (const c of t.perCode) (byCode.get(c.codeId) ?? byCode.set(c.codeId, []).get(c.codeId)!).push(c);
      const perCode = [...byCode].map(([codeId, list]) => ({ codeId, ...figuresFromCounts(sumCounts(list)) }));
      pairs.push({ a, b, perTranscript, perCode, overall: figuresFromCounts(sumCounts(perCode)) });
    }
    let analysis: ConventionResult | null = null;
    if (opts.analysis) {
      const a = opts.analysis;
      const everyone = [...coderSet].sort();
      const group = a.group === 'all' ? everyone : a.group ?? (pairs[0] ? [pairs[0].a, pairs[0].b] : []);
      const unknown = group.filter((id) => !coderSet.has(id));
      if (a.group !== undefined && a.group !== 'all' && unknown.length > 0) {
        throw badRequest('Some of the coders asked for have no codings to compare here.', 'unknown_coder');
      }
      if (group.length >= 2) {
        for (const t of compared) for (const list of t.coders.values()) for (const c of list) codeSet.add(c.codeId);
        analysis = conventionAgreement(compared, group, a.convention, {
          ...(a.overlap === undefined ? {} : { overlap: a.overlap }),
          bootstrap: { samples: a.samples ?? 500 },
        });
      }
    }
    return {
      analysis,
      unit: 'word', unitNote: UNIT_NOTE,
      coders: [...coderSet].map((id) => ({ id, name: names.get(id) ?? 'former member' })),
      codes: [...codeSet].map((id) => ({ id, name: cb.get(id)?.name ?? '(deleted code)' })),
      transcripts: transcripts.map((t) => ({ id: t.id, name: t.name, mode: t.mode, revealed: t.revealed })),
      hidden, pairs,
    };
  } finally {
    cbDoc.destroy();
  }
}

export async function disagreementList(deps: AppDeps, t: TranscriptRecord, a: string, b: string, tolerance?: number): Promise<(Disagreement & { quote: string })[]> {
  const { doc, byCoder, release } = await coderCodings(deps, t, [a, b]);
  try {
    const text = doc.body.toString();
    return findDisagreements(byCoder.get(a) ?? [], byCoder.get(b) ?? [], tolerance === undefined ? {} : { tolerance })
      .map((d) => ({ ...d, quote: text.slice(d.start, d.end) }));
  } finally {
    release();
  }
}
