import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import {
  CloseCode, CodebookDoc, codebookRoom, CodingModeBody, LIMITS, parseRoom, SEGMENT_CSV_COLUMNS, segmentCsvRow, toCsv, transcriptRecord,
  transcriptRoom, TranscriptDoc,
} from '@concord/shared';
import { badRequest, notFound, tooLarge } from '../errors.ts';
import { importFiles, importTranscript } from '../transcripts/import.service.ts';
import { recordAgreementsAtReveal } from '../transcripts/record.service.ts';
import { parseScope, projectSegments } from '../exchange/segments.service.ts';
import { parseJson, requireRole, type AppDeps, type Env } from './context.ts';
import { mediaStore } from '../media/media-store.ts';

const RenameSpeakerBody = z.object({ name: z.string().trim().min(1).max(200) });
const TranscriptPatchBody = z.object({ name: z.string().trim().min(1).max(200) });

export function transcriptRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const { storage, rooms } = deps;

  const transcriptOr404 = async (pid: string, tid: string) => {
    const t = await storage.getTranscript(pid, tid);
    if (!t) throw notFound('This transcript');
    return t;
  };

  app.post(
    '/projects/:pid/transcripts',
    bodyLimit({ maxSize: LIMITS.maxUploadBytes, onError: () => { throw tooLarge(`Uploads are limited to ${LIMITS.maxUploadBytes / 1024 / 1024} MB per request.`); } }),
    async (c) => {
      const pid = c.req.param('pid');
      const { principal } = await requireRole(deps, c, pid, 'coder');
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('application/json')) {
        // Parsed and checked (TranscriptTextBody) in the import worker, not on the event loop.
        const t = await importTranscript(deps, pid, principal.user.id, { json: new Uint8Array(await c.req.arrayBuffer()) });
        return c.json({ transcripts: [t], errors: [] }, 201);
      }
      if (!type.startsWith('multipart/form-data')) throw badRequest('Send the transcripts as multipart form data (field "file") or JSON {name, text}.');
      const form = await c.req.parseBody({ all: true });
      const raw = form.file ?? form['file[]'] ?? form.files;
      const list = (Array.isArray(raw) ? raw : raw ? [raw] : []).filter((f): f is File => typeof f !== 'string');
      if (list.length === 0) throw badRequest('No file was uploaded (use the form field "file").', 'no_file');
      const files = await Promise.all(list.map(async (f) => ({ name: f.name || 'transcript.txt', bytes: new Uint8Array(await f.arrayBuffer()) })));
      const results = await importFiles(deps, pid, principal.user.id, files);
      const transcripts = results.flatMap((r) => (r.ok ? [r.transcript] : []));
      const errors = results.flatMap((r) => (r.ok ? [] : [r.error]));
      return c.json({ transcripts, errors }, transcripts.length === 0 ? 422 : errors.length > 0 ? 207 : 201);
    },
  );

  app.get('/projects/:pid/transcripts/:tid', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid);
    const t = await transcriptOr404(pid, c.req.param('tid'));
    const { speakers, sourceFile, media } = await rooms.readDoc(transcriptRoom(pid, t.id), (doc) => {
      const td = new TranscriptDoc(doc);
      const meta = td.getMeta();
      return { speakers: td.listSpeakers(), sourceFile: meta.sourceFile, media: meta.media };
    });
    return c.json({ ...t, speakers, sourceFile, media });
  });

  app.patch('/projects/:pid/transcripts/:tid', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid, 'coder');
    const t = await transcriptOr404(pid, c.req.param('tid'));
    const body = await parseJson(c, TranscriptPatchBody);
    await rooms.withDoc(transcriptRoom(pid, t.id), (doc) => new TranscriptDoc(doc).meta.set('name', body.name));
    await storage.updateTranscript(pid, t.id, { name: body.name });
    return c.json({ ...t, name: body.name });
  });

  app.delete('/projects/:pid/transcripts/:tid', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid, 'owner');
    const t = await transcriptOr404(pid, c.req.param('tid'));
    await storage.deleteTranscript(pid, t.id);
    await mediaStore(deps.config).remove(pid, t.id);
    rooms.revoke({ transcript: { projectId: pid, transcriptId: t.id }, code: CloseCode.UnknownRoom, reason: 'transcript deleted' });
    return c.body(null, 204);
  });

  /** Rename a speaker across the transcript in one step (e.g. a real name to P9). */
  app.put('/projects/:pid/transcripts/:tid/speakers/:sid', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid, 'coder');
    const t = await transcriptOr404(pid, c.req.param('tid'));
    const body = await parseJson(c, RenameSpeakerBody);
    const sid = c.req.param('sid');
    const speakers = await rooms.withDoc(transcriptRoom(pid, t.id), (doc) => {
      const td = new TranscriptDoc(doc);
      if (!td.speakers.has(sid)) return null;
      td.renameSpeaker(sid, body.name);
      return td.listSpeakers();
    });
    if (!speakers) throw notFound('This speaker');
    return c.json({ speakers });
  });

  /** Coding mode: open (one shared layer) or independent (private layers until revealed). */
  app.put('/projects/:pid/transcripts/:tid/mode', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid, 'owner');
    const t = await transcriptOr404(pid, c.req.param('tid'));
    const body = await parseJson(c, CodingModeBody);
    const revealed = body.mode === 'open' ? false : t.revealed;
    await storage.updateTranscript(pid, t.id, { mode: body.mode, revealed });
    await rooms.withDoc(transcriptRoom(pid, t.id), (doc) => {
      const m = new TranscriptDoc(doc).meta;
      m.set('mode', body.mode);
      m.set('revealed', revealed);
    });
    layerAccessChanged(pid, t.id);
    return c.json({ ...t, mode: body.mode, revealed });
  });

  app.post('/projects/:pid/transcripts/:tid/reveal', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid, 'owner');
    const t = await transcriptOr404(pid, c.req.param('tid'));
    await storage.updateTranscript(pid, t.id, { revealed: true });
    await rooms.withDoc(transcriptRoom(pid, t.id), (doc) => new TranscriptDoc(doc).meta.set('revealed', true));
    layerAccessChanged(pid, t.id);
    // The layers are read-only from here on: the agreed codings start the consensus.
    const agreed = await recordAgreementsAtReveal(deps, pid, t.id);
    return c.json({ ...t, revealed: true, agreed });
  });

  /** Layer rooms of a transcript re-check access (reveal makes them read-only for all). */
  function layerAccessChanged(pid: string, tid: string): void {
    rooms.revoke({ transcript: { projectId: pid, transcriptId: tid }, layersOnly: true, code: CloseCode.AccessChanged, reason: 'coding mode changed' });
  }

  app.get('/projects/:pid/codebook', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid);
    const withUsage = c.req.query('usage') === '1' || c.req.query('usage') === 'true';
    const usage = new Map<string, { codings: number; transcripts: number }>();
    const codes = await rooms.readDoc(codebookRoom(pid), async (doc) => {
      const cb = new CodebookDoc(doc);
      if (withUsage) {
        // Counts each transcript's record (the same codings the segments and exports list).
        for (const t of await storage.listTranscripts(pid)) {
          const perCode = await rooms.readDoc(transcriptRoom(pid, t.id), (tdoc) => {
            const m = new Map<string, number>();
            for (const coding of transcriptRecord(new TranscriptDoc(tdoc))) {
              const id = cb.resolveId(coding.codeId);
              m.set(id, (m.get(id) ?? 0) + 1);
            }
            return m;
          });
          for (const [id, n] of perCode) {
            const u = usage.get(id) ?? { codings: 0, transcripts: 0 };
            u.codings += n;
            u.transcripts += 1;
            usage.set(id, u);
          }
        }
      }
      return cb.list();
    });
    return c.json({
      codes: codes.map((x) => ({
        id: x.id, name: x.name, parentId: x.parentId, color: x.color, abbreviation: x.abbreviation, description: x.description,
        ...(withUsage ? { usage: usage.get(x.id) ?? { codings: 0, transcripts: 0 } } : {}),
      })),
    });
  });

  app.get('/projects/:pid/segments', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid);
    const q = c.req.query();
    const format = q.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw badRequest('format must be json or csv');
    const segments = await projectSegments(deps, pid, {
      scope: parseScope(q.scope), transcriptId: q.transcript ?? null, code: q.code ?? null,
      children: q.children === '1' || q.children === 'true', coderId: q.coder ?? null, speaker: q.speaker ?? null,
    });
    if (format === 'csv') {
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', 'attachment; filename="segments.csv"');
      return c.body(toCsv(segments.map(segmentCsvRow), SEGMENT_CSV_COLUMNS));
    }
    return c.json(segments);
  });

  return app;
}
