import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { LIMITS } from '@concord/shared';
import { badRequest, tooLarge } from '../errors.ts';
import { exportProject, importRefi, type ExportFormat } from '../exchange/exchange.service.ts';
import { parseScope } from '../exchange/segments.service.ts';
import { requireRole, type AppDeps, type Env } from './context.ts';

const FORMATS: readonly ExportFormat[] = ['qdpx', 'qdc', 'csv', 'md'];

export function exchangeRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();

  app.get('/projects/:pid/export', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid);
    const format = (c.req.query('format') ?? 'qdpx') as ExportFormat;
    if (!FORMATS.includes(format)) throw badRequest(`format must be one of ${FORMATS.join(', ')}`);
    const what = c.req.query('what') === 'codebook' ? 'codebook' : 'segments';
    const file = await exportProject(deps, pid, format, what, parseScope(c.req.query('scope')));
    c.header('Content-Type', file.contentType);
    c.header('Content-Disposition', `attachment; filename="${file.fileName}"`);
    return c.body(typeof file.body === 'string' ? file.body : (file.body as Uint8Array<ArrayBuffer>));
  });

  app.post(
    '/projects/:pid/import',
    bodyLimit({ maxSize: LIMITS.maxUploadBytes, onError: () => { throw tooLarge(`Uploads are limited to ${LIMITS.maxUploadBytes / 1024 / 1024} MB.`); } }),
    async (c) => {
      const pid = c.req.param('pid');
      const { principal } = await requireRole(deps, c, pid, 'coder');
      const form = await c.req.parseBody();
      const file = form.file;
      if (!file || typeof file === 'string') throw badRequest('Upload a .qdpx project or .qdc codebook in the form field "file".', 'no_file');
      const summary = await importRefi(deps, pid, principal.user.id, new Uint8Array(await file.arrayBuffer()), file.name || 'import.qdpx');
      return c.json(summary, 201);
    },
  );

  return app;
}
