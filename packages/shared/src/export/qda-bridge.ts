import * as Y from 'yjs';
import { CodebookDoc, type Code } from '../schema/codebook.ts';
import { CommentsDoc } from '../schema/comments.ts';
import { layerCodings, TranscriptDoc, type ResolvedCoding } from '../schema/transcript.ts';
import { utf16ToCodePoints, codePointsToUtf16 } from '../schema/anchors.ts';
import { toRefiGuid, normalizeRefiGuid } from '../refi/index.ts';
import type { QdaCode, QdaNote, QdaProject, QdaSelection, QdaSource, QdaUser } from '../refi/index.ts';

/**
 * Between Concord's documents and the REFI-QDA model. Ids are kept stable so that
 * export → import → export gives the same project: imported codes and transcripts
 * remember their GUID (`refiGuid`), imported codings take their selection's GUID as
 * id, and a coding's GUID is always derived from its selection's GUID.
 */
export interface ProjectMember { id: string; name: string; email: string }

export interface TranscriptInput {
  id: string;
  name: string;
  doc: Y.Doc;
  /** Private layers that may be exported (revealed ones), by coder id. */
  layers: Map<string, Y.Doc>;
  comments: Y.Doc | null;
}

export const codingGuid = (selectionGuid: string): string => toRefiGuid(`${selectionGuid}#coding`);

export function codeDescription(cb: CodebookDoc, code: Code): string {
  const parts = [cb.text(code.id, 'definition')?.toString().trim() ?? ''];
  const extra: [string, string][] = [['Include', 'inclusion'], ['Exclude', 'exclusion'], ['Examples', 'examples']];
  for (const [label, field] of extra) {
    const t = cb.text(code.id, field as 'inclusion')?.toString().trim();
    if (t) parts.push(`${label}: ${t}`);
  }
  return parts.filter(Boolean).join('\n\n');
}

export function projectToQda(input: {
  name: string; members: ProjectMember[]; codebook: Y.Doc; transcripts: TranscriptInput[]; origin?: string;
}): QdaProject {
  const cb = new CodebookDoc(input.codebook);
  const codeGuid = (id: string): string => {
    const m = cb.codes.get(cb.resolveId(id));
    const g = m?.get('refiGuid');
    return typeof g === 'string' ? g : toRefiGuid(cb.resolveId(id));
  };
  const users = new Map<string, QdaUser>();
  const userGuid = (id: string): string => {
    if (id.startsWith('refi:')) return normalizeRefiGuid(id.slice(5));
    return toRefiGuid(id);
  };
  for (const m of input.members) users.set(m.id, { guid: userGuid(m.id), name: m.name, email: m.email });
  const codes: QdaCode[] = cb.list().map((c) => ({
    guid: codeGuid(c.id), name: c.name, color: /^#[0-9a-f]{6}$/i.test(c.color) ? c.color.toLowerCase() : null,
    description: codeDescription(cb, c), parentGuid: c.parentId ? codeGuid(c.parentId) : null, isCodable: true,
    ...(c.abbreviation ? { abbreviation: c.abbreviation } : {}),
  }));
  const known = new Set(codes.map((c) => c.guid));
  const notes: QdaNote[] = [];
  const sources: QdaSource[] = input.transcripts.map((t) => {
    const td = new TranscriptDoc(t.doc);
    const text = td.body.toString();
    const meta = td.meta.get('refiGuid');
    const sourceGuid = typeof meta === 'string' ? meta : toRefiGuid(t.id);
    const cp = (u: number) => utf16ToCodePoints(text, u);
    const all: ResolvedCoding[] = [...td.resolveCodings()];
    for (const [coderId, layer] of t.layers) for (const c of td.resolveCodings(layerCodings(layer))) all.push({ ...c, coderId });
    const selections: QdaSelection[] = [];
    for (const c of all) {
      if (!users.has(c.coderId)) users.set(c.coderId, { guid: userGuid(c.coderId), name: c.coderId.startsWith('refi:') ? 'Imported coder' : 'Former member' });
      const g = codeGuid(c.codeId);
      if (!known.has(g)) continue;
      const sel = toRefiGuid(c.id);
      selections.push({
        guid: sel, start: cp(c.start), end: cp(c.end), creatorGuid: userGuid(c.coderId), createdAt: new Date(c.createdAt || 0).toISOString(),
        codes: [{ guid: codingGuid(sel), codeGuid: g, creatorGuid: userGuid(c.coderId) }],
        ...(c.memo ? { memo: c.memo } : {}),
      });
    }
    if (t.comments) {
      for (const th of new CommentsDoc(t.comments).resolve(t.doc)) {
        const visible = th.comments.filter((c) => !c.deleted);
        if (visible.length === 0) continue;
        const sel = toRefiGuid(`thread:${th.id}`);
        if (th.start !== null && th.end !== null) {
          selections.push({ guid: sel, start: cp(th.start), end: cp(th.end), creatorGuid: userGuid(th.authorId), createdAt: new Date(th.createdAt).toISOString(), codes: [] });
        }
        const names = (id: string) => users.get(id)?.name ?? 'someone';
        notes.push({
          guid: toRefiGuid(`note:${th.id}`), name: `Comment thread${th.resolved ? ' (resolved)' : ''}`,
          // One comment: its text as is (so the note round-trips); a conversation: one line per comment.
          text: visible.length === 1 && visible[0]!.authorId === th.authorId
            ? visible[0]!.body
            : visible.map((c) => `${names(c.authorId)}: ${c.body}`).join('\n'),
          creatorGuid: userGuid(th.authorId), createdAt: new Date(th.createdAt).toISOString(),
          targetGuid: th.start !== null ? sel : sourceGuid, quote: th.quote,
        });
      }
    }
    selections.sort((a, b) => a.start - b.start || a.end - b.end || a.guid.localeCompare(b.guid));
    return { guid: sourceGuid, name: t.name, text, selections };
  });
  return { name: input.name, origin: input.origin ?? 'Concord', users: [...users.values()], codes, sources, notes };
}

