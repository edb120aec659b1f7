import * as Y from 'yjs';
import {
  CodebookDoc, codebookRoom, findRegex, findTerms, newId, parseSearchRegex, parseTextQuery, TranscriptDoc, transcriptRecord, transcriptRoom,
  unitSpan, utf16ToCodePoints, type CodeHitsResponse, type CodingUnit, type SearchHit, type SearchResponse, type TextQuery,
} from '@concord/shared';
import { badRequest, notFound } from '../errors.ts';
import type { AppDeps } from '../http/context.ts';
import type { SearchTurnRow } from '../storage/types.ts';
import type { SearchIndex } from './search-index.ts';

/** What a search asks for (`GET /search` parameters, `POST /search/code` body). */
export interface SearchParams {
  q?: string | null;
  regex?: string | null;
  speaker?: string | null;
  /** Only hits inside a coding (in the record) of this code … */
  code?: string | null;
  /** … or of one of its sub-codes too. */
  children?: boolean;
  /** Only hits inside a coding (in the record) by this coder. */
  coder?: string | null;
  transcriptIds?: string[] | null;
  limit?: number;
}

export const MAX_HITS = 2_000;
/** Turns read from the index for one search; a regular expression alone reads the project's turns up to this many. */
const MAX_CANDIDATE_TURNS = 50_000;
const CONTEXT_CHARS = 80;
const CATCH_UP_WAIT_MS = 3_000;

type Span = { start: number; end: number };
type Matcher = (text: string) => Span[];

interface Prepared {
  query: TextQuery | null;
  /** Hits in a turn the index returned for `query` (which holds every term already). */
  matcher: Matcher;
  /** Hits in any turn (the terms are checked too). */
  anywhere: Matcher;
}

function prepare(p: SearchParams): Prepared {
  const q = p.q?.trim() ?? '';
  const rx = p.regex ?? '';
  if (q === '' && rx === '') throw badRequest('Type a word or a "phrase" to search for, or a regular expression.', 'empty_query');
  let query: TextQuery | null = null;
  let re: RegExp | null = null;
  try {
    if (q !== '') query = parseTextQuery(q);
    if (rx !== '') re = parseSearchRegex(rx);
  } catch (err) {
    throw badRequest((err as Error).message, 'bad_query');
  }
  // With both, the words choose the turns and the expression the hits in them.
  if (!re) {
    const terms: Matcher = (text) => findTerms(text, query!);
    return { query, matcher: terms, anywhere: terms };
  }
  const pattern: Matcher = (text) => findRegex(text, re, MAX_HITS);
  return { query, matcher: pattern, anywhere: (text) => (query && findTerms(text, query).length === 0 ? [] : pattern(text)) };
}

/** The code ids a code filter keeps (with sub-codes when asked, and the ids merged into them); null without one. */
async function filterCodeIds(deps: AppDeps, pid: string, p: SearchParams): Promise<Set<string> | null> {
  if (!p.code) return null;
  return deps.rooms.readDoc(codebookRoom(pid), (doc) => {
    const cb = new CodebookDoc(doc);
    const id = cb.resolveId(p.code!);
    const ids = new Set(p.children ? cb.descendants(id) : [id]);
    for (const merged of cb.aliases.keys()) if (ids.has(cb.resolveId(merged))) ids.add(merged);
    return ids;
  });
}

/** Spans of a transcript's record codings of these codes / this coder (code points, or UTF-16 when `codePoints` is false). */
function codingSpans(doc: Y.Doc, codeIds: Set<string> | null, coder: string | null, codePoints: boolean): Span[] {
  const t = new TranscriptDoc(doc);
  const text = t.body.toString();
  return transcriptRecord(t)
    .filter((c) => (!codeIds || codeIds.has(c.codeId)) && (!coder || c.coders.includes(coder)))
    .map((c) => (codePoints ? { start: utf16ToCodePoints(text, c.start), end: utf16ToCodePoints(text, c.end) } : { start: c.start, end: c.end }));
}

