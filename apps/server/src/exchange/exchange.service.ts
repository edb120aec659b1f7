import type * as Y from 'yjs';
import {
  CodebookDoc, codebookRoom, CommentsDoc, codePointsToUtf16, codebookCsv, codebookMarkdown, commentsRoom, fillTranscriptFromQda, importQdaCodes, isRefiError,
  layerRoom, newId, projectToQda, readQdc, readQdpx, segmentsCsv, segmentsMarkdown, transcriptRoom, transcriptSegments, TranscriptDoc,
  toRefiGuid, writeQdc, writeQdpx, type PaperSegment, type RefiImportSummary, type QdaProject, type TranscriptInput,
} from '@concord/shared';
import { badRequest } from '../errors.ts';
import type { AppDeps } from '../http/context.ts';
import { extractDocxText } from '../import/docx.ts';

export type ExportFormat = 'qdpx' | 'qdc' | 'csv' | 'md';

export interface ExportFile { fileName: string; contentType: string; body: Uint8Array | string }

/** A file-name-safe form of a project's or transcript's name. */
export function slug(name: string): string {
  return name.normalize('NFKD').replace(/[^\w\s-]/g, '').trim().replace(/\s+/g, '-').slice(0, 60) || 'concord';
}

/** Loads copies of the project's documents for an export; the caller releases them. */
async function loadProject(deps: AppDeps, pid: string): Promise<{ codebook: Y.Doc; transcripts: TranscriptInput[]; release: () => void }> {
  const docs: Y.Doc[] = [];
  const copy = async (room: string) => { const d = await deps.rooms.copyDoc(room); docs.push(d); return d; };
  const codebook = await copy(codebookRoom(pid));
  const members = await deps.storage.listMembers(pid);
  const transcripts: TranscriptInput[] = [];
  for (const t of await deps.storage.listTranscripts(pid)) {
    const layers = new Map<string, Y.Doc>();
    // Private layers leave the server only once revealed.
    if (t.mode === 'independent' && t.revealed) {
      for (const m of members) {
        const l = await copy(layerRoom(pid, t.id, m.userId));
        if (l.getMap('codings').size > 0) layers.set(m.userId, l);
      }
    }
    transcripts.push({ id: t.id, name: t.name, doc: await copy(transcriptRoom(pid, t.id)), layers, comments: await copy(commentsRoom(pid, t.id)) });
  }
  return { codebook, transcripts, release: () => { for (const d of docs) d.destroy(); } };
}

export async function exportProject(deps: AppDeps, pid: string, format: ExportFormat, what: 'segments' | 'codebook' = 'segments'): Promise<ExportFile> {
  const project = await deps.storage.getProject(pid);
  if (!project) throw badRequest('unknown project');
  const members = await deps.storage.listMembers(pid);
  const { codebook, transcripts, release } = await loadProject(deps, pid);
  try {
    const base = slug(project.name);
    if (format === 'qdpx' || format === 'qdc') {
      const qda = projectToQda({ name: project.name, members: members.map((m) => ({ id: m.userId, name: m.name, email: m.email })), codebook, transcripts });
      return format === 'qdpx'
        ? { fileName: `${base}.qdpx`, contentType: 'application/zip', body: writeQdpx(qda) }
        : { fileName: `${base}.qdc`, contentType: 'application/xml; charset=utf-8', body: writeQdc(qda.codes) };
    }
    const cb = new CodebookDoc(codebook);
    const codes = cb.list();
    const names = new Map(members.map((m) => [m.userId, m.name]));
    const segments: PaperSegment[] = [];
    for (const t of transcripts) {
      const add = (list: ReturnType<typeof transcriptSegments>) => {
        for (const s of list) segments.push({ ...s, transcriptName: t.name, coderName: names.get(s.coderId) ?? (s.coderId.startsWith('refi:') ? 'imported coder' : 'former member') });
      };
      add(transcriptSegments(t.id, t.doc, codebook));
      for (const layer of t.layers.values()) add(transcriptSegments(t.id, t.doc, codebook, {}, layer.getMap('codings')));
    }
    const counts = new Map<string, number>();
    for (const s of segments) counts.set(s.codeId, (counts.get(s.codeId) ?? 0) + 1);
    if (what === 'codebook') {
      return format === 'csv'
        ? { fileName: `${base}-codebook.csv`, contentType: 'text/csv; charset=utf-8', body: codebookCsv(codes, counts) }
        : { fileName: `${base}-codebook.md`, contentType: 'text/markdown; charset=utf-8', body: codebookMarkdown(project.name, codes, counts) };
    }
    return format === 'csv'
      ? { fileName: `${base}-segments.csv`, contentType: 'text/csv; charset=utf-8', body: segmentsCsv(segments) }
      : { fileName: `${base}-segments.md`, contentType: 'text/markdown; charset=utf-8', body: segmentsMarkdown(project.name, codes, segments) };
  } finally {
    release();
  }
}


