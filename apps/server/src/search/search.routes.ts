import { Hono } from 'hono';
import { CodeHitsBody, UndoCodeHitsBody } from '@concord/shared';
import { parseJson, requireRole, type AppDeps, type Env } from '../http/context.ts';
import type { SearchIndex } from './search-index.ts';
import { codeAllHits, searchProject, undoCodeAllHits } from './search.service.ts';

/** `GET /projects/:pid/search`, `POST /projects/:pid/search/code` and its undo (docs/api.md). */
export function searchRoutes(deps: AppDeps, index: SearchIndex): Hono<Env> {
  const app = new Hono<Env>();

  app.get('/projects/:pid/search', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid);
    const q = (k: string) => c.req.query(k) ?? null;
    const transcript = q('transcript');
    const limit = Number(q('limit') ?? '500');
    return c.json(await searchProject(deps, index, pid, {
      q: q('q'), regex: q('regex'), speaker: q('speaker'), code: q('code'), children: q('children') === 'true', coder: q('coder'),
      transcriptIds: transcript ? [transcript] : null, limit: Number.isFinite(limit) ? limit : 500,
    }));
  });

  app.post('/projects/:pid/search/code', async (c) => {
    const pid = c.req.param('pid');
    const { principal } = await requireRole(deps, c, pid, 'coder');
    const body = await parseJson(c, CodeHitsBody);
    return c.json(await codeAllHits(deps, index, pid, principal.user.id, body, body.codeId, body.unit), 201);
  });

  app.post('/projects/:pid/search/code/undo', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid, 'coder');
    const body = await parseJson(c, UndoCodeHitsBody);
    return c.json({ removed: await undoCodeAllHits(deps, pid, body.batch, body.transcripts) });
  });

  return app;
}
