import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readQdpx } from '@concord/shared';
import {
  REPO_ROOT, api, codeSelection, decide, launchBrowser, makeUser, openTranscriptAt, screenshot, startServer, stepByStep, userContext,
  type RunningServer, type TestUser,
} from './harness.ts';

/**
 * Issue 13, the research record: two coders code one transcript blind (one
 * agreement, three disagreements), the owner reveals, the coders decide every
 * disagreement. Analysis, the segments API, the CSV, the Markdown and the .qdpx
 * then list the same codings: the agreed one once (with both coders), the decided
 * ones as decided, nothing rejected; each row says where it comes from.
 */
const SEED = path.join(REPO_ROOT, 'seeds/002_d7997d699528739a.txt');
const Q_SAME = 'I am pretty new there'; // both: Background → agreement
const Q_DIFF = 'we are building a recommender system actually'; // A: Use of ML, B: Product context → keep both
const Q_ONLY_A = 'Web interactions data'; // only Ada: Data sources
const Q_ONLY_B = 'we are also collecting and gathering data on, um, users and like demographic information'; // only Ben: Data sources

let server: RunningServer;
let browser: Browser;
const O: TestUser = makeUser('Olivia Owner');
const A: TestUser = makeUser('Ada Okafor');
const B: TestUser = makeUser('Ben Lindqvist');
let o: { context: BrowserContext; page: Page };
let a: { context: BrowserContext; page: Page };
let b: { context: BrowserContext; page: Page };
let pid = '';
let tid = '';
let url = '';
let aId = '';
let bId = '';

type Seg = { codeName: string; text: string; source: string; basis: string | null; coders: string[] };

async function download(context: BrowserContext, href: string): Promise<Buffer> {
  const res = await context.request.get(`${server.url}${href}`);
  expect(res.status()).toBe(200);
  return res.body();
}

/** The coder's changes have reached the server (nothing pending in the connection badge). */
async function allSent(page: Page): Promise<void> {
  const badge = page.locator('[data-testid=connection]');
  await expect.poll(async () => `${await badge.getAttribute('data-status')}/${await badge.getAttribute('data-pending')}`, { timeout: 15_000 }).toBe('synced/0');
}

