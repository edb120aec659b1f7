import * as Y from 'yjs';
import {
  CodebookDoc, codebookRoom, figuresFromCounts, findDisagreements, layerCodings, layerRoom, sumCounts, transcriptAgreement,
  TranscriptDoc, transcriptRoom, type CodeFigures, type CoderCoding, type Disagreement, type PairCounts, type TextCoding,
} from '@concord/shared';
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

export async function agreementReport(deps: AppDeps, projectId: string, opts: { transcriptId?: string; coders?: string[] }): Promise<AgreementReport> {
  const all = await deps.storage.listTranscripts(projectId);
  const transcripts = opts.transcriptId ? all.filter((t) => t.id === opts.transcriptId) : all;
  const members = await deps.storage.listMembers(projectId);
  const names = new Map(members.map((m) => [m.userId, m.name]));
  const cbDoc = await deps.rooms.copyDoc(codebookRoom(projectId));
  const cb = new CodebookDoc(cbDoc);
  const hidden: string[] = [];
  /** pair key → transcript → per-code counts */
  const pairData = new Map<string, PairReport['perTranscript']>();
  const coderSet = new Set<string>();
  const codeSet = new Set<string>();
  try {
    for (const t of transcripts) {
      if (t.mode === 'independent' && !t.revealed) {
        hidden.push(t.id);
        continue;
      }
      const { doc, byCoder, release } = await coderCodings(deps, t, opts.coders);
      try {
        const text = doc.body.toString();
        const turns = doc.resolveTurns().map((x) => [x.start, x.end] as [number, number]);
        const coders = [...byCoder.keys()].sort();
        const toText = (list: CoderCoding[]): TextCoding[] => list.map((c) => ({ start: c.start, end: c.end, codeId: cb.resolveId(c.codeId) }));
        for (const list of byCoder.values()) for (const c of list) codeSet.add(cb.resolveId(c.codeId));
        const codeIds = [...codeSet];
        for (let i = 0; i < coders.length; i++) {
          for (let j = i + 1; j < coders.length; j++) {
            const a = coders[i]!;
            const b = coders[j]!;
            coderSet.add(a); coderSet.add(b);
            const r = transcriptAgreement(text, turns, toText(byCoder.get(a)!), toText(byCoder.get(b)!), codeIds);
            const key = `${a}\u0000${b}`;
            if (!pairData.has(key)) pairData.set(key, []);
            pairData.get(key)!.push({ transcriptId: t.id, perCode: r.perCode, overall: r.overall });
          }
        }
      } finally {
        release();
      }
    }
    const pairs: PairReport[] = [...pairData].map(([key, perTranscript]) => {
      const [a, b] = key.split('\u0000') as [string, string];
      const byCode = new Map<string, PairCounts[]>();
      for (const t of perTranscript) for (const c of t.perCode) (byCode.get(c.codeId) ?? byCode.set(c.codeId, []).get(c.codeId)!).push(c);
      const perCode = [...byCode].map(([codeId, list]) => ({ codeId, ...figuresFromCounts(sumCounts(list)) }));
      return { a, b, perTranscript, perCode, overall: figuresFromCounts(sumCounts(perCode)) };
    });
    return {
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
