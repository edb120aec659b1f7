import {
  CodebookDoc, codebookRoom, CommentsDoc, codebookCsv, codebookMarkdown, commentsRoom, importedCoderName, importQdaCodes,
  newId, projectToQda, qdaSourceText, segmentsCsv, segmentsMarkdown, TranscriptDoc, transcriptRoom,
  toRefiGuid, writeQdc, writeQdpx, type PaperSegment, type RecordScope, type RefiImportSummary, type Segment,
} from '@concord/shared';
import { badRequest, HttpError } from '../errors.ts';
import type { AppDeps } from '../http/context.ts';
import { bytesStream, MediaError, mediaStore } from '../media/media-store.ts';
import { storeNewDocument } from '../import/store-document.ts';
import { loadedSegments, loadProject } from './segments.service.ts';

export type ExportFormat = 'qdpx' | 'qdc' | 'csv' | 'md';

export interface ExportFile { fileName: string; contentType: string; body: Uint8Array | string }

/** A file-name-safe form of a project's or transcript's name. */
export function slug(name: string): string {
  return name.normalize('NFKD').replace(/[^\w\s-]/g, '').trim().replace(/\s+/g, '-').slice(0, 60) || 'concord';
}

export async function exportProject(
  deps: AppDeps, pid: string, format: ExportFormat, what: 'segments' | 'codebook' = 'segments', scope: RecordScope = 'record',
): Promise<ExportFile> {
  const project = await deps.storage.getProject(pid);
  if (!project) throw badRequest('unknown project');
  const members = await deps.storage.listMembers(pid);
  const loaded = await loadProject(deps, pid, { layers: scope === 'coders', comments: format === 'qdpx', media: format === 'qdpx' });
  const { codebook, transcripts } = loaded;
  try {
    const base = slug(project.name);
    const suffix = scope === 'coders' ? '-coders' : '';
    if (format === 'qdpx' || format === 'qdc') {
      const qda = projectToQda({ name: project.name, members: members.map((m) => ({ id: m.userId, name: m.name, email: m.email })), codebook, transcripts, scope });
      return format === 'qdpx'
        ? { fileName: `${base}${suffix}.qdpx`, contentType: 'application/zip', body: writeQdpx(qda) }
        : { fileName: `${base}.qdc`, contentType: 'application/xml; charset=utf-8', body: writeQdc(qda.codes) };
    }
    const codes = new CodebookDoc(codebook).list();
    const names = new Map(members.map((m) => [m.userId, m.name]));
    const docs = new Map(transcripts.map((t) => [t.id, t.doc]));
    const nameOf = (tid: string, id: string): string =>
      names.get(id) ?? importedCoderName(docs.get(tid)!, id) ?? (id.startsWith('refi:') ? 'imported coder' : 'former member');
    const toPaper = (s: Segment): PaperSegment => ({ ...s, coderName: (s.coders ?? [s.coderId]).map((id) => nameOf(s.transcriptId, id)).join(' & ') });
    if (what === 'codebook') {
      // Codebook usage counts the record, whatever the scope.
      const counts = new Map<string, number>();
      for (const s of loadedSegments(loaded, { scope: 'record' })) counts.set(s.codeId, (counts.get(s.codeId) ?? 0) + 1);
      return format === 'csv'
        ? { fileName: `${base}-codebook.csv`, contentType: 'text/csv; charset=utf-8', body: codebookCsv(codes, counts) }
        : { fileName: `${base}-codebook.md`, contentType: 'text/markdown; charset=utf-8', body: codebookMarkdown(project.name, codes, counts) };
    }
    const segments = loadedSegments(loaded, { scope }).map(toPaper);
    return format === 'csv'
      ? { fileName: `${base}-segments${suffix}.csv`, contentType: 'text/csv; charset=utf-8', body: segmentsCsv(segments) }
      : { fileName: `${base}-segments${suffix}.md`, contentType: 'text/markdown; charset=utf-8', body: segmentsMarkdown(project.name, codes, segments) };
  } finally {
    loaded.release();
  }
}