describe('one research record in every view and export', () => {
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    o = await userContext(browser, server.url, O, { signup: 'api' });
    a = await userContext(browser, server.url, A, { signup: 'api' });
    b = await userContext(browser, server.url, B, { signup: 'api' });
    aId = (await api<{ user: { id: string } }>(a.context, server.url, 'GET', '/api/me')).user.id;
    bId = (await api<{ user: { id: string } }>(b.context, server.url, 'GET', '/api/me')).user.id;
    pid = (await api<{ id: string }>(o.context, server.url, 'POST', '/api/projects', { name: 'Record study' })).id;
    for (const who of [A, B]) await api(o.context, server.url, 'POST', `/api/projects/${pid}/members`, { email: who.email, role: 'coder' });
    const up = await api<{ transcripts: { id: string }[] }>(o.context, server.url, 'POST', `/api/projects/${pid}/transcripts`, {
      name: 'Interview 2', text: fs.readFileSync(SEED, 'utf8'),
    });
    tid = up.transcripts[0]!.id;
    url = `${server.url}/projects/${pid}/transcripts/${tid}`;
    await api(o.context, server.url, 'PUT', `/api/projects/${pid}/transcripts/${tid}/mode`, { mode: 'independent' });
  });

  stepByStep('record', () => [['owner', o?.page], ['A', a?.page], ['B', b?.page]]);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('two coders code blind: one agreement, three disagreements', async () => {
    await openTranscriptAt(a.page, url);
    await codeSelection(a.page, Q_SAME, 'Background');
    await codeSelection(a.page, Q_DIFF, 'Use of ML');
    await codeSelection(a.page, Q_ONLY_A, 'Data sources');
    await allSent(a.page);
    await a.page.goto(`${server.url}/projects/${pid}`);
    await openTranscriptAt(b.page, url);
    await b.page.waitForSelector('.codebook [data-code-name="Data sources"]', { timeout: 15_000 });
    await codeSelection(b.page, Q_SAME, 'Background');
    await codeSelection(b.page, Q_DIFF, 'Product context');
    await codeSelection(b.page, Q_ONLY_B, 'Data sources');
    await allSent(b.page);
    await b.page.goto(`${server.url}/projects/${pid}`);
    // nothing in the record before the reveal
    expect(await api<Seg[]>(o.context, server.url, 'GET', `/api/projects/${pid}/segments`)).toEqual([]);
  });

  it('after the reveal the record holds the agreed coding, once, with both coders', async () => {
    const revealed = await api<{ agreed: number }>(o.context, server.url, 'POST', `/api/projects/${pid}/transcripts/${tid}/reveal`);
    expect(revealed.agreed).toBe(1);
    const segs = await api<Seg[]>(o.context, server.url, 'GET', `/api/projects/${pid}/segments`);
    expect(segs.map((s) => [s.codeName, s.text, s.source, s.basis])).toEqual([['Background', Q_SAME, 'consensus', 'agreed']]);
    expect([...segs[0]!.coders].sort()).toEqual([aId, bId].sort());
  });

  it('the coders decide all three disagreements in the live session', async () => {
    const page = a.page;
    await page.goto(`${server.url}/projects/${pid}`);
    await page.click(`[data-testid="mode-${tid}"] [data-testid=reconcile-btn]`);
    await expect.poll(() => page.locator('[data-testid=reconcile-progress]').getAttribute('data-total'), { timeout: 20_000 }).toBe('3');
    for (let i = 1; i <= 3; i++) {
      await page.waitForSelector('[data-testid=decision-panel]');
      const kind = (await page.locator('[data-testid=current-kind]').textContent())?.trim();
      // different codes: keep both; only Ada / only Ben: keep Ada's, reject Ben's
      const adaSide = aId < bId ? 'a' : 'b';
      const onlySide = kind === 'Only A coded this' ? 'a' : kind === 'Only B coded this' ? 'b' : null;
      const action = onlySide === null ? 'keep-both' : onlySide === adaSide ? `accept-${onlySide}` : 'reject';
      await decide(page, action, action === 'reject' ? 'Demographics are not a quality issue here' : '');
      await expect.poll(() => page.locator('[data-testid=reconcile-progress]').getAttribute('data-decided'), { timeout: 10_000 }).toBe(String(i));
    }
    await page.waitForSelector('[data-testid=all-decided]');
  });

  it('Analysis, the segments API, the CSV, the Markdown and the .qdpx list the same four codings, each with its source', async () => {
    // segments API
    const segs = await api<Seg[]>(o.context, server.url, 'GET', `/api/projects/${pid}/segments`);
    expect(segs.map((s) => `${s.codeName}|${s.source}|${s.basis}`).sort()).toEqual([
      'Background|consensus|agreed', `Data sources|consensus|accept-${aId < bId ? 'a' : 'b'}`, 'Product context|consensus|keep-both', 'Use of ML|consensus|keep-both',
    ]);
    expect(segs.map((s) => s.text)).not.toContain(Q_ONLY_B); // rejected: nowhere

    // Analysis
    const page = o.page;
    await page.goto(`${server.url}/projects/${pid}/analysis`);
    await expect.poll(() => page.locator('[data-testid=quotes-summary]').getAttribute('data-count'), { timeout: 20_000 }).toBe('4');
    const quotes = page.locator('[data-testid=quote]');
    await expect.poll(() => quotes.count()).toBe(4);
    expect(new Set(await quotes.evaluateAll((els) => els.map((e) => e.getAttribute('data-source'))))).toEqual(new Set(['consensus']));
    const agreed = page.locator('[data-testid=quote][data-basis=agreed]');
    expect(await agreed.count()).toBe(1);
    expect(await agreed.textContent()).toContain(Q_SAME);
    expect(await agreed.locator('.by').textContent()).toMatch(/Ada Okafor & Ben Lindqvist|Ben Lindqvist & Ada Okafor/);
    expect(await agreed.locator('[data-testid=quote-source]').textContent()).toBe('consensus · agreed by both coders');
    expect(await page.locator('[data-testid=analysis-stats]').textContent()).toContain('4 coded segments');
    await screenshot(page, 'record-01-analysis');

    // the export menu: the record by default
    await page.click('[data-testid=export-menu-btn]');
    await page.waitForSelector('[data-testid=export-scope]');
    const href = async (id: string) => (await page.locator(`[data-export=${id}]`).getAttribute('href'))!;
    expect(await href('segments-csv')).not.toContain('scope=');
    await screenshot(page, 'record-02-export-menu');

    const csv = (await download(o.context, await href('segments-csv'))).toString('utf8').trim().split('\r\n');
    expect(csv[0]).toBe('code,transcript,speaker,coder,source,basis,quote,memo,start,end');
    const rows = csv.slice(1);
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.includes(',consensus,'))).toBe(true);
    expect(rows.filter((r) => r.includes('agreed by both coders'))).toHaveLength(1);
    expect(rows.filter((r) => r.includes('decided: keep both'))).toHaveLength(2);

    const md = (await download(o.context, await href('segments-md'))).toString('utf8');
    expect(md.match(/^> — /gm)).toHaveLength(4);
    expect(md.match(/; consensus, agreed by both coders\)/g)).toHaveLength(1);
    expect(md.match(/; consensus, decided: /g)).toHaveLength(3);
    expect(md).not.toContain('demographic');

    const qdpx = (await readQdpx(new Uint8Array(await download(o.context, await href('qdpx'))))).project;
    const coded = qdpx.sources[0]!.selections.filter((s) => s.codes.length > 0);
    expect(coded).toHaveLength(4);
    const names = new Map(qdpx.users.map((u) => [u.guid, u.name]));
    expect(new Set(coded.map((s) => names.get(s.creatorGuid!)))).toEqual(new Set(['Consensus']));
    const quoteOf = (s: { start: number; end: number }) => [...qdpx.sources[0]!.text].slice(s.start, s.end).join('');
    expect(coded.filter((s) => quoteOf(s) === Q_SAME)).toHaveLength(1); // the agreed coding, once
    expect(coded.map(quoteOf)).not.toContain(Q_ONLY_B);
    // the exported text reads like the transcript: speaker labels at turn starts
    expect(qdpx.sources[0]!.text).toMatch(/^Interviewer: /);

    // the codebook and the transcript list count the same four
    const cb = await api<{ codes: { usage: { codings: number } }[] }>(o.context, server.url, 'GET', `/api/projects/${pid}/codebook?usage=1`);
    expect(cb.codes.reduce((n, c) => n + c.usage.codings, 0)).toBe(4);
    await expect.poll(async () => (await api<{ transcripts: { id: string; codings: number }[] }>(o.context, server.url, 'GET', `/api/projects/${pid}`))
      .transcripts.find((t) => t.id === tid)!.codings, { timeout: 10_000 }).toBe(4);
  });

  it('"every coder\'s codings" exports the coders\' own layers as theirs', async () => {
    const page = o.page;
    await page.locator('[data-testid=export-scope] input[value=coders]').check();
    const href = (await page.locator('[data-export=segments-csv]').getAttribute('href'))!;
    expect(href).toContain('scope=coders');
    const rows = (await download(o.context, href)).toString('utf8').trim().split('\r\n').slice(1);
    expect(rows).toHaveLength(6);
    expect(rows.filter((r) => r.includes("coder's layer: Ada Okafor"))).toHaveLength(3);
    expect(rows.filter((r) => r.includes("coder's layer: Ben Lindqvist"))).toHaveLength(3);
    const qdpx = (await readQdpx(new Uint8Array(await download(o.context, (await page.locator('[data-export=qdpx]').getAttribute('href'))!)))).project;
    const names = new Map(qdpx.users.map((u) => [u.guid, u.name]));
    expect(qdpx.sources[0]!.selections.filter((s) => s.codes.length > 0).map((s) => names.get(s.creatorGuid!)).sort())
      .toEqual(['Ada Okafor', 'Ada Okafor', 'Ada Okafor', 'Ben Lindqvist', 'Ben Lindqvist', 'Ben Lindqvist']);
  });
});
