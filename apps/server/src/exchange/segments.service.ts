import type * as Y from 'yjs';
import {
  CodebookDoc, codebookRoom, codingsInScope, commentsRoom, layerCodings, layerRoom, RECORD_SCOPES, TranscriptDoc, transcriptRoom,
  transcriptSegments, type RecordScope, type Segment, type TranscriptInput,
} from '@concord/shared';
import { badRequest, notFound } from '../errors.ts';
import type { AppDeps } from '../http/context.ts';

/** `?scope=` of the segments API and exports: the record (default) or every coder's codings. */
export function parseScope(raw: string | undefined | null): RecordScope {
  if (raw === undefined || raw === null || raw === '') return 'record';
  if (!(RECORD_SCOPES as readonly string[]).includes(raw)) {
    throw badRequest(`scope must be ${RECORD_SCOPES.join(' or ')} ("record": the project's coding record; "coders": every coder's own codings)`, 'bad_scope');
  }
  return raw as RecordScope;
}

export interface LoadedProject {
  codebook: Y.Doc;
  transcripts: TranscriptInput[];
  release: () => void;
}

/**
 * Copies of a project's documents. Coders' layers are loaded only when asked
 * for, and only revealed ones: private layers never leave the server.
 */
export async function loadProject(
  deps: AppDeps, pid: string, opts: { layers: boolean; comments: boolean; transcriptId?: string | null },
): Promise<LoadedProject> {
  const docs: Y.Doc[] = [];
  const copy = async (room: string) => { const d = await deps.rooms.copyDoc(room); docs.push(d); return d; };
  try {
    const codebook = await copy(codebookRoom(pid));
    const members = opts.layers ? await deps.storage.listMembers(pid) : [];
    const all = await deps.storage.listTranscripts(pid);
    const list = opts.transcriptId ? all.filter((t) => t.id === opts.transcriptId) : all;
    if (opts.transcriptId && list.length === 0) throw notFound('This transcript');
    const transcripts: TranscriptInput[] = [];
    for (const t of list) {
      const layers = new Map<string, Y.Doc>();
      if (opts.layers && t.mode === 'independent' && t.revealed) {
        for (const m of members) {
          const l = await copy(layerRoom(pid, t.id, m.userId));
          if (layerCodings(l).size > 0) layers.set(m.userId, l);
        }
      }
      transcripts.push({
        id: t.id, name: t.name, doc: await copy(transcriptRoom(pid, t.id)), layers,
        comments: opts.comments ? await copy(commentsRoom(pid, t.id)) : null,
      });
    }
    return { codebook, transcripts, release: () => { for (const d of docs) d.destroy(); } };
  } catch (err) {
    for (const d of docs) d.destroy();
    throw err;
  }
}

export interface SegmentQuery {
  scope: RecordScope;
  transcriptId?: string | null;
  code?: string | null;
  children?: boolean;
  coderId?: string | null;
  speaker?: string | null;
}

/** Segments of a loaded project in a scope (the record, or every coder's codings). */
export function loadedSegments(p: LoadedProject, q: SegmentQuery): Segment[] {
  let codeIds: Set<string> | null = null;
  if (q.code) {
    const cb = new CodebookDoc(p.codebook);
    const id = cb.resolveId(q.code);
    codeIds = new Set(q.children ? cb.descendants(id) : [id]);
  }
  const out: Segment[] = [];
  for (const t of p.transcripts) {
    const list = codingsInScope(new TranscriptDoc(t.doc), q.scope, t.layers);
    out.push(...transcriptSegments(t.id, t.doc, p.codebook, { codeIds, coderId: q.coderId ?? null, speaker: q.speaker ?? null }, list));
  }
  return out;
}

/** `GET /segments`: the project's coded segments in a scope, filtered. */
export async function projectSegments(deps: AppDeps, pid: string, q: SegmentQuery): Promise<Segment[]> {
  const p = await loadProject(deps, pid, { layers: q.scope === 'coders', comments: false, transcriptId: q.transcriptId ?? null });
  try {
    return loadedSegments(p, q);
  } finally {
    p.release();
  }
}