/**
 * Imports a `.qdpx` project or `.qdc` codebook written by any REFI-QDA tool into a
 * project. Reading the archive and building each text's document run in an import
 * worker thread; the codebook, coders and listing happen here.
 */
export async function importRefi(deps: AppDeps, pid: string, userId: string, bytes: Uint8Array, fileName: string): Promise<RefiImportSummary> {
  const read = await deps.imports.readRefi({ bytes, fileName });
  if (!read.ok) {
    throw read.code === 'too_large' || read.code === 'too_many_turns'
      ? new HttpError(read.code === 'too_large' ? 413 : 422, read.code, read.message)
      : badRequest(read.message, read.code);
  }
  const { project: qda, warnings, isQdc } = read;
  const { ids, created } = await deps.rooms.withDoc(codebookRoom(pid), (doc) => importQdaCodes(doc, qda.codes, userId));
  // Coders: a REFI-QDA user who is a member (same email, else same name) codes as that member.
  const members = await deps.storage.listMembers(pid);
  const coders = new Map<string, string>();
  for (const u of qda.users) {
    const m = (u.email ? members.find((mm) => mm.email === u.email!.toLowerCase()) : undefined) ?? members.find((mm) => mm.name === u.name);
    if (m && !coders.has(u.guid)) coders.set(u.guid, m.userId);
  }
  const coderFor = (guid: string | null): string => (guid ? coders.get(guid) ?? `refi:${guid}` : userId);
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
    const r = await deps.imports.refiSource({ source, codeIds: ids, coders, importer: userId, users: qda.users });
    warnings.push(...r.skipped);
    // A new room: its document is stored as the first update, then the transcript is listed.
    await storeNewDocument(deps.storage, transcriptRoom(pid, id), r.updates);
    if (source.media?.bytes) {
      try {
        const info = await mediaStore(deps.config).save(pid, id, bytesStream(source.media.bytes), { fileName: source.media.fileName, uploadedBy: userId });
        await deps.rooms.withDoc(transcriptRoom(pid, id), (doc) => new TranscriptDoc(doc).setMedia({
          contentType: info.contentType, size: info.size, fileName: info.fileName, uploadedAt: info.uploadedAt,
        }));
      } catch (err) {
        if (!(err instanceof MediaError)) throw err;
        warnings.push(`"${source.name}": its recording was not attached (${err.message})`);
      }
    }
    await deps.storage.createTranscript({ id, projectId: pid, name: source.name, createdAt: Date.now(), turns: r.turns, codings: r.codings, mode: 'open', revealed: false });
    transcripts.push({ id, name: source.name, codings: r.codings });
  }
  const fresh = new Set(transcripts.map((t) => t.id));
  const bySource = new Map([...sourceIds].filter(([, tid]) => fresh.has(tid)));
  const bySelection = new Map<string, { tid: string; start: number; end: number }>();
  for (const src of qda.sources) {
    const tid = sourceIds.get(src.guid);
    if (!tid || !fresh.has(tid)) continue;
    const { position } = qdaSourceText(src);
    for (const sel of src.selections) bySelection.set(sel.guid, { tid, start: position(sel.start), end: position(sel.end) });
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
    // target: UTF-16 offsets into the imported text
    let start = Math.min(target.start, body.length);
    let end = Math.min(target.end, body.length);
    if (end <= start) { start = 0; end = Math.min(body.length, Math.max(1, quote.length)); }
    await deps.rooms.withDoc(commentsRoom(pid, target.tid), (doc) => {
      new CommentsDoc(doc).createThread(tdoc, { start, end, authorId: userId, body: text.slice(0, 20_000) || '(empty note)' });
    });
  } finally {
    tdoc.destroy();
  }
}
