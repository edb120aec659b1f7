import { CodebookDoc, codebookRoom, newId, transcriptRoom } from '@concord/shared';
import { HttpError } from '../errors.ts';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppDeps } from '../http/context.ts';
import { storeNewDocument } from '../import/store-document.ts';
import type { ImportErrorCode } from '../import/import-tasks.ts';

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

const STATUS: Record<ImportErrorCode, ContentfulStatusCode> = {
  'invalid-json': 400, 'invalid-body': 400, 'too-large': 413, empty: 422, binary: 422, unreadable: 422, 'too-many-turns': 422,
};

export type ImportResult = { ok: true; transcript: ImportedTranscript } | { ok: false; error: ImportError };

/**
 * Imports one transcript into a project. The file is decoded, checked, parsed and
 * built into its document in an import worker thread; here, codes found inline
 * (seed 003) join the codebook, the document is stored as the new room's first
 * update, and only then is the transcript listed, so a failure leaves nothing
 * half-imported. Refused input (too large, binary, too many turns…) throws an
 * `HttpError` with a message naming the file.
 */
export async function importTranscript(
  deps: AppDeps, projectId: string, userId: string,
  input: { name?: string | null; text: string } | { json: Uint8Array } | { bytes: Uint8Array; fileName: string },
): Promise<ImportedTranscript> {
  const source = 'text' in input ? { text: input.text } : 'json' in input ? { json: input.json } : { bytes: input.bytes, fileName: input.fileName };
  const task = { source, name: 'name' in input ? input.name ?? null : null, coderId: userId };
  let r = await deps.imports.transcript(task);

  // Codes found inline join the shared codebook (matched by name, so re-imports reuse them).
  let codesCreated = 0;
  if (r.ok && r.stage === 'codes') {
    const codes = r.codes;
    const codeIds = new Map<string, string>();
    await deps.rooms.withDoc(codebookRoom(projectId), (doc) => {
      const cb = new CodebookDoc(doc);
      for (const code of codes) {
        const existing = cb.findByName(code.name);
        if (existing) {
          codeIds.set(code.name, existing.id);
          if (code.abbreviation && !existing.abbreviation) cb.update(existing.id, { abbreviation: code.abbreviation });
          continue;
        }
        codeIds.set(code.name, cb.createCode({ name: code.name, abbreviation: code.abbreviation, createdBy: userId }));
        codesCreated++;
      }
      for (const code of codes) {
        if (!code.parentName) continue;
        const child = codeIds.get(code.name);
        const parent = codeIds.get(code.parentName) ?? cb.findByName(code.parentName)?.id;
        if (child && parent && cb.get(child)?.parentId === null) cb.move(child, parent);
      }
    });
    r = await deps.imports.transcript({ ...task, codeIds: Object.fromEntries(codeIds) });
  }
  if (!r.ok) throw new HttpError(STATUS[r.code], r.code.replace(/-/g, '_'), r.message);
  if (r.stage !== 'built') throw new Error('the import worker asked for codes twice');

  // The document: a new room, so its first update is stored directly (no room to load).
  const id = newId(12);
  await storeNewDocument(deps.storage, transcriptRoom(projectId, id), r.updates);
  // Listed last: a crash before this point leaves no visible half-import.
  await deps.storage.createTranscript({
    id, projectId, name: r.name, createdAt: Date.now(), turns: r.turns, codings: r.codings, mode: 'open', revealed: false,
  });
  return { id, name: r.name, turns: r.turns, codings: r.codings, speakers: r.speakers, sourceFile: r.sourceFile, timedTurns: r.timedTurns, codesCreated, warnings: r.warnings };
}

/** Imports a batch; each file succeeds or fails on its own. */
export async function importFiles(
  deps: AppDeps, projectId: string, userId: string, files: { name: string; bytes: Uint8Array }[],
  onProgress?: (done: number, total: number, result: ImportResult) => void,
): Promise<ImportResult[]> {
  const results: ImportResult[] = [];
  for (const f of files) {
    let result: ImportResult;
    try {
      result = { ok: true, transcript: await importTranscript(deps, projectId, userId, { bytes: f.bytes, fileName: f.name }) };
    } catch (err) {
      if (err instanceof HttpError) {
        result = { ok: false, error: { file: f.name, code: err.code.replace(/_/g, '-'), message: err.message } };
      } else {
        deps.log('error', 'import failed', { file: f.name, err: String(err) });
        result = { ok: false, error: { file: f.name, code: 'import_failed', message: `${f.name} could not be imported: ${err instanceof Error ? err.message : String(err)}` } };
      }
    }
    results.push(result);
    onProgress?.(results.length, files.length, result);
  }
  return results;
}
