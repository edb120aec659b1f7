import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { Config } from '../env.ts';

/**
 * Recordings attached to transcripts, kept as files: `<dir>/<projectId>/<transcriptId>.media`
 * with a `.json` beside it (content type, size, original file name, who and when).
 *
 * Files rather than database rows: recordings are large (an hour of video is
 * gigabytes), range requests read a slice of a file cheaply, and the database
 * and its backups stay small. With several nodes the directory is one every
 * node mounts (`CONCORD_MEDIA_DIR`); a write goes to a temporary name and is
 * renamed into place, so a reader on any node sees the old or the new
 * recording, never half of one.
 *
 * What a recording is comes from its bytes (file-type's signatures), never
 * from its name or the Content-Type the client sent.
 */

export interface MediaInfo {
  contentType: string;
  size: number;
  fileName: string;
  uploadedBy: string;
  uploadedAt: number;
}

export type MediaSaveError =
  | { code: 'empty'; message: string }
  | { code: 'too_large'; message: string }
  | { code: 'not_media'; message: string };

export class MediaError extends Error {
  constructor(readonly detail: MediaSaveError) {
    super(detail.message);
  }
}

/** Bytes file-type needs to recognise every format it knows. */
const SNIFF_BYTES = 4100;
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/** The media type of these first bytes when they are audio or video, else a description of what they are. */
export async function sniffMedia(head: Uint8Array): Promise<{ ok: true; contentType: string } | { ok: false; what: string }> {
  const type = await fileTypeFromBuffer(head);
  if (type && /^(?:audio|video)\//.test(type.mime)) return { ok: true, contentType: type.mime };
  return { ok: false, what: type ? `a .${type.ext} file (${type.mime})` : 'not a format Concord recognises' };
}

export class MediaStore {
  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  private paths(projectId: string, transcriptId: string): { folder: string; data: string; info: string } {
    if (!ID_RE.test(projectId) || !ID_RE.test(transcriptId)) throw new Error('invalid id');
    const folder = path.join(this.dir, projectId);
    return { folder, data: path.join(folder, `${transcriptId}.media`), info: path.join(folder, `${transcriptId}.json`) };
  }

  /** Where the recording's bytes are, and what they are; null when the transcript has none. */
  async get(projectId: string, transcriptId: string): Promise<{ file: string; info: MediaInfo } | null> {
    const p = this.paths(projectId, transcriptId);
    try {
      const info = JSON.parse(await fsp.readFile(p.info, 'utf8')) as MediaInfo;
      const st = await fsp.stat(p.data);
      return { file: p.data, info: { ...info, size: st.size } };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /**
   * Stores a recording from a stream of bytes, replacing any earlier one.
   * Refuses (MediaError) an empty stream, one over the size limit (stopped as
   * soon as it passes it) and one whose first bytes are not audio or video.
   */
  async save(
    projectId: string, transcriptId: string, body: ReadableStream<Uint8Array>, meta: { fileName: string; uploadedBy: string },
  ): Promise<MediaInfo> {
    const p = this.paths(projectId, transcriptId);
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let headBytes = 0;
    let done = false;
    while (headBytes < SNIFF_BYTES) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        break;
      }
      chunks.push(r.value);
      headBytes += r.value.length;
    }
    const fail = async (detail: MediaSaveError): Promise<never> => {
      await reader.cancel().catch(() => {});
      throw new MediaError(detail);
    };
    if (headBytes === 0) return fail({ code: 'empty', message: `${meta.fileName} is empty.` });
    if (headBytes > this.maxBytes) return fail({ code: 'too_large', message: `Recordings are limited to ${mb(this.maxBytes)}.` });
    const head = Buffer.concat(chunks);
    const sniff = await sniffMedia(head.subarray(0, SNIFF_BYTES));
    if (!sniff.ok) {
      return fail({ code: 'not_media', message: `${meta.fileName} is not an audio or video recording (by its contents it is ${sniff.what}).` });
    }
    await fsp.mkdir(p.folder, { recursive: true });
    const tmp = `${p.data}.${randomBytes(6).toString('hex')}.tmp`;
    const out = fs.createWriteStream(tmp);
    let size = 0;
    try {
      const write = (b: Uint8Array) =>
        new Promise<void>((resolve, reject) => out.write(b, (e) => (e ? reject(e) : resolve())));
      size += head.length;
      await write(head);
      while (!done) {
        const r = await reader.read();
        if (r.done) break;
        size += r.value.length;
        if (size > this.maxBytes) await fail({ code: 'too_large', message: `Recordings are limited to ${mb(this.maxBytes)}.` });
        await write(r.value);
      }
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      const info: MediaInfo = { contentType: sniff.contentType, size, fileName: meta.fileName, uploadedBy: meta.uploadedBy, uploadedAt: Date.now() };
      const infoTmp = `${p.info}.${randomBytes(6).toString('hex')}.tmp`;
      await fsp.writeFile(infoTmp, JSON.stringify(info));
      await fsp.rename(tmp, p.data);
      await fsp.rename(infoTmp, p.info);
      return info;
    } catch (err) {
      out.destroy();
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  /** Removes a transcript's recording; false when it had none. */
  async remove(projectId: string, transcriptId: string): Promise<boolean> {
    const p = this.paths(projectId, transcriptId);
    const had = fs.existsSync(p.info) || fs.existsSync(p.data);
    await fsp.rm(p.info, { force: true });
    await fsp.rm(p.data, { force: true });
    return had;
  }

  /** Removes every recording of a project (its folder); false when it had none. */
  async removeProject(projectId: string): Promise<boolean> {
    if (!ID_RE.test(projectId)) throw new Error('invalid id');
    const folder = path.join(this.dir, projectId);
    const had = fs.existsSync(folder);
    await fsp.rm(folder, { recursive: true, force: true });
    return had;
  }
}

/** The recordings of a deployment, where its configuration says. */
export function mediaStore(config: Pick<Config, 'mediaDir' | 'maxMediaBytes'>): MediaStore {
  return new MediaStore(config.mediaDir, config.maxMediaBytes);
}

/** A stream of the given bytes (for `MediaStore.save` from memory, e.g. a REFI-QDA import). */
export function bytesStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}
