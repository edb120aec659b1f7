import { Hono } from 'hono';
import {
  agreementCsv, agreementMarkdown, CONVENTIONS, DECISION_LABELS, toCsv, TranscriptDoc, transcriptRoom, type Convention,
} from '@concord/shared';
import type { Context } from 'hono';
import { badRequest, notFound } from '../errors.ts';
import { agreementReport, disagreementList, type AnalysisOptions } from '../transcripts/agreement.service.ts';
import { slug } from '../exchange/exchange.service.ts';
import { requireRole, type AppDeps, type Env } from './context.ts';

/**
 * `?convention=words|characters|presence|frequency|overlap|alpha-family&overlap=90&group=a,b|all&samples=500`
 * → the analysis options, or undefined without `convention`. Bad values are a 400 that says why.
 */
function analysisQuery(c: Context<Env>): AnalysisOptions | undefined {
  const convention = c.req.query('convention');
  if (convention === undefined) return undefined;
  if (!Object.hasOwn(CONVENTIONS, convention)) {
    throw badRequest(`convention must be one of ${Object.keys(CONVENTIONS).join(', ')}`, 'bad_convention');
  }
  const out: AnalysisOptions = { convention: convention as Convention };
  const overlap = c.req.query('overlap');
  if (overlap !== undefined) {
    const v = Number(overlap);
    if (!(Number.isFinite(v) && v > 0 && v <= 100)) throw badRequest('overlap must be a percentage between 1 and 100', 'bad_overlap');
    out.overlap = v;
  }
  const group = c.req.query('group');
  if (group !== undefined && group !== '') {
    if (group === 'all') out.group = 'all';
    else {
      const ids = [...new Set(group.split(',').map((x) => x.trim()).filter(Boolean))];
      if (ids.length < 2) throw badRequest('group needs at least two user ids, comma-separated, or "all"', 'bad_group');
      out.group = ids;
    }
  }
  const samples = c.req.query('samples');
  if (samples !== undefined) {
    const v = Number(samples);
    if (!(Number.isInteger(v) && v >= 0 && v <= 5000)) throw badRequest('samples must be a whole number from 0 to 5000', 'bad_samples');
    out.samples = v;
  }
  return out;
}

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
    const analysis = analysisQuery(c);
    const report = await agreementReport(deps, pid, { ...(transcriptId ? { transcriptId } : {}), ...(coders ? { coders } : {}), ...(analysis ? { analysis } : {}) });
    return c.body(JSON.stringify(report, nanToNull), 200, { 'Content-Type': 'application/json' });
  });

  /** The agreement report as a file: `?format=md|csv` plus the analysis query (convention defaults to words). */
  app.get('/projects/:pid/agreement/report', async (c) => {
    const pid = c.req.param('pid');
    await requireRole(deps, c, pid);
    const format = c.req.query('format') ?? 'md';
    if (format !== 'md' && format !== 'csv') throw badRequest('format must be md or csv', 'bad_format');
    const analysis = analysisQuery(c) ?? { convention: 'words' as const };
    const report = await agreementReport(deps, pid, { analysis });
    if (!report.analysis) throw badRequest('There are no two coders to compare yet: agreement needs two coders who coded the same transcript.', 'no_pairs');
    const project = await deps.storage.getProject(pid);
    const ctx = {
      project: project?.name ?? 'Project',
      coders: Object.fromEntries(report.coders.map((x) => [x.id, x.name])),
      codes: Object.fromEntries(report.codes.map((x) => [x.id, x.name])),
      transcripts: Object.fromEntries(report.transcripts.map((x) => [x.id, x.name])),
      generatedAt: new Date().toISOString(),
    };
    const name = `agreement-${analysis.convention}.${format}`;
    c.header('Content-Disposition', `attachment; filename="${name}"`);
    if (format === 'csv') {
      c.header('Content-Type', 'text/csv; charset=utf-8');
      return c.body(agreementCsv(report.analysis, ctx));
    }
    c.header('Content-Type', 'text/markdown; charset=utf-8');
    return c.body(agreementMarkdown(report.analysis, ctx));
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
