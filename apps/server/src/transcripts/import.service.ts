import {
  checkTranscriptInput, CodebookDoc, codebookRoom, newId, parseTranscript, transcriptBody, TranscriptDoc, transcriptRoom,
  type ParsedTranscript,
} from '@concord/shared';
import type { AppDeps } from '../http/context.ts';
import { DocxError, extractDocxText } from '../import/docx.ts';

export interface ImportedTranscript {
  id: string;
  name: string;
  turns: number;
  codings: number;
  speakers: string[];
  /** The file the transcript came from, when it came from a file. */
  sourceFile: string | null;
  /** Turns with a recording time (timed formats: captions, Otter, Rev, NVivo's table…). */
  timedTurns: number;
  codesCreated: number;
  warnings: string[];
}

export interface ImportError {
  file: string;
  code: string;
  message: string;
}

export type ImportResult = { ok: true; transcript: ImportedTranscript } | { ok: false; error: ImportError };

/** Turns an uploaded file's bytes into text: .docx through mammoth, text files checked and decoded. */
export async function fileToText(bytes: Uint8Array, fileName: string, maxBytes?: number): Promise<{ ok: true; text: string } | { ok: false; code: string; message: string }> {
  if (/\.docx$/i.test(fileName)) {
    if (bytes.length === 0) return { ok: false, code: 'empty', message: `${fileName} is empty.` };
    try {
      const text = await extractDocxText(bytes);
      if (!text.trim()) return { ok: false, code: 'empty', message: `${fileName} has no text.` };
      return { ok: true, text };
    } catch (err) {
      const code = err instanceof DocxError ? err.code : 'unreadable';
      return { ok: false, code, message: `${fileName} is not a readable Word document (${err instanceof Error ? err.message : String(err)}).` };
    }
  }
  const r = checkTranscriptInput(bytes, fileName, maxBytes);
  return r.ok ? { ok: true, text: r.text } : { ok: false, code: r.code, message: r.message };
}

/**
 * Imports one transcript into a project: codes found inline (seed 003) join the
 * codebook, the text, turns and codings become the transcript's document, and
 * only then is the transcript listed, so a failure leaves nothing half-imported.
 */
export async function importTranscript(
  deps: AppDeps, projectId: string, userId: string, input: { name?: string | null; text: string; fileName?: string | null },
): Promise<ImportedTranscript> {
  const parsed: ParsedTranscript = parseTranscript(input.text, input.fileName ?? undefined);
  const body = transcriptBody(parsed.turns);
  const name = (input.name?.trim() || parsed.title || baseName(input.fileName) || 'Untitled transcript').slice(0, 200);
  const id = newId(12);
  const sourceFile = input.fileName ? input.fileName.replace(/^.*[\\/]/, '') : null;

  // 1. Codes found inline join the shared codebook (matched by name, so re-imports reuse them).
  const codeIds = new Map<string, string>();
  let codesCreated = 0;
  if (parsed.codes.length > 0) {
    await deps.rooms.withDoc(codebookRoom(projectId), (doc) => {
      const cb = new CodebookDoc(doc);
      for (const code of parsed.codes) {
        const existing = cb.findByName(code.name);
        if (existing) {
          codeIds.set(code.name, existing.id);
          if (code.abbreviation && !existing.abbreviation) cb.update(existing.id, { abbreviation: code.abbreviation });
          continue;
        }
        codeIds.set(code.name, cb.createCode({ name: code.name, abbreviation: code.abbreviation, createdBy: userId }));
        codesCreated++;
      }
      for (const code of parsed.codes) {
        if (!code.parentName) continue;
        const child = codeIds.get(code.name);
        const parent = codeIds.get(code.parentName) ?? cb.findByName(code.parentName)?.id;
        if (child && parent && cb.get(child)?.parentId === null) cb.move(child, parent);
      }
    });
  }

  // 2. The transcript's document: text, turns, speakers, meta and the inline codings.
  let codings = 0;
  await deps.rooms.withDoc(transcriptRoom(projectId, id), (doc) => {
    const t = new TranscriptDoc(doc);
    t.initialise(body.text, body.turnRanges.map((r) => ({
      speaker: r.speaker, start: r.start, startTime: msToSeconds(r.startMs), endTime: msToSeconds(r.endMs),
    })), {
      name, title: parsed.title, format: parsed.format, sourceFile, importedAt: Date.now(),
    });
    for (const c of parsed.codings) {
      const range = body.turnRanges[c.turnIndex];
      if (!range) continue;
      for (const codeName of c.codeNames) {
        const codeId = codeIds.get(codeName);
        if (!codeId) continue;
        t.addCoding(t.codings, { codeId, coderId: userId, start: range.start + c.start, end: range.start + c.end });
        codings++;
      }
    }
  });

  // 3. Listed last: a crash before this point leaves no visible half-import.
  await deps.storage.createTranscript({
    id, projectId, name, createdAt: Date.now(), turns: body.turnRanges.length, codings, mode: 'open', revealed: false,
  });
  const speakers = [...new Set(body.turnRanges.map((r) => r.speaker).filter((s): s is string => !!s))];
  const timedTurns = body.turnRanges.filter((r) => r.startMs !== undefined).length;
  return { id, name, turns: body.turnRanges.length, codings, speakers, sourceFile, timedTurns, codesCreated, warnings: parsed.warnings };
}

/** Imports a batch; each file succeeds or fails on its own. */
export async function importFiles(
  deps: AppDeps, projectId: string, userId: string, files: { name: string; bytes: Uint8Array }[],
  onProgress?: (done: number, total: number, result: ImportResult) => void,
): Promise<ImportResult[]> {
  const results: ImportResult[] = [];
  for (const f of files) {
    let result: ImportResult;
    const text = await fileToText(f.bytes, f.name);
    if (!text.ok) {
      result = { ok: false, error: { file: f.name, code: text.code, message: text.message } };
    } else {
      try {
        result = { ok: true, transcript: await importTranscript(deps, projectId, userId, { text: text.text, fileName: f.name }) };
      } catch (err) {
        deps.log('error', 'import failed', { file: f.name, err: String(err) });
        result = { ok: false, error: { file: f.name, code: 'import_failed', message: `${f.name} could not be imported: ${err instanceof Error ? err.message : String(err)}` } };
      }
    }
    results.push(result);
    onProgress?.(results.length, files.length, result);
  }
  return results;
}

function msToSeconds(ms: number | undefined): number | null {
  return ms === undefined ? null : ms / 1000;
}

function baseName(fileName: string | null | undefined): string {
  if (!fileName) return '';
  return fileName.replace(/^.*[\\/]/, '').replace(/\.[A-Za-z0-9]{1,5}$/, '');
}
