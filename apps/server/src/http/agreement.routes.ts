import { Hono } from 'hono';
import { DECISION_LABELS, toCsv, TranscriptDoc, transcriptRoom } from '@concord/shared';
import { badRequest, notFound } from '../errors.ts';
import { agreementReport, disagreementList } from '../transcripts/agreement.service.ts';
import { slug } from '../exchange/exchange.service.ts';
import { requireRole, type AppDeps, type Env } from './context.ts';

/** JSON cannot carry NaN: undefined coefficients (no variation, no units) become null. */
const nanToNull = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

export function agreementRoutes(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();

  app.get('/projects/:pid/agreement', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid);
    const coders = c.req.query('coders')?.split(',').map((s) => s.trim()).filter(Boolean);
    if (coders && coders.length < 2) throw badRequest('coders needs at least two user ids, comma-separated');
    const transcriptId = c.req.query('transcript');
    if (transcriptId && !(await deps.storage.getTranscript(pid, transcriptId))) throw notFound('This transcript');
    const report = await agreementReport(deps, pid, { ...(transcriptId ? { transcriptId } : {}), ...(coders ? { coders } : {}) });
    return c.body(JSON.stringify(report, nanToNull), 200, { 'Content-Type': 'application/json' });
  });

  app.get('/projects/:pid/transcripts/:tid/disagreements', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid);
    const t = await deps.storage.getTranscript(pid, c.req.param('tid'));
    if (!t) throw notFound('This transcript');
    if (t.mode === 'independent' && !t.revealed) throw badRequest('The coders\' layers are private until an owner reveals them.', 'not_revealed');
    const [a, b] = (c.req.query('coders') ?? '').split(',');
    if (!a || !b) throw badRequest('coders=a,b is required');
    const tol = c.req.query('tolerance');
    return c.json(await disagreementList(deps, t, a, b, tol ? Number(tol) : undefined));
  });

  app.get('/projects/:pid/transcripts/:tid/decisions', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid);
    const t = await deps.storage.getTranscript(pid, c.req.param('tid'));
    if (!t) throw notFound('This transcript');
    const names = new Map((await deps.storage.listMembers(pid)).map((m) => [m.userId, m.name]));
    const rows = await deps.rooms.readDoc(transcriptRoom(pid, t.id), (doc) => new TranscriptDoc(doc).decisions.toArray().map((d) => ({
      transcript: t.name, when: new Date(d.at).toISOString(), who: names.get(d.userId) ?? d.userId, decision: DECISION_LABELS[d.action],
      why: d.comment, what: d.summary, disagreement: d.disagreementKey,
    })));
    if (c.req.query('format') === 'csv') {
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', `attachment; filename="decisions-${slug(t.name.replace(/\.[a-z0-9]{2,4}$/i, ''))}.csv"`);
      return c.body(toCsv(rows, ['transcript', 'when', 'who', 'decision', 'why', 'what', 'disagreement']));
    }
    return c.json(rows);
  });

  return app;
}
