import * as Y from 'yjs';
import {
  checkTranscriptInput, fillTranscriptFromQda, isRefiError, LIMITS, parseTranscript, qdaSourceText, readQdc, readQdpx,
  transcriptBody, TranscriptDoc, TranscriptTextBody, type InlineCode, type QdaProject, type QdaSource, type QdaUser, type TurnInput,
} from '@concord/shared';
import { DocxError, extractDocxText } from './docx.ts';

/**
 * The CPU-heavy half of every import, run in a worker thread (`import-worker.ts`)
 * so a large file never stalls the server's event loop: decoding and checking
 * the file, parsing it, and building the whole Yjs document, handed back as one
 * encoded update. What needs storage (the codebook, members, listing the
 * transcript) stays on the main thread (`transcripts/import.service.ts`,
 * `exchange/exchange.service.ts`). Tasks and results are plain data
 * (structured-clonable), so these functions also run directly in tests.
 */

export interface ImportLimits {
  /** Largest transcript text (UTF-8 bytes; a .docx file may be larger, its text may not). */
  maxBytes: number;
  /** Most turns (paragraphs) one transcript may have. */
  maxTurns: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = { maxBytes: LIMITS.maxTranscriptBytes, maxTurns: LIMITS.maxTranscriptTurns };

export type ImportErrorCode = 'empty' | 'binary' | 'unreadable' | 'too-large' | 'too-many-turns' | 'invalid-json' | 'invalid-body';

export interface ImportRefusal { ok: false; code: ImportErrorCode; message: string }

/**
 * A transcript to import: an uploaded file's bytes, text, or the raw body of a JSON
 * request (`{name, text}`; parsed here, so a 5 MB body is never parsed on the event loop).
 */
export interface TranscriptTask {
  kind: 'transcript';
  source: { bytes: Uint8Array; fileName: string } | { text: string } | { json: Uint8Array };
  /** Name given by the uploader (JSON); else the title in the text, else the file name. */
  name?: string | null;
  coderId: string;
  /**
   * Codebook ids of the codes the file writes inline, by name. Absent on the first
   * pass: a file with inline codes then answers `stage: 'codes'` so the caller can
   * find or create them in the codebook and ask again with their ids.
   */
  codeIds?: Record<string, string>;
  limits?: ImportLimits;
}

export type TranscriptTaskResult =
  | ImportRefusal
  | { ok: true; stage: 'codes'; codes: InlineCode[] }
  | {
    ok: true; stage: 'built';
    name: string; turns: number; speakers: string[]; codings: number; warnings: string[];
    /** The file the transcript came from (without its folder), when it came from a file. */
    sourceFile: string | null;
    /** Turns with a recording time (timed formats: captions, Otter, Rev, NVivo's table…). */
    timedTurns: number;
    /** The transcript document as Yjs updates of moderate size, in order (see `DOCUMENT_PARTS`). */
    updates: Uint8Array[];
  };

export interface RefiReadTask { kind: 'refi-read'; bytes: Uint8Array; fileName: string; limits?: ImportLimits }

export type RefiReadResult =
  | { ok: true; isQdc: boolean; project: QdaProject; warnings: string[] }
  | { ok: false; code: string; message: string };

export interface RefiSourceTask {
  kind: 'refi-source';
  source: QdaSource;
  /** Codebook id of every REFI code GUID. */
  codeIds: Map<string, string>;
  /** Coder of every REFI user GUID that is a member; other GUIDs code as `refi:<guid>`. */
  coders: Map<string, string>;
  /** Coder of selections without a creator: the importing user. */
  importer: string;
  /** The project's REFI users (their names label imported coders). */
  users: QdaUser[];
}

export interface RefiSourceResult { updates: Uint8Array[]; turns: number; codings: number; skipped: string[] }

export type ImportTask = TranscriptTask | RefiReadTask | RefiSourceTask;

const utf8 = new TextEncoder();

/**
 * Imported documents are built in transactions of at most this much text and this
 * many turns, so they are stored as updates of a few hundred KB that the main thread
 * can commit between live edits (`store-document.ts`).
 */
export const DOCUMENT_PARTS = { chars: 256 * 1024, turns: 2_000 };

/** Every update a document emits while `build` runs, in order. */
function collectUpdates(doc: Y.Doc, build: () => void): Uint8Array[] {
  const updates: Uint8Array[] = [];
  const onUpdate = (u: Uint8Array) => { updates.push(u); };
  doc.on('update', onUpdate);
  try {
    build();
  } finally {
    doc.off('update', onUpdate);
  }
  return updates;
}

function formatCount(n: number): string {
  return n.toLocaleString('en');
}

function formatMb(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

/** The file's text (decoded and checked, or taken from Word), or why it is refused. */
async function sourceText(task: TranscriptTask, label: string, limits: ImportLimits): Promise<{ ok: true; text: string } | ImportRefusal> {
  const src = task.source;
  if ('json' in src) throw new Error('JSON bodies are parsed before their text is checked');
  if ('text' in src) {
    // JSON: the same checks as a file (size in UTF-8 bytes, binary, empty).
    const r = checkTranscriptInput(utf8.encode(src.text), label, limits.maxBytes);
    return r.ok ? { ok: true, text: r.text } : r;
  }
  if (/\.docx$/i.test(src.fileName)) {
    if (src.bytes.length === 0) return { ok: false, code: 'empty', message: `${label} is empty.` };
    try {
      return { ok: true, text: await extractDocxText(src.bytes, { maxTextLength: limits.maxBytes }) };
    } catch (err) {
      const code = err instanceof DocxError ? err.code : 'unreadable';
      return { ok: false, code, message: `${label} is not a readable Word document (${err instanceof Error ? err.message : String(err)}).` };
    }
  }
  const r = checkTranscriptInput(src.bytes, label, limits.maxBytes);
  return r.ok ? { ok: true, text: r.text } : r;
}

function tooManyTurns(label: string, turns: number, max: number): ImportRefusal {
  return {
    ok: false, code: 'too-many-turns',
    message: `${label} has ${formatCount(turns)} speaker turns or paragraphs; a transcript can have at most ${formatCount(max)}. Split it into several transcripts.`,
  };
}

/** The `{name, text}` of a JSON request body, checked like `parseJson` would. */
function jsonBody(bytes: Uint8Array): { ok: true; name: string; text: string } | ImportRefusal {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return { ok: false, code: 'invalid-json', message: 'The request body must be JSON.' };
  }
  const r = TranscriptTextBody.safeParse(body);
  if (!r.success) {
    const first = r.error.issues[0];
    return { ok: false, code: 'invalid-body', message: first ? `${first.path.join('.') || 'body'}: ${first.message}` : 'invalid body' };
  }
  return { ok: true, name: r.data.name, text: r.data.text };
}

/** Decodes, checks and parses a transcript, then builds its document (see `TranscriptTask.codeIds`). */
export async function prepareTranscript(input: TranscriptTask): Promise<TranscriptTaskResult> {
  let task = input;
  if ('json' in task.source) {
    const body = jsonBody(task.source.json);
    if (!body.ok) return body;
    task = { ...task, name: body.name, source: { text: body.text } };
  }
  const limits = task.limits ?? DEFAULT_IMPORT_LIMITS;
  const fileName = 'fileName' in task.source ? task.source.fileName : null;
  const label = fileName ?? (task.name?.trim() || 'The transcript');
  const text = await sourceText(task, label, limits);
  if (!text.ok) return text;
  const parsed = parseTranscript(text.text, fileName ?? undefined);
  if (parsed.turns.length > limits.maxTurns) return tooManyTurns(label, parsed.turns.length, limits.maxTurns);
  if (parsed.codes.length > 0 && !task.codeIds) return { ok: true, stage: 'codes', codes: parsed.codes };

  const body = transcriptBody(parsed.turns);
  const name = (task.name?.trim() || parsed.title || baseName(fileName) || 'Untitled transcript').slice(0, 200);
  const doc = new Y.Doc();
  try {
    const t = new TranscriptDoc(doc);
    const turns: TurnInput[] = body.turnRanges.map((r) => ({
      speaker: r.speaker, start: r.start, startTime: msToSeconds(r.startMs), endTime: msToSeconds(r.endMs),
    }));
    const sourceFile = fileName ? fileName.replace(/^.*[\\/]/, '') : null;
    let codings = 0;
    const updates = collectUpdates(doc, () => {
      t.initialise(body.text, turns, { name, title: parsed.title, format: parsed.format, sourceFile, importedAt: Date.now() }, DOCUMENT_PARTS);
      const codeIds = new Map(Object.entries(task.codeIds ?? {}));
      doc.transact(() => {
        for (const c of parsed.codings) {
          const range = body.turnRanges[c.turnIndex];
          if (!range) continue;
          for (const codeName of c.codeNames) {
            const codeId = codeIds.get(codeName);
            if (!codeId) continue;
            t.addCoding(t.codings, { codeId, coderId: task.coderId, start: range.start + c.start, end: range.start + c.end });
            codings++;
          }
        }
      });
    });
    const speakers = [...new Set(body.turnRanges.map((r) => r.speaker).filter((s): s is string => !!s))];
    return {
      ok: true, stage: 'built', name, turns: body.turnRanges.length, speakers, codings, warnings: parsed.warnings, updates, sourceFile,
      timedTurns: body.turnRanges.filter((r) => r.startMs !== undefined).length,
    };
  } finally {
    doc.destroy();
  }
}

/** Reads a `.qdpx` project or `.qdc` codebook and checks every source against the transcript limits. */
export async function readRefi(task: RefiReadTask): Promise<RefiReadResult> {
  const { bytes, fileName } = task;
  const limits = task.limits ?? DEFAULT_IMPORT_LIMITS;
  const isQdc = /\.qdc$/i.test(fileName) || (bytes[0] === 0x3c || (bytes[0] === 0xef && bytes[3] === 0x3c));
  let project: QdaProject;
  let warnings: string[];
  try {
    if (isQdc) {
      const r = readQdc(bytes);
      project = { name: fileName, origin: r.origin, users: [], codes: r.codes, sources: [], notes: [] };
      warnings = r.warnings;
    } else {
      const r = await readQdpx(bytes, { extractDocx: (b) => extractDocxText(b, { maxTextLength: limits.maxBytes }) });
      project = r.project;
      warnings = r.warnings;
    }
  } catch (err) {
    if (isRefiError(err)) return { ok: false, code: `refi_${err.code.replace(/-/g, '_')}`, message: `${fileName}: ${err.message}` };
    throw err;
  }
  for (const s of project.sources) {
    const size = utf8.encode(s.text).length;
    if (size > limits.maxBytes) {
      return { ok: false, code: 'too_large', message: `${fileName}: the text "${s.name}" is ${formatMb(size)}; a transcript can be at most ${formatMb(limits.maxBytes)}. Nothing was imported.` };
    }
    const turns = qdaSourceText(s).turns.length;
    if (turns > limits.maxTurns) {
      return { ok: false, code: 'too_many_turns', message: `${fileName}: ${tooManyTurns(`the text "${s.name}"`, turns, limits.maxTurns).message} Nothing was imported.` };
    }
  }
  return { ok: true, isQdc, project, warnings };
}

/** Builds one REFI-QDA source's transcript document. */
export function buildRefiSource(task: RefiSourceTask): RefiSourceResult {
  const doc = new Y.Doc();
  try {
    const coderFor = (guid: string | null) => (guid ? task.coders.get(guid) ?? `refi:${guid}` : task.importer);
    let r!: { codings: number; skipped: string[] };
    const updates = collectUpdates(doc, () => { r = fillTranscriptFromQda(doc, task.source, task.codeIds, coderFor, task.users, DOCUMENT_PARTS); });
    const turns = new TranscriptDoc(doc).turns.length;
    return { updates, turns, codings: r.codings, skipped: r.skipped };
  } finally {
    doc.destroy();
  }
}

function msToSeconds(ms: number | undefined): number | null {
  return ms === undefined ? null : ms / 1000;
}

function baseName(fileName: string | null | undefined): string {
  if (!fileName) return '';
  return fileName.replace(/^.*[\\/]/, '').replace(/\.[A-Za-z0-9]{1,5}$/, '');
}
