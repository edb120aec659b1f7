import mammoth from 'mammoth';
import { LIMITS } from '@concord/shared';

/**
 * Text extraction from Word (.docx) transcripts with mammoth. Each Word
 * paragraph becomes a line followed by a blank line (mammoth's raw-text
 * output), which is exactly what `parseTranscript` expects of a text file.
 *
 * NVivo's transcript table (a Word table with a Timespan column) becomes
 * tab-separated rows instead, as NVivo's own text export has them.
 *
 * Before handing the bytes to mammoth we read the ZIP central directory
 * ourselves: a file that is not a ZIP, has no `word/document.xml`, or would
 * inflate to an absurd size (a zip bomb) is refused without unpacking it.
 */

export interface DocxOptions {
  /** Largest .docx file accepted (bytes). Images make .docx files bigger than their text. */
  maxFileBytes?: number;
  /** Largest total uncompressed size of the archive's entries (bytes). */
  maxUncompressedBytes?: number;
  /** Largest extracted text (UTF-16 code units), like a plain-text transcript. */
  maxTextLength?: number;
}

export const DOCX_DEFAULTS: Required<DocxOptions> = {
  maxFileBytes: 4 * LIMITS.maxTranscriptBytes,
  maxUncompressedBytes: 100 * 1024 * 1024,
  maxTextLength: LIMITS.maxTranscriptBytes,
};

export type DocxErrorCode = 'empty' | 'too-large' | 'unreadable';

export class DocxError extends Error {
  constructor(
    readonly code: DocxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DocxError';
  }
}

interface ZipListing {
  names: string[];
  uncompressed: number;
}

/** Lists a ZIP archive's entries from its central directory; null if it is not a (readable) ZIP. */
export function listZip(bytes: Uint8Array): ZipListing | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  if (len < 22) return null;
  // End of central directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = len - 22; i >= Math.max(0, len - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (entries === 0xffff || cdOffset === 0xffffffff || cdOffset + cdSize > len) return null; // ZIP64 or truncated
  const names: string[] = [];
  let uncompressed = 0;
  let p = cdOffset;
  for (let k = 0; k < entries; k++) {
    if (p + 46 > len || view.getUint32(p, true) !== 0x02014b50) return null;
    const size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    if (p + 46 + nameLen > len) return null;
    names.push(new TextDecoder('utf-8').decode(bytes.subarray(p + 46, p + 46 + nameLen)));
    uncompressed += size;
    p += 46 + nameLen + extraLen + commentLen;
  }
  return { names, uncompressed };
}

/**
 * Extracts a .docx file's text (paragraphs separated by a blank line) and
 * mammoth's warnings. Throws `DocxError` ('empty' | 'too-large' | 'unreadable').
 */
export async function extractDocx(bytes: Uint8Array, options: DocxOptions = {}): Promise<{ text: string; warnings: string[] }> {
  const o = { ...DOCX_DEFAULTS, ...options };
  if (bytes.length === 0) throw new DocxError('empty', 'The Word document is empty.');
  if (bytes.length > o.maxFileBytes) {
    throw new DocxError('too-large', `The Word document is larger than ${Math.round(o.maxFileBytes / (1024 * 1024))} MB.`);
  }
  const zip = listZip(bytes);
  if (!zip) throw new DocxError('unreadable', 'The file is not a Word (.docx) document: it is not a ZIP archive.');
  if (!zip.names.includes('word/document.xml')) {
    throw new DocxError('unreadable', 'The file is a ZIP archive but not a Word (.docx) document (no word/document.xml).');
  }
  if (zip.uncompressed > o.maxUncompressedBytes) {
    throw new DocxError('too-large', 'The Word document unpacks to more data than is accepted.');
  }
  let result: { value: string; messages: { type: string; message: string }[] };
  try {
    result = await mammoth.extractRawText({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
  } catch (err) {
    throw new DocxError('unreadable', `The Word document could not be read (${err instanceof Error ? err.message : String(err)}).`);
  }
  let text = result.value.replace(/\r\n?/g, '\n');
  if (text.trim() === '') throw new DocxError('empty', 'The Word document contains no text.');
  if (/time\s*span/i.test(text)) text = (await transcriptTableText(bytes)) ?? text;
  if (text.length > o.maxTextLength) throw new DocxError('too-large', 'The Word document contains more text than a transcript may have.');
  return { text, warnings: result.messages.map((m) => m.message) };
}

/** The text of a .docx transcript, ready for `parseTranscript`. Throws `DocxError`. */
export async function extractDocxText(bytes: Uint8Array, options: DocxOptions = {}): Promise<string> {
  return (await extractDocx(bytes, options)).text;
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };

function cellText(html: string): string {
  return html
    .replace(/<\/p>\s*<p[^>]*>/g, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, e: string) => ENTITY[e] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * NVivo's transcript exported to Word is a table (`Timespan | Speaker | Content`);
 * raw text would give each cell as its own paragraph. The table's rows as
 * tab-separated lines (what `parseTranscript` reads as NVivo's table), or null
 * when the document has no table with a Timespan header.
 */
async function transcriptTableText(bytes: Uint8Array): Promise<string | null> {
  const { value: html } = await mammoth.convertToHtml({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
  for (const table of html.match(/<table[\s\S]*?<\/table>/g) ?? []) {
    const rows = (table.match(/<tr[\s\S]*?<\/tr>/g) ?? []).map((tr) => (tr.match(/<t[dh][^>]*>[\s\S]*?<\/t[dh]>/g) ?? []).map(cellText));
    if (rows[0]?.some((c) => /^time\s*span$/i.test(c))) return rows.map((r) => r.join('\t')).join('\n');
  }
  return null;
}
