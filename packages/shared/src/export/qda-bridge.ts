import * as Y from 'yjs';
import { CodebookDoc, type Code } from '../schema/codebook.ts';
import { CommentsDoc } from '../schema/comments.ts';
import { TranscriptDoc, type ResolvedTurn, type TurnInput } from '../schema/transcript.ts';
import { utf16ToCodePoints, codePointsToUtf16 } from '../schema/anchors.ts';
import { toRefiGuid, normalizeRefiGuid } from '../refi/index.ts';
import type { QdaCode, QdaMedia, QdaNote, QdaProject, QdaSelection, QdaSource, QdaSyncPoint, QdaUser } from '../refi/index.ts';
import { codingsInScope, type RecordScope } from '../record/record.ts';
import { coderNames, importedCoderName } from './coder-names.ts';
import { declaredSpeakers, labelTurns, speakersDescription, unlabelTurns } from './speaker-labels.ts';

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
  /** The transcript's recording, to travel in the archive beside its text. */
  media?: { bytes: Uint8Array; contentType: string; fileName: string } | null;
}

/**
 * SyncPoints of a transcript: each timed turn's first character at its start
 * time, and its last character at its end time when known. `position` maps a
 * UTF-16 offset of `body` to code points of the exported text.
 */
export function transcriptSyncPoints(
  sourceGuid: string, body: string, turns: readonly ResolvedTurn[], position: (u16: number) => number,
): QdaSyncPoint[] {
  const points: QdaSyncPoint[] = [];
  for (const turn of turns) {
    if (turn.startTime !== null) {
      points.push({ guid: toRefiGuid(`${sourceGuid}#sync:${turn.id}`), position: position(turn.start), timeMs: Math.round(turn.startTime * 1000) });
    }
    if (turn.endTime !== null) {
      const end = turn.start + body.slice(turn.start, turn.end).trimEnd().length;
      points.push({ guid: toRefiGuid(`${sourceGuid}#sync-end:${turn.id}`), position: position(end), timeMs: Math.round(turn.endTime * 1000) });
    }
  }
  return points;
}

/**
 * Turn times (seconds) from SyncPoints: the first point inside a turn starts it,
 * one at its last character ends it. `position` maps the source's code points
 * to UTF-16 offsets of `text`.
 */
export function turnTimesFromSyncPoints(
  text: string, turns: readonly { start: number }[], points: readonly QdaSyncPoint[], position: (cps: number) => number,
): { startTime: number | null; endTime: number | null }[] {
  const placed = points.map((p) => ({ pos: position(p.position), t: p.timeMs / 1000 }));
  return turns.map((turn, i) => {
    const next = turns[i + 1]?.start ?? text.length;
    const end = turn.start + text.slice(turn.start, next).trimEnd().length;
    const inside = placed.filter((p) => p.pos >= turn.start && p.pos < end);
    const last = placed.find((p) => p.pos === end);
    return { startTime: inside[0]?.t ?? null, endTime: last?.t ?? null };
  });
}

export const codingGuid = (selectionGuid: string): string => toRefiGuid(`${selectionGuid}#coding`);

/**
 * In an export of the record, consensus codings are this user's: other tools then
 * tell them from a coder's own codings (which are that coder's).
 */