/** Imports a `.qdpx` project or `.qdc` codebook written by any REFI-QDA tool into a project. */
export async function importRefi(deps: AppDeps, pid: string, userId: string, bytes: Uint8Array, fileName: string): Promise<RefiImportSummary> {
  const isQdc = /\.qdc$/i.test(fileName) || (bytes[0] === 0x3c || (bytes[0] === 0xef && bytes[3] === 0x3c));
  let qda: QdaProject;
  let warnings: string[];
  try {
    if (isQdc) {
      const r = readQdc(bytes);
      qda = { name: fileName, origin: r.origin, users: [], codes: r.codes, sources: [], notes: [] };
      warnings = r.warnings;
    } else {
      const r = await readQdpx(bytes, { extractDocx: (b) => extractDocxText(b) });
      qda = r.project;
      warnings = r.warnings;
    }
  } catch (err) {
    if (isRefiError(err)) throw badRequest(`${fileName}: ${err.message}`, `refi_${err.code.replace(/-/g, '_')}`);
    throw err;
  }
  const { ids, created } = await deps.rooms.withDoc(codebookRoom(pid), (doc) => importQdaCodes(doc, qda.codes, userId));
  // Coders: a REFI-QDA user who is a member (same email, else same name) codes as that member.
  const members = await deps.storage.listMembers(pid);
  const coderFor = (guid: string | null): string => {
    if (!guid) return userId;
    const u = qda.users.find((x) => x.guid === guid);
    const m = u && (members.find((mm) => u.email && mm.email === u.email.toLowerCase()) ?? members.find((mm) => mm.name === u.name));
    return m ? m.userId : `refi:${guid}`;
  };
  const transcripts: RefiImportSummary['transcripts'] = [];
  // Sources already in the project (re-importing an export) are not duplicated.
  const existing = new Map<string, string>();
  for (const t of await deps.storage.listTranscripts(pid)) {
    existing.set(toRefiGuid(t.id), t.id);
    const g = await deps.rooms.readDoc(transcriptRoom(pid, t.id), (doc) => doc.getMap('meta').get('refiGuid'));
    if (typeof g === 'string') existing.set(g, t.id);
  }
  const sourceIds = new Map<string, string>();
  for (const source of qda.sources) {
    const already = existing.get(source.guid);
    if (already) {
      sourceIds.set(source.guid, already);
      warnings.push(`"${source.name}" is already in this project and was not imported again.`);
      continue;
    }
    const id = newId(12);
    sourceIds.set(source.guid, id);
    const r = await deps.rooms.withDoc(transcriptRoom(pid, id), (doc) => fillTranscriptFromQda(doc, source, ids, coderFor));
    warnings.push(...r.skipped);
    const turns = await deps.rooms.readDoc(transcriptRoom(pid, id), (doc) => new TranscriptDoc(doc).turns.length);
    await deps.storage.createTranscript({ id, projectId: pid, name: source.name, createdAt: Date.now(), turns, codings: r.codings, mode: 'open', revealed: false });
    transcripts.push({ id, name: source.name, codings: r.codings });
  }
  const fresh = new Set(transcripts.map((t) => t.id));
  const bySource = new Map([...sourceIds].filter(([, tid]) => fresh.has(tid)));
  const bySelection = new Map<string, { tid: string; start: number; end: number }>();
  for (const src of qda.sources) {
    const tid = sourceIds.get(src.guid);
    if (!tid || !fresh.has(tid)) continue;
    for (const sel of src.selections) bySelection.set(sel.guid, { tid, start: sel.start, end: sel.end });
  }
  let notes = 0;
  for (const note of qda.notes) {
    const target = note.targetGuid ? bySelection.get(note.targetGuid) ?? (bySource.has(note.targetGuid) ? { tid: bySource.get(note.targetGuid)!, start: 0, end: 0 } : null) : null;
    if (!target) {
      const onExisting = note.targetGuid && (existing.has(note.targetGuid) || qda.sources.some((src) => existing.has(src.guid) && src.selections.some((x) => x.guid === note.targetGuid)));
      if (!onExisting) warnings.push(`Note "${note.name}" is not attached to a text in this project and was not imported.`);
      continue;
    }
    const author = coderFor(note.creatorGuid);
    await importNote(deps, pid, author.startsWith('refi:') ? userId : author, target, note.text, note.quote ?? '');
    notes++;
  }
  return { kind: isQdc ? 'qdc' : 'qdpx', codesCreated: created, codes: qda.codes.length, transcripts, notes, warnings };
}

async function importNote(deps: AppDeps, pid: string, userId: string, target: { tid: string; start: number; end: number }, text: string, quote: string): Promise<void> {
  const tdoc = await deps.rooms.copyDoc(transcriptRoom(pid, target.tid));
  try {
    const body = tdoc.getText('body').toString();
    let start = codePointsToUtf16(body, target.start);
    let end = codePointsToUtf16(body, target.end);
    if (end <= start) { start = 0; end = Math.min(body.length, Math.max(1, quote.length)); }
    await deps.rooms.withDoc(commentsRoom(pid, target.tid), (doc) => {
      new CommentsDoc(doc).createThread(tdoc, { start, end, authorId: userId, body: text.slice(0, 20_000) || '(empty note)' });
    });
  } finally {
    tdoc.destroy();
  }
}
