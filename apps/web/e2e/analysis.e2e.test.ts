import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  EDITOR, REPO_ROOT, codeQuotes, SCREENSHOTS, api, launchBrowser, makeUser, screenshot, startServer, stepByStep, userContext,
  type RunningServer, type TestUser,
} from './harness.ts';

/**
 * Issue 8 end to end: the analysis views on demo-like data (seed 003 imported
 * through the API, with its inline codes as codings, and seed 004 which the
 * owner codes a little in the browser), exports downloaded from the project
 * page, and a REFI-QDA import from another tool with its summary and warnings.
 */
const SEED_CODED = path.join(REPO_ROOT, 'seeds/003_5fe9ecdb7bbd8d2e.txt');
const SEED_PLAIN = path.join(REPO_ROOT, 'seeds/004_621386b82d94f645.txt');
// NVivo for Mac's export: 262 codes, two sources whose text is in Word files without text → warnings
const NVIVO = path.join(REPO_ROOT, 'seeds/refi-samples/nvivo-mac-15.qdpx');
// passages of interview 16 the owner codes with the codes of interview 12
const CODED_16: [string, string][] = [
  ['missing some values or something', 'Data-low-quality'],
  ['bug in like, uh, an attribution code, so then, you know, We need to decide whether we need to backfill it for the whole year', 'ML-pipeline-issues'],
  ['there has been a bug in like, uh, an attribution code', 'Data-low-quality'],
  ['we usually try to have at least like a year of data', 'Data-low-quantity'],
];

interface Seg { transcriptId: string; transcriptName: string; codeId: string; codeName: string; coderId: string; speaker: string | null; start: number; end: number; text: string }
interface Code { id: string; name: string; parentId: string | null }

let server: RunningServer;
let browser: Browser;
const O: TestUser = makeUser('Olivia Owner');
let o: { context: BrowserContext; page: Page };
let pid = '';
let codes: Code[] = [];
let downloads = '';
let tid16 = '';

async function fullShot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const segments = (query = '') => api<Seg[]>(o.context, server.url, 'GET', `/api/projects/${pid}/segments${query ? `?${query}` : ''}`);
const codeId = (name: string) => codes.find((c) => c.name === name)!.id;
/** Passages: the same words coded by the same coder are listed once, with all their codes. */
const passages = (segs: Seg[]) => new Set(segs.map((s) => `${s.transcriptId}:${s.start}:${s.end}:${s.coderId}`)).size;

/** Co-occurrence computed independently of the app: pairs of overlapping codings of different codes. */
function expectedCooccurrence(segs: Seg[], x: string, y: string): number {
  let n = 0;
  for (const s of segs) {
    if (s.codeId !== x) continue;
    for (const t of segs) {
      if (t.codeId !== y || t.transcriptId !== s.transcriptId) continue;
      if (Math.max(s.start, t.start) < Math.min(s.end, t.end)) n++;
    }
  }
  return n;
}

async function openTab(page: Page, id: string): Promise<void> {
  await page.click(`[data-testid=tab-${id}]`);
  await page.waitForSelector(`#panel-${id}`);
}