/** Adds (or finds again, by GUID) the codes of a REFI-QDA codebook; returns GUID → code id. */
export function importQdaCodes(codebook: Y.Doc, codes: readonly QdaCode[], createdBy: string): { ids: Map<string, string>; created: number } {
  const cb = new CodebookDoc(codebook);
  const byGuid = new Map<string, string>();
  // A code is the same code again when it carries the GUID it was imported with, or
  // the GUID Concord derives for it on export (re-importing our own export).
  for (const m of cb.codes.values()) {
    const id = String(m.get('id'));
    const g = m.get('refiGuid');
    if (typeof g === 'string') byGuid.set(g, id);
    byGuid.set(toRefiGuid(id), id);
  }
  const ids = new Map<string, string>();
  let created = 0;
  codebook.transact(() => {
    for (const c of codes) {
      const existing = byGuid.get(c.guid);
      if (existing && cb.codes.has(existing)) { ids.set(c.guid, existing); continue; }
      const id = cb.createCode({
        name: c.name, description: c.description, createdBy,
        ...(c.color ? { color: c.color } : {}), ...(c.abbreviation ? { abbreviation: c.abbreviation } : {}),
      });
      cb.codes.get(id)!.set('refiGuid', c.guid);
      ids.set(c.guid, id);
      created++;
    }
    for (const c of codes) {
      if (!c.parentGuid) continue;
      const child = ids.get(c.guid);
      const parent = ids.get(c.parentGuid);
      if (child && parent && cb.get(child)?.parentId !== parent) cb.move(child, parent);
    }
  });
  return { ids, created };
}

/** A REFI-QDA source's paragraphs (blank-line separated) as turns without speakers. */
export function qdaSourceTurns(text: string): { speaker: null; start: number }[] {
  const turns: { speaker: null; start: number }[] = [];
  const re = /(^|\n\n+)(?=\S)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    turns.push({ speaker: null, start: m.index + m[1]!.length });
    if (m[0].length === 0) re.lastIndex++;
  }
  return turns;
}

/**
 * Fills an empty transcript document from a REFI-QDA source: the text verbatim
 * (positions must keep pointing at the same characters), paragraphs as turns, and
 * every coded selection as a coding. Returns how many codings were created and
 * what was skipped.
 */
export function fillTranscriptFromQda(
  doc: Y.Doc, source: QdaSource, codeIds: Map<string, string>, coderFor: (userGuid: string | null) => string,
): { codings: number; skipped: string[] } {
  const t = new TranscriptDoc(doc);
  const text = source.text;
  t.initialise(text, qdaSourceTurns(text), { name: source.name, format: 'refi-qda', sourceFile: null });
  t.meta.set('refiGuid', source.guid);
  let codings = 0;
  const skipped: string[] = [];
  for (const sel of source.selections) {
    const start = codePointsToUtf16(text, sel.start);
    const end = codePointsToUtf16(text, sel.end);
    if (end <= start) continue;
    for (const c of sel.codes) {
      const codeId = codeIds.get(c.codeGuid);
      if (!codeId) { skipped.push(`selection ${sel.guid}: code ${c.codeGuid} is not in the codebook`); continue; }
      const id = sel.codes.length === 1 ? sel.guid : `${sel.guid}:${c.codeGuid}`;
      t.addCoding(t.codings, {
        id, codeId, coderId: coderFor(c.creatorGuid ?? sel.creatorGuid), start, end,
        createdAt: sel.createdAt ? Date.parse(sel.createdAt) || Date.now() : Date.now(), ...(sel.memo ? { memo: sel.memo } : {}),
      });
      codings++;
    }
  }
  return { codings, skipped };
}
