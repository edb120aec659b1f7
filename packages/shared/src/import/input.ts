import { LIMITS } from '../limits.ts';

/**
 * Validation and decoding of an uploaded transcript file (plain text, WebVTT,
 * SRT, Markdown). `.docx` files are converted to text on the server first.
 */

/**
 * File name endings the importer reads: plain text and Markdown, captions
 * (WebVTT, SubRip), tab-separated tables (NVivo's transcript table) and Word.
 * The server reads any text file; the web app's drop zone offers these.
 */
export const TRANSCRIPT_FILE_EXTENSIONS: readonly string[] = ['.txt', '.text', '.md', '.markdown', '.vtt', '.srt', '.tsv', '.docx'];

/** Largest transcript file accepted for import (bytes), same as LIMITS.maxTranscriptBytes. */
export const MAX_TRANSCRIPT_BYTES: number = LIMITS.maxTranscriptBytes;

export type TranscriptInputErrorCode = 'empty' | 'binary' | 'too-large' | 'unreadable';

export type TranscriptInputCheck =
  | { ok: true; text: string; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' }
  | { ok: false; code: TranscriptInputErrorCode; message: string };

// packages/shared compiles without DOM or Node typings; TextDecoder is a global
// in every runtime we target (browsers, Node ≥ 11), so declare just what we use.
interface StrictDecoder {
  decode(input: Uint8Array): string;
}
declare const TextDecoder: new (label: string, options?: { fatal?: boolean; ignoreBOM?: boolean }) => StrictDecoder;

const MAGIC: { bytes: number[]; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'a PDF document' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (a .docx file must be named *.docx)' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old Word/Office (.doc) file' },
  { bytes: [0x7b, 0x5c, 0x72, 0x74, 0x66], what: 'an RTF document' },
];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((b, i) => bytes[i] === b);
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/**
 * Checks an uploaded file and decodes it to text.
 *
 * - `too-large`: more than `maxBytes` bytes (checked before any decoding);
 * - `empty`: no bytes, or only whitespace once decoded;
 * - `binary`: a known binary signature (PNG, JPEG, PDF, ZIP, …), a NUL byte
 *   (outside UTF-16), or more than a trace of C0 control characters;
 * - `unreadable`: not valid UTF-8 (nor UTF-16 with a byte-order mark).
 *
 * A UTF-8 BOM is removed; UTF-16 LE/BE files are accepted when they start with
 * their BOM. The text is returned as decoded (line endings untouched —
 * `parseTranscript` normalises them).
 */
export function checkTranscriptInput(
  bytes: Uint8Array,
  fileName = 'transcript',
  maxBytes: number = MAX_TRANSCRIPT_BYTES,
): TranscriptInputCheck {
  const name = fileName || 'transcript';
  if (bytes.length > maxBytes) {
    return {
      ok: false,
      code: 'too-large',
      message: `${name} is ${formatBytes(bytes.length)}; transcripts can be at most ${formatBytes(maxBytes)}.`,
    };
  }
  if (bytes.length === 0) return { ok: false, code: 'empty', message: `${name} is empty.` };

  let text: string;
  let encoding: 'utf-8' | 'utf-16le' | 'utf-16be' = 'utf-8';
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    let body = bytes.subarray(2);
    if (body.length % 2 !== 0) {
      return { ok: false, code: 'unreadable', message: `${name} looks like UTF-16 but has an odd number of bytes.` };
    }
    if (encoding === 'utf-16be') {
      // Swap to little-endian ourselves: not every runtime ships a utf-16be decoder.
      const swapped = new Uint8Array(body.length);
      for (let i = 0; i + 1 < body.length; i += 2) {
        swapped[i] = body[i + 1]!;
        swapped[i + 1] = body[i]!;
      }
      body = swapped;
    }
    try {
      text = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true }).decode(body);
    } catch {
      return { ok: false, code: 'unreadable', message: `${name} is not valid UTF-16 text.` };
    }
  } else {
    for (const m of MAGIC) {
      if (startsWith(bytes, m.bytes)) {
        return { ok: false, code: 'binary', message: `${name} is ${m.what}, not a text transcript.` };
      }
    }
    if (bytes.includes(0)) {
      return {
        ok: false,
        code: 'binary',
        message: `${name} contains NUL bytes: it is a binary file (or UTF-16 without a byte-order mark), not UTF-8 text.`,
      };
    }
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      return {
        ok: false,
        code: 'unreadable',
        message: `${name} is not valid UTF-8 text. Save it as UTF-8 (or export it as .docx) and try again.`,
      };
    }
  }
  // The utf-8 decoder strips a leading BOM (ignoreBOM: false); utf-16 kept none either.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  // Control characters other than tab, LF, VT, FF, CR. A stray one (e.g. a DOS
  // end-of-file 0x1A) is tolerated; more than 1 per 1000 characters is binary.
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) {
      return { ok: false, code: 'binary', message: `${name} contains NUL characters: it is not a text transcript.` };
    }
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0b && c !== 0x0c && c !== 0x0d) || c === 0x7f) controls++;
  }
  if (controls > 1 && controls * 1000 > text.length) {
    return { ok: false, code: 'binary', message: `${name} contains control characters: it is not a text transcript.` };
  }
  if (text.trim() === '') return { ok: false, code: 'empty', message: `${name} contains no text.` };
  return { ok: true, text, encoding };
}