const inside = (h: Span, spans: Span[]) => spans.some((s) => s.start < h.end && h.start < s.end);

/** Turns read from the index per page; pages continue until enough hits are found. */
const PAGE_TURNS = 500;

/** The project's matching turns, page by page (index order), at most MAX_CANDIDATE_TURNS in all. */
async function* candidateTurns(deps: AppDeps, pid: string, p: SearchParams, query: TextQuery | null): AsyncGenerator<SearchTurnRow> {
  let afterId: number | undefined;
  for (let read = 0; read < MAX_CANDIDATE_TURNS;) {
    const rows = await deps.storage.searchTurns(pid, {
      match: query, speaker: p.speaker ?? null, transcriptIds: p.transcriptIds ?? null, limit: PAGE_TURNS, ...(afterId === undefined ? {} : { afterId }),
    });
    for (const row of rows) yield row;
    if (rows.length < PAGE_TURNS) return;
    read += rows.length;
    afterId = rows.at(-1)!.id;
  }
}

/** Searches a project's transcripts: keyword-in-context hits in index order (each transcript's in text order). */
export async function searchProject(deps: AppDeps, index: SearchIndex, pid: string, p: SearchParams): Promise<SearchResponse> {
  const { query, matcher } = prepare(p);
  // Transcripts never indexed (a project from before the index) are indexed first;
  // a search does not wait for that longer than CATCH_UP_WAIT_MS and says so.
  const caughtUp = await Promise.race([
    index.catchUp(pid, deps.rooms).then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), CATCH_UP_WAIT_MS).unref()),
  ]);
  const indexing = caughtUp ? {} : { indexing: true };
  const limit = Math.min(Math.max(p.limit ?? 500, 1), MAX_HITS);
  const codeIds = await filterCodeIds(deps, pid, p);
  const filtered = codeIds !== null || !!p.coder;
  const coded = new Map<string, Span[]>();
  const codedIn = async (tid: string) => {
    let spans = coded.get(tid);
    if (!spans) {
      spans = await deps.rooms.readDoc(transcriptRoom(pid, tid), (doc) => codingSpans(doc, codeIds, p.coder ?? null, true));
      coded.set(tid, spans);
    }
    return spans;
  };
  const hits: SearchHit[] = [];
  for await (const row of candidateTurns(deps, pid, p, query)) {
    for (const span of matcher(row.text)) {
      const start = row.start + utf16ToCodePoints(row.text, span.start);
      const end = row.start + utf16ToCodePoints(row.text, span.end);
      if (filtered && !inside({ start, end }, await codedIn(row.transcriptId))) continue;
      if (hits.length >= limit) return { hits, truncated: true, ...indexing };
      hits.push({
        transcriptId: row.transcriptId, transcriptName: row.transcriptName, speaker: row.speaker, start, end,
        text: row.text.slice(span.start, span.end),
        before: contextBefore(row.text, span.start), after: contextAfter(row.text, span.end),
      });
    }
  }
  return { hits, truncated: false, ...indexing };
}

function contextBefore(text: string, at: number): string {
  if (at <= CONTEXT_CHARS) return text.slice(0, at);
  const cut = text.slice(at - CONTEXT_CHARS, at);
  const space = cut.indexOf(' ');
  return `…${space >= 0 && space < 20 ? cut.slice(space + 1) : cut}`;
}

