/**
 * A defensive zip reader: parses the central directory itself, checks entry
 * names, entry count and declared sizes before inflating anything, and
 * inflates entries lazily in small chunks, aborting as soon as an entry
 * produces more than it declared (zip bombs that lie about their size).
 */
import { Inflate, zipSync, type Zippable } from 'fflate';
import { RefiError } from './errors.ts';
import type { RefiLimits } from './model.ts';

export interface ZipEntry {
  /** Entry name with `/` separators (backslashes converted). */
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  isDirectory: boolean;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

/** Compressed bytes per inflate step; deflate expands at most ~1032:1, so one step yields ≤ ~4 MB. */
const INFLATE_CHUNK = 4 * 1024;

/** Human-readable size: "512 bytes", "3.2 KB", "200 MB". */
function mb(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round((n / 1024) * 10) / 10} KB`;
  return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
}

class Reader {
  constructor(private readonly b: Uint8Array) {}
  has(off: number, len: number): boolean {
    return off >= 0 && len >= 0 && off + len <= this.b.length;
  }
  u16(off: number): number {
    if (!this.has(off, 2)) throw corrupt();
    return (this.b[off] ?? 0) | ((this.b[off + 1] ?? 0) << 8);
  }
  u32(off: number): number {
    if (!this.has(off, 4)) throw corrupt();
    return (((this.b[off] ?? 0) | ((this.b[off + 1] ?? 0) << 8) | ((this.b[off + 2] ?? 0) << 16)) + (this.b[off + 3] ?? 0) * 0x1000000);
  }
  u64(off: number): number {
    const lo = this.u32(off);
    const hi = this.u32(off + 4);
    if (hi >= 0x200000) throw new RefiError('too-large', 'The archive declares sizes beyond what can be imported.');
    return hi * 0x100000000 + lo;
  }
}

function corrupt(detail?: string): RefiError {
  return new RefiError('corrupt-zip', `The file is a damaged zip archive${detail ? ` (${detail})` : ''}; try exporting the project again.`);
}

interface TextDecoderLike {
  decode(input: Uint8Array): string;
}

function decodeName(bytes: Uint8Array): string {
  const Ctor = (globalThis as unknown as { TextDecoder?: new (label?: string) => TextDecoderLike }).TextDecoder;
  if (Ctor) return new Ctor('utf-8').decode(bytes);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** Refuses names that would escape the folder they are extracted to. */
function checkEntryName(raw: string): string {
  if (raw.includes('\0')) {
    throw new RefiError('path-traversal', `The archive was refused: an entry name contains a NUL character ("${raw.replace(/\0/g, '\\0')}").`);
  }
  const name = raw.replace(/\\/g, '/');
  const bad =
    name.startsWith('/') ||
    /^[A-Za-z]:/.test(name) ||
    name.split('/').some((seg) => seg === '..');
  if (bad) {
    throw new RefiError(
      'path-traversal',
      `The archive was refused: the entry "${raw}" points outside the project folder (absolute path or "..").` +
        ' A genuine REFI-QDA export never does this.',
    );
  }
  return name.replace(/^(\.\/)+/, '');
}

export class ZipArchive {
  readonly entries: ZipEntry[];
  private readonly byLowerName = new Map<string, ZipEntry>();
  private readonly cache = new Map<ZipEntry, Uint8Array>();
  private readonly r: Reader;

  constructor(
    private readonly data: Uint8Array,
    limits: RefiLimits,
  ) {
    if (data.length > limits.maxArchiveBytes) {
      throw new RefiError('too-large', `The file is ${mb(data.length)}; Concord imports projects up to ${mb(limits.maxArchiveBytes)}.`);
    }
    const isZipStart =
      data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b && (data[2] === 3 || data[2] === 5) && (data[3] === 4 || data[3] === 6);
    if (!isZipStart) {
      throw new RefiError('not-zip', 'This file is not a REFI-QDA project (.qdpx): it is not a zip archive.');
    }
    this.r = new Reader(data);
    this.entries = this.readCentralDirectory(limits);
    for (const e of this.entries) {
      const key = e.name.toLowerCase();
      if (!e.isDirectory && !this.byLowerName.has(key)) this.byLowerName.set(key, e);
    }
  }

  private findEocd(): number {
    const min = Math.max(0, this.data.length - 22 - 0xffff);
    for (let off = this.data.length - 22; off >= min; off--) {
      if (this.data[off] === 0x50 && this.data[off + 1] === 0x4b && this.r.u32(off) === SIG_EOCD) return off;
    }
    throw new RefiError('not-zip', 'This file is not a REFI-QDA project (.qdpx): no zip directory was found (the file may be truncated).');
  }

  private readCentralDirectory(limits: RefiLimits): ZipEntry[] {
    const r = this.r;
    const eocd = this.findEocd();
    const diskNo = r.u16(eocd + 4);
    const cdDisk = r.u16(eocd + 6);
    let count = r.u16(eocd + 10);
    let cdSize = r.u32(eocd + 12);
    let cdOffset = r.u32(eocd + 16);
    if (eocd >= 20 && r.u32(eocd - 20) === SIG_ZIP64_LOCATOR) {
      const z = r.u64(eocd - 12);
      if (r.u32(z) !== SIG_ZIP64_EOCD) throw corrupt('bad ZIP64 directory');
      count = r.u64(z + 32);
      cdSize = r.u64(z + 40);
      cdOffset = r.u64(z + 48);
    }
    if (diskNo !== 0 || cdDisk !== 0) {
      throw new RefiError('unsupported-zip', 'This archive is split over several files (multi-volume zip); please export it as a single file.');
    }
    if (count > limits.maxEntries) {
      throw new RefiError('too-large', `The archive holds ${count} files; Concord imports projects with at most ${limits.maxEntries}.`);
    }
    if (!r.has(cdOffset, cdSize)) throw corrupt('directory outside the file');

    const entries: ZipEntry[] = [];
    let total = 0;
    let off = cdOffset;
    for (let i = 0; i < count; i++) {
      if (r.u32(off) !== SIG_CENTRAL) throw corrupt('bad directory entry');
      const flags = r.u16(off + 8);
      const method = r.u16(off + 10);
      let compressedSize = r.u32(off + 20);
      let uncompressedSize = r.u32(off + 24);
      const nameLen = r.u16(off + 28);
      const extraLen = r.u16(off + 30);
      const commentLen = r.u16(off + 32);
      let localHeaderOffset = r.u32(off + 42);
      if (!r.has(off + 46, nameLen + extraLen + commentLen)) throw corrupt('bad directory entry');
      const rawName = decodeName(this.data.subarray(off + 46, off + 46 + nameLen));
      // ZIP64 extra field
      let x = off + 46 + nameLen;
      const xEnd = x + extraLen;
      while (x + 4 <= xEnd) {
        const id = r.u16(x);
        const size = r.u16(x + 2);
        if (id === 0x0001) {
          let p = x + 4;
          if (uncompressedSize === 0xffffffff) (uncompressedSize = r.u64(p)), (p += 8);
          if (compressedSize === 0xffffffff) (compressedSize = r.u64(p)), (p += 8);
          if (localHeaderOffset === 0xffffffff) (localHeaderOffset = r.u64(p)), (p += 8);
        }
        x += 4 + size;
      }
      const name = checkEntryName(rawName);
      total += uncompressedSize;
      if (total > limits.maxTotalUncompressedBytes) {
        throw new RefiError(
          'too-large',
          `The archive would unpack to more than ${mb(limits.maxTotalUncompressedBytes)} (the entry "${rawName}" alone declares ${mb(uncompressedSize)}). ` +
            'Concord refuses it to protect the server; it may be a "zip bomb".',
        );
      }
      entries.push({
        name,
        method,
        flags,
        compressedSize,
        uncompressedSize,
        localHeaderOffset,
        isDirectory: name.endsWith('/'),
      });
      off += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  }

  /** Case-insensitive lookup of a file entry by path (`/` or `\` separators). */
  find(path: string): ZipEntry | undefined {
    return this.byLowerName.get(path.replace(/\\/g, '/').replace(/^(\.\/)+/, '').toLowerCase());
  }

  /** Inflates an entry (cached), aborting if it produces more than it declared. */
  read(entry: ZipEntry): Uint8Array {
    const cached = this.cache.get(entry);
    if (cached) return cached;
    const r = this.r;
    if (entry.flags & 0x1) {
      throw new RefiError('unsupported-zip', `The archive is password-protected ("${entry.name}"); export the project without encryption.`);
    }
    const lh = entry.localHeaderOffset;
    if (r.u32(lh) !== SIG_LOCAL) throw corrupt(`bad header for "${entry.name}"`);
    const start = lh + 30 + r.u16(lh + 26) + r.u16(lh + 28);
    if (!r.has(start, entry.compressedSize)) throw corrupt(`"${entry.name}" is truncated`);
    const comp = this.data.subarray(start, start + entry.compressedSize);
    let out: Uint8Array;
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.uncompressedSize) throw corrupt(`"${entry.name}" has inconsistent sizes`);
      out = comp.slice();
    } else if (entry.method === 8) {
      out = inflateBounded(comp, entry);
    } else {
      throw new RefiError(
        'unsupported-zip',
        `"${entry.name}" is compressed with a method Concord cannot read (zip method ${entry.method}); re-export with standard (deflate) compression.`,
      );
    }
    this.cache.set(entry, out);
    return out;
  }
}

function inflateBounded(comp: Uint8Array, entry: ZipEntry): Uint8Array {
  const limit = entry.uncompressedSize;
  const out = new Uint8Array(limit);
  let written = 0;
  let done = false;
  const bomb = (): RefiError =>
    new RefiError(
      'too-large',
      `The entry "${entry.name}" unpacks to more than the ${mb(limit)} it declares; the archive was refused as a possible "zip bomb".`,
    );
  const inflater = new Inflate((chunk, final) => {
    if (written + chunk.length > limit) throw bomb();
    out.set(chunk, written);
    written += chunk.length;
    if (final) done = true;
  });
  try {
    if (comp.length === 0) inflater.push(new Uint8Array(0), true);
    for (let p = 0; p < comp.length; p += INFLATE_CHUNK) {
      const end = Math.min(comp.length, p + INFLATE_CHUNK);
      inflater.push(comp.subarray(p, end), end === comp.length);
    }
  } catch (e) {
    if (e instanceof RefiError) throw e;
    throw corrupt(`"${entry.name}" could not be decompressed`);
  }
  if (!done) throw corrupt(`"${entry.name}" could not be decompressed`);
  return written === limit ? out : out.slice(0, written);
}

export function openZip(data: Uint8Array, limits: RefiLimits): ZipArchive {
  return new ZipArchive(data, limits);
}

/** Writes a zip (text deflated at level 6, other files stored) with a fixed modification time. */
export function writeZip(files: ReadonlyArray<readonly [string, Uint8Array]>, mtime: Date): Uint8Array {
  const z: Zippable = {};
  // Recordings and pictures are compressed already: stored as they are.
  for (const [name, data] of files) z[name] = [data, { level: /\.(?:txt|qde|xml)$/i.test(name) ? 6 : 0, mtime }];
  return zipSync(z);
}