export const CONSENSUS_USER: QdaUser = { guid: toRefiGuid('concord:consensus'), name: 'Consensus' };

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
  /** The record (default; consensus codings as the user "Consensus") or every coder's codings (each as that user's). */
  scope?: RecordScope;
}): QdaProject {
  const scope = input.scope ?? 'record';
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
    const meta = td.meta.get('refiGuid');
    const sourceGuid = typeof meta === 'string' ? meta : toRefiGuid(t.id);
    // The text reads like the transcript: speaker labels at turn starts, positions shifted to match.
    const turns = td.resolveTurns();
    const labelled = labelTurns(td.body.toString(), turns);
    const text = labelled.text;
    const speakers = [...new Set(turns.flatMap((x) => (x.speaker ? [x.speaker] : [])))];
    const cp = (u: number, edge: 'start' | 'end') => utf16ToCodePoints(text, labelled.shift(u, edge));
    const selections: QdaSelection[] = [];
    for (const c of codingsInScope(td, scope, t.layers)) {
      const creator = c.source === 'consensus' ? CONSENSUS_USER.guid : userGuid(c.coderId);
      if (c.source === 'consensus') users.set(CONSENSUS_USER.guid, CONSENSUS_USER);
      else if (!users.has(c.coderId)) users.set(c.coderId, { guid: creator, name: importedCoderName(t.doc, c.coderId) ?? 'Former member' });
      const g = codeGuid(c.codeId);
      if (!known.has(g)) continue;
      const sel = toRefiGuid(c.id);
      selections.push({
        guid: sel, start: cp(c.start, 'start'), end: cp(c.end, 'end'), creatorGuid: creator, createdAt: new Date(c.createdAt || 0).toISOString(),
        codes: [{ guid: codingGuid(sel), codeGuid: g, creatorGuid: creator }],
        ...(c.memo ? { memo: c.memo } : {}),
      });
    }
    if (t.comments) {
      for (const th of new CommentsDoc(t.comments).resolve(t.doc)) {
        const visible = th.comments.filter((c) => !c.deleted);
        if (visible.length === 0) continue;
        const sel = toRefiGuid(`thread:${th.id}`);
        if (th.start !== null && th.end !== null) {
          selections.push({ guid: sel, start: cp(th.start, 'start'), end: cp(th.end, 'end'), creatorGuid: userGuid(th.authorId), createdAt: new Date(th.createdAt).toISOString(), codes: [] });
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
    // a SyncPoint at a turn's start sits before its speaker label, where the paragraph starts
    const syncPoints = transcriptSyncPoints(sourceGuid, td.body.toString(), turns, (u) => cp(u, 'end'));
    const media: QdaMedia | null = t.media
      ? { kind: t.media.contentType.startsWith('video/') ? 'video' : 'audio', guid: toRefiGuid(`${sourceGuid}#media`), fileName: t.media.fileName, bytes: t.media.bytes }
      : null;
    return {
      guid: sourceGuid, name: t.name, text, selections, ...(speakers.length > 0 ? { description: speakersDescription(speakers) } : {}),
      ...(syncPoints.length ? { syncPoints } : {}), ...(media ? { media } : {}),
    };
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

/**
 * The transcript text of a REFI-QDA source: Concord's own export has its declared
 * speaker labels taken off again (they become turns); another tool's text is kept
 * verbatim with paragraphs as turns. `position` maps the source's code points to
 * UTF-16 offsets of the returned text.
 */
export function qdaSourceText(source: QdaSource): { text: string; turns: { speaker: string | null; start: number }[]; position: (cps: number) => number } {
  const plain = unlabelTurns(source.text, declaredSpeakers(source.description) ?? []);
  return { text: plain.text, turns: plain.turns, position: (cps) => plain.back(codePointsToUtf16(source.text, cps)) };
}

/**
 * Fills an empty transcript document from a REFI-QDA source: the text verbatim
 * (positions must keep pointing at the same characters), paragraphs as turns, and
 * every coded selection as a coding. Returns how many codings were created and
 * what was skipped.
 */
export function fillTranscriptFromQda(
  doc: Y.Doc, source: QdaSource, codeIds: Map<string, string>, coderFor: (userGuid: string | null) => string, users: readonly QdaUser[] = [],
  /** Build the text and turns in several transactions (`TranscriptDoc.initialise`). */
  parts?: { chars: number; turns: number },
): { codings: number; skipped: string[] } {
  const t = new TranscriptDoc(doc);
  const { text, turns: plainTurns, position } = qdaSourceText(source);
  const turns: TurnInput[] = plainTurns.map((x) => ({ ...x }));
  if (source.syncPoints?.length) {
    turnTimesFromSyncPoints(text, turns, source.syncPoints, position).forEach((times, i) => Object.assign(turns[i]!, times));
  }
  t.initialise(text, turns, { name: source.name, format: 'refi-qda', sourceFile: null }, parts);
  const names = coderNames(doc);
  t.meta.set('refiGuid', source.guid);
  let codings = 0;
  const skipped: string[] = [];
  for (const sel of source.selections) {
    const start = position(sel.start);
    const end = position(sel.end);
    if (end <= start) continue;
    for (const c of sel.codes) {
      const codeId = codeIds.get(c.codeGuid);
      if (!codeId) { skipped.push(`selection ${sel.guid}: code ${c.codeGuid} is not in the codebook`); continue; }
      const id = sel.codes.length === 1 ? sel.guid : `${sel.guid}:${c.codeGuid}`;
      const coderId = coderFor(c.creatorGuid ?? sel.creatorGuid);
      const user = users.find((u) => u.guid === (c.creatorGuid ?? sel.creatorGuid));
      if (coderId.startsWith('refi:') && user?.name && !names.has(coderId)) names.set(coderId, user.name);
      t.addCoding(t.codings, {
        id, codeId, coderId, start, end,
        createdAt: sel.createdAt ? Date.parse(sel.createdAt) || Date.now() : Date.now(), ...(sel.memo ? { memo: sel.memo } : {}),
      });
      codings++;
    }
  }
  return { codings, skipped };
}