function contextAfter(text: string, at: number): string {
  if (text.length - at <= CONTEXT_CHARS) return text.slice(at).trimEnd();
  const cut = text.slice(at, at + CONTEXT_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${space > CONTEXT_CHARS - 20 ? cut.slice(0, space) : cut}…`;
}

/** Coding ids of one "code all hits" start with its batch id (12 characters), so one undo finds them all, on any node. */
const BATCH_LENGTH = 12;

/**
 * Codes every hit of a search with one code, the unit widened to the sentence or
 * turn when asked. The hits are found again in each transcript's live document
 * (the index chooses the transcripts), so text edited a moment ago is coded
 * where it is now. Spans already coded with this code are left alone. Codings go
 * into shared transcripts' record; independent transcripts are skipped (each
 * coder codes them in their own layer).
 */
export async function codeAllHits(
  deps: AppDeps, index: SearchIndex, pid: string, userId: string, p: SearchParams, codeId: string, unit: CodingUnit,
): Promise<CodeHitsResponse> {
  const { query, matcher, anywhere } = prepare(p);
  const code = await deps.rooms.readDoc(codebookRoom(pid), (doc) => {
    const cb = new CodebookDoc(doc);
    const id = cb.resolveId(codeId);
    return { id, known: cb.get(id) !== null };
  });
  if (!code.known) throw notFound('This code');
  await index.catchUp(pid, deps.rooms);
  const candidates = new Set<string>();
  for await (const row of candidateTurns(deps, pid, p, query)) if (!candidates.has(row.transcriptId) && matcher(row.text).length > 0) candidates.add(row.transcriptId);
  const filterCodes = await filterCodeIds(deps, pid, p);
  const batch = newId(BATCH_LENGTH);
  const result: CodeHitsResponse = { batch, codings: 0, transcripts: [], skipped: [] };
  let n = 0;
  for (const tid of candidates) {
    const t = await deps.storage.getTranscript(pid, tid);
    if (!t) continue;
    if (t.mode === 'independent') {
      result.skipped.push({ transcriptId: tid, reason: 'independent coding: each coder codes it in their own layer' });
      continue;
    }
    const added = await deps.rooms.withDoc(transcriptRoom(pid, tid), (doc) => {
      const td = new TranscriptDoc(doc);
      const text = td.body.toString();
      const within = p.code || p.coder ? codingSpans(doc, filterCodes, p.coder ?? null, false) : null;
      const existing = new Set(td.resolveCodings().filter((c) => c.codeId === code.id).map((c) => `${c.start}:${c.end}`));
      let count = 0;
      for (const turn of td.resolveTurns()) {
        if (p.speaker && turn.speaker !== p.speaker) continue;
        const turnText = text.slice(turn.start, turn.end);
        for (const s of anywhere(turnText)) {
          const hit = { start: turn.start + s.start, end: turn.start + s.end };
          if (within && !inside(hit, within)) continue;
          const span = unitSpan(text, hit, unit, turn);
          const key = `${span.start}:${span.end}`;
          if (existing.has(key)) continue;
          existing.add(key);
          td.addCoding(td.codings, { codeId: code.id, coderId: userId, start: span.start, end: span.end, id: `${batch}${(n++).toString(36).padStart(4, '0')}` });
          count++;
        }
      }
      return count;
    });
    if (added > 0) { result.codings += added; result.transcripts.push(tid); }
  }
  return result;
}

/** Removes what one "code all hits" added (codings since deleted by hand stay deleted); returns how many were removed. */
export async function undoCodeAllHits(deps: AppDeps, pid: string, batch: string, transcriptIds: string[]): Promise<number> {
  if (!/^[A-Za-z0-9]+$/.test(batch) || batch.length !== BATCH_LENGTH) throw badRequest('Unknown "code all hits" action.', 'bad_batch');
  let removed = 0;
  for (const tid of new Set(transcriptIds)) {
    if (!(await deps.storage.getTranscript(pid, tid))) continue;
    removed += await deps.rooms.withDoc(transcriptRoom(pid, tid), (doc) => {
      const codings = new TranscriptDoc(doc).codings;
      const ids = [...codings.keys()].filter((k) => k.startsWith(batch) && k.length > BATCH_LENGTH);
      for (const id of ids) codings.delete(id);
      return ids.length;
    });
  }
  return removed;
}