describe('analysis views, exports and REFI-QDA import', () => {
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    o = await userContext(browser, server.url, O, { signup: 'api' });
    pid = (await api<{ id: string }>(o.context, server.url, 'POST', '/api/projects', { name: 'ML quality interviews' })).id;
    for (const file of [SEED_CODED, SEED_PLAIN]) {
      const res = await o.context.request.post(`${server.url}/api/projects/${pid}/transcripts`, {
        multipart: { file: { name: path.basename(file), mimeType: 'text/plain', buffer: fs.readFileSync(file) } },
        headers: { origin: server.url },
      });
      expect(res.status()).toBe(201);
      if (file === SEED_PLAIN) tid16 = ((await res.json()) as { transcripts: { id: string }[] }).transcripts[0]!.id;
    }
    codes = (await api<{ codes: Code[] }>(o.context, server.url, 'GET', `/api/projects/${pid}/codebook`)).codes;
    downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-downloads-'));
  });

  // the steps build on each other: after a failure, screenshots and the rest skipped
  stepByStep('analysis', () => [['owner', o?.page]]);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (downloads) fs.rmSync(downloads, { recursive: true, force: true });
  });

  it('the project page exports a REFI-QDA project, a codebook and CSV/Markdown for papers', async () => {
    const page = o.page;
    await page.goto(`${server.url}/projects/${pid}`);
    await page.waitForSelector('[data-testid=export-menu-btn]');

    async function download(item: string): Promise<{ name: string; file: string }> {
      await page.click('[data-testid=export-menu-btn]');
      await page.waitForSelector('[data-testid=export-menu]');
      if (item === 'qdpx') await screenshot(page, 'analysis-01-export-menu');
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-export="${item}"]`)]);
      const file = path.join(downloads, dl.suggestedFilename());
      await dl.saveAs(file);
      return { name: dl.suggestedFilename(), file };
    }

    const qdpx = await download('qdpx');
    expect(qdpx.name).toMatch(/\.qdpx$/);
    expect(fs.readFileSync(qdpx.file).subarray(0, 2).toString()).toBe('PK');

    const qdc = await download('qdc');
    expect(qdc.name).toMatch(/\.qdc$/);
    expect(fs.readFileSync(qdc.file, 'utf8')).toContain('Model-Evaluation-issues');

    const csv = await download('segments-csv');
    const csvText = fs.readFileSync(csv.file, 'utf8');
    expect(csv.name).toMatch(/segments\.csv$/);
    expect(csvText).toContain('Data-low-quality');
    // one line per coded segment (28 in seed 003) plus the header, quotes may span lines
    expect(csvText.split(/\r?\n/).length).toBeGreaterThan(28);

    const md = await download('segments-md');
    expect(md.name).toMatch(/segments\.md$/);
    expect(fs.readFileSync(md.file, 'utf8')).toMatch(/^#/);

    const cbCsv = await download('codebook-csv');
    expect(cbCsv.name).toMatch(/codebook\.csv$/);
    expect(fs.readFileSync(cbCsv.file, 'utf8')).toContain('ME-metrics-a-are-poor-proxy-of-quality');

    const cbMd = await download('codebook-md');
    expect(cbMd.name).toMatch(/codebook\.md$/);
  });

  it('the owner codes a few passages of interview 16 with the same codes', async () => {
    const page = o.page;
    await page.goto(`${server.url}/projects/${pid}/transcripts/${tid16}`);
    await page.waitForSelector(EDITOR);
    await expect.poll(() => page.locator('[data-testid=connection]').getAttribute('data-status'), { timeout: 20_000 }).toBe('synced');
    await page.waitForSelector('.codebook [data-code-name="Data-low-quality"]', { timeout: 15_000 });
    await codeQuotes(page, CODED_16);
    await expect.poll(async () => (await segments(`transcript=${tid16}`)).length, { timeout: 15_000 }).toBe(CODED_16.length);
    await page.goto(`${server.url}/projects/${pid}`);
  });

  it('retrieves every quote of a code and its sub-codes, filtered by coder and speaker', async () => {
    const page = o.page;
    await page.click('[data-testid=analysis-link]');
    await page.waitForSelector('[data-testid=analysis-stats]');
    const all = await segments();
    expect(await page.locator('[data-testid=analysis-stats]').textContent()).toContain(`${all.length} coded segments`);

    const ME = codeId('Model-Evaluation-issues');
    await page.selectOption('[data-testid=filter-code]', ME);
    const withChildren = await segments(`code=${ME}&children=1`);
    const own = await segments(`code=${ME}`);
    expect(withChildren.length).toBeGreaterThan(own.length);
    await expect.poll(() => page.locator('[data-testid=quotes-summary]').getAttribute('data-count'), { timeout: 10_000 }).toBe(String(withChildren.length));
    await expect.poll(() => page.locator('[data-testid=quote]').count()).toBe(passages(withChildren));
    // the sub-code's quotes are there
    const sub = withChildren.filter((s) => s.codeName === 'ME-metrics-a-are-poor-proxy-of-quality');
    expect(sub.length).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=quote][data-codes*="ME-metrics-a-are-poor-proxy-of-quality"]').count()).toBe(passages(sub));
    await fullShot(page, 'analysis-03-quotes-by-code');

    await page.uncheck('[data-testid=filter-children]');
    await expect.poll(() => page.locator('[data-testid=quote]').count(), { timeout: 10_000 }).toBe(passages(own));
    await page.check('[data-testid=filter-children]');

    await page.selectOption('[data-testid=filter-speaker]', 'Interviewee');
    const bySpeaker = await segments(`code=${ME}&children=1&speaker=Interviewee`);
    await expect.poll(() => page.locator('[data-testid=quote]').count(), { timeout: 10_000 }).toBe(passages(bySpeaker));
    const me = (await api<{ user: { id: string } }>(o.context, server.url, 'GET', '/api/me')).user.id;
    await page.selectOption('[data-testid=filter-coder]', me);
    const byCoder = await segments(`code=${ME}&children=1&speaker=Interviewee&coder=${me}`);
    await expect.poll(() => page.locator('[data-testid=quote]').count(), { timeout: 10_000 }).toBe(passages(byCoder));
    await page.selectOption('[data-testid=filter-coder]', { index: 0 });
    await page.selectOption('[data-testid=filter-speaker]', { index: 0 });
  });

  it('a quote opens the transcript at its words', async () => {
    const page = o.page;
    const first = page.locator('[data-testid=quote]').first();
    const quote = ((await first.locator('blockquote').textContent()) ?? '').trim();
    const href = await first.locator('[data-testid=quote-link]').getAttribute('href');
    expect(href).toMatch(/\/transcripts\/[^/?]+\?at=\d+-\d+$/);
    await first.locator('[data-testid=quote-link]').click();
    await page.waitForSelector(EDITOR);
    const probe = quote.replace(/\s+/g, ' ').slice(0, 40);
    // the quoted words are selected and in view
    await expect.poll(() => page.evaluate(({ sel, probe }) => {
      const scroller = document.querySelector(sel)!.closest('.cm-scroller') as HTMLElement;
      const r = scroller.getBoundingClientRect();
      return [...document.querySelectorAll(`${sel} .cm-line`)].some((l) => {
        const lr = l.getBoundingClientRect();
        return (l.textContent ?? '').replace(/\s+/g, ' ').includes(probe) && lr.bottom > r.top && lr.top < r.bottom;
      });
    }, { sel: EDITOR, probe }), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.locator(`${EDITOR} ~ .cm-selectionLayer .cm-selectionBackground, .cm-selectionLayer .cm-selectionBackground`).count(), { timeout: 5000 }).toBeGreaterThan(0);
    await screenshot(page, 'analysis-04-quote-in-transcript');
    await page.goBack();
    await page.waitForSelector('[data-testid=analysis-stats]');
  });

  it('the code × transcript matrix shows the counts the API implies, with sub-codes rolled up on demand', async () => {
    const page = o.page;
    await openTab(page, 'matrix');
    const all = await segments();
    const detail = await api<{ transcripts: { id: string; name: string }[] }>(o.context, server.url, 'GET', `/api/projects/${pid}`);
    const table = page.locator('[data-testid=code-transcript-matrix]');
    await table.waitFor();
    expect(await page.locator('[data-testid=matrix-total]').textContent()).toBe(String(all.length));
    for (const code of ['Model-Evaluation-issues', 'ME-metrics-a-are-poor-proxy-of-quality', 'QM-data-privacy-issues']) {
      for (const t of detail.transcripts) {
        const n = all.filter((s) => s.codeName === code && s.transcriptId === t.id).length;
        const cell = table.locator(`tr[data-code="${code}"] td[data-transcript="${t.id}"]`);
        expect((await cell.count()) === 0 ? 0 : Number((await cell.textContent()) || 0), `${code} in ${t.name}`).toBe(n);
      }
    }
    await page.waitForSelector('[data-testid=matrix-heatmap] svg', { timeout: 15_000 });
    await fullShot(page, 'analysis-05-code-transcript-matrix');

    // children counted in their parent
    await page.check('[data-testid=rollup]');
    const meIds = new Set([codeId('Model-Evaluation-issues'), ...codes.filter((c) => c.parentId === codeId('Model-Evaluation-issues')).map((c) => c.id)]);
    const coded = detail.transcripts.find((t) => all.some((s) => s.transcriptId === t.id))!;
    const rolled = all.filter((s) => meIds.has(s.codeId) && s.transcriptId === coded.id).length;
    await expect.poll(async () => Number(await table.locator(`tr[data-code="Model-Evaluation-issues"] td[data-transcript="${coded.id}"]`).textContent())).toBe(rolled);
    await page.uncheck('[data-testid=rollup]');
  });

  it('code frequencies and co-occurrence match the segments', async () => {
    const page = o.page;
    const all = await segments();
    await openTab(page, 'frequencies');
    await page.waitForSelector('[data-testid=frequency-chart] svg', { timeout: 15_000 });
    // each code's bar is labelled with its count
    const top = [...new Set(all.map((s) => s.codeName))].map((n) => ({ n, c: all.filter((s) => s.codeName === n).length })).sort((x, y) => y.c - x.c)[0]!;
    expect(await page.locator('[data-testid=frequency-chart] svg text').allTextContents()).toContain(String(top.c));
    await fullShot(page, 'analysis-06-code-frequencies');

    await openTab(page, 'cooccurrence');
    const table = page.locator('[data-testid=cooccurrence-matrix]');
    await table.waitFor();
    const names = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code')!));
    expect(names.length).toBeGreaterThan(1);
    let checked = 0;
    for (const x of names) {
      for (const y of names) {
        if (x === y) continue;
        const cell = table.locator(`tr[data-code="${x}"] td[data-other="${y}"]`);
        const shown = Number((await cell.textContent())?.trim() || 0);
        expect(shown, `${x} × ${y}`).toBe(expectedCooccurrence(all, codeId(x), codeId(y)));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=top-pairs] li').count()).toBeGreaterThan(0);
    await page.waitForSelector('[data-testid=cooccurrence-heatmap] svg', { timeout: 15_000 });
    await fullShot(page, 'analysis-07-cooccurrence');
  });

  it('importing a REFI-QDA project from another tool shows what came in and the warnings', async () => {
    const page = o.page;
    await page.goto(`${server.url}/projects/${pid}`);
    await page.setInputFiles('[data-testid=refi-import-input]', NVIVO);
    const dialog = page.locator('[data-testid=refi-summary]');
    await dialog.locator('[data-testid=refi-transcripts]').waitFor({ timeout: 60_000 });
    expect(await dialog.locator('[data-testid=refi-transcripts]').textContent()).toBe('2 transcripts');
    expect(await dialog.locator('[data-testid=refi-codes]').textContent()).toBe('262 new codes');
    // the Word files without text are listed as things to check
    expect(await dialog.locator('[data-testid=refi-warnings] li').count()).toBe(2);
    expect(await dialog.locator('[data-testid=refi-warnings]').textContent()).toMatch(/could not be taken from its Word file/);
    await screenshot(page, 'analysis-08-refi-import-summary');
    await dialog.locator('button:has-text("Done")').click();
    await expect.poll(() => page.locator('.trow').count(), { timeout: 10_000 }).toBe(4);

    // an unusable file is refused with a message, not a crash
    await page.setInputFiles('[data-testid=refi-import-input]', { name: 'notes.qdpx', mimeType: 'application/zip', buffer: Buffer.from('not a zip') });
    await dialog.locator('.alert.error').waitFor({ timeout: 15_000 });
    await dialog.locator('button:has-text("Done")').click();
  });
});
