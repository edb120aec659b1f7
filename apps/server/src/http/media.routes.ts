import { Readable } from 'node:stream';
import fs from 'node:fs';
import { Hono } from 'hono';
import parseRange from 'range-parser';
import { transcriptRoom, TranscriptDoc, type TranscriptMedia } from '@concord/shared';
import { HttpError, badRequest, notFound, tooLarge } from '../errors.ts';
import { MediaError, mediaStore } from '../media/media-store.ts';
import { requireRole, type AppDeps, type Env } from './context.ts';

const STATUS: Record<MediaError['detail']['code'], 400 | 413 | 415> = { empty: 400, too_large: 413, not_media: 415 };

/**
 * `PUT|GET|DELETE /api/projects/:pid/transcripts/:tid/media`: a transcript's
 * recording. PUT takes the file as the raw body (`?name=` its file name) or as
 * multipart field `file`; coders and owners upload and delete, every member
 * plays. GET honours `Range` (206 with one range, 416 when unsatisfiable).
 * The transcript document's `meta.media` tells every open client at once.
 */
export function mediaRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const store = mediaStore(deps.config);
  const path = '/projects/:pid/transcripts/:tid/media';

  const transcriptOr404 = async (pid: string, tid: string) => {
    const t = await deps.storage.getTranscript(pid, tid);
    if (!t) throw notFound('This transcript');
    return t;
  };

  const announce = (pid: string, tid: string, media: TranscriptMedia | null) =>
    deps.rooms.withDoc(transcriptRoom(pid, tid), (doc) => new TranscriptDoc(doc).setMedia(media));

  app.put(path, async (c) => {
    const pid = c.req.param('pid');
    const { principal } = await requireRole(deps, c, pid, 'coder');
    const t = await transcriptOr404(pid, c.req.param('tid'));
    const declared = Number(c.req.header('content-length') ?? NaN);
    if (declared > store.maxBytes) throw tooLarge(`Recordings are limited to ${Math.round(store.maxBytes / 1024 / 1024)} MB.`);
    let body: ReadableStream<Uint8Array> | null;
    let fileName = (c.req.query('name') ?? '').trim();
    if ((c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
      const form = await c.req.raw.formData().catch(() => null);
      const file = form?.get('file');
      if (!file || typeof file === 'string') throw badRequest('No file was uploaded (use the form field "file").', 'no_file');
      body = file.stream();
      fileName ||= file.name;
    } else {
      body = c.req.raw.body;
    }
    if (!body) throw badRequest('The request has no body: send the recording as the body or as the form field "file".', 'no_file');
    fileName = (fileName || 'recording').replace(/^.*[\\/]/, '').slice(0, 200);
    try {
      const info = await store.save(pid, t.id, body, { fileName, uploadedBy: principal.user.id });
      const media: TranscriptMedia = { contentType: info.contentType, size: info.size, fileName: info.fileName, uploadedAt: info.uploadedAt };
      await announce(pid, t.id, media);
      return c.json(media, 201);
    } catch (err) {
      if (err instanceof MediaError) throw new HttpError(STATUS[err.detail.code], err.detail.code, err.detail.message);
      throw err;
    }
  });

  app.get(path, async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid);
    const t = await transcriptOr404(pid, c.req.param('tid'));
    const m = await store.get(pid, t.id);
    if (!m) throw notFound('The recording of this transcript');
    const size = m.info.size;
    const headers = new Headers({
      'Accept-Ranges': 'bytes',
      'Content-Type': m.info.contentType,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-cache',
      ETag: `"${size.toString(36)}-${m.info.uploadedAt.toString(36)}"`,
      'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(m.info.fileName)}`,
    });
    let start = 0;
    let end = size - 1;
    let status: 200 | 206 = 200;
    const range = c.req.header('range');
    const ifRange = c.req.header('if-range');
    if (range && (!ifRange || ifRange === headers.get('ETag'))) {
      const parsed = parseRange(size, range, { combine: true });
      if (parsed === -1) {
        headers.set('Content-Range', `bytes */${size}`);
        return new Response(null, { status: 416, headers });
      }
      // A malformed header, another unit or several ranges: the whole file (RFC 9110 allows ignoring Range).
      if (parsed !== -2 && parsed.type === 'bytes' && parsed.length === 1) {
        start = parsed[0]!.start;
        end = parsed[0]!.end;
        status = 206;
        headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
      }
    }
    headers.set('Content-Length', String(end - start + 1));
    if (c.req.method === 'HEAD') return new Response(null, { status, headers });
    const stream = Readable.toWeb(fs.createReadStream(m.file, { start, end })) as ReadableStream<Uint8Array>;
    return new Response(stream, { status, headers });
  });

  app.delete(path, async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid, 'coder');
    const t = await transcriptOr404(pid, c.req.param('tid'));
    if (!(await store.remove(pid, t.id))) throw notFound('The recording of this transcript');
    await announce(pid, t.id, null);
    return c.body(null, 204);
  });

  return app;
}
