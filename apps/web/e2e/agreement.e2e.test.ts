import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  EDITOR, REPO_ROOT, codeQuotes, api, launchBrowser, makeUser, screenshot, startServer, stepByStep, userContext,
  type RunningServer, type TestUser,
} from './harness.ts';

/**
 * Issue 19 end to end: the owner's coding of interview 12 (seed 003, imported with its inline
 * codes) and a second coder's coding of a few passages in the browser; on the agreement page
 * the owner switches unit and method (Concord words, NVivo characters, MAXQDA overlap at two
 * thresholds, ATLAS.ti's α family), sees the figures and their intervals change, and
 * downloads the report as Markdown and CSV.
 */
const SEED_CODED = path.join(REPO_ROOT, 'seeds/003_5fe9ecdb7bbd8d2e.txt');
// in document order (scrollToText scrolls down only)
const CODED_BY_C: [string, string][] = [
  ['the data is, is messy, but it was known from the start', 'Data-low-quality'],
  ['the model worked pretty well on that', 'ME-metrics-a-are-poor-proxy-of-quality'],
  ["It's, it's bad. And so it's really, it's related to their workflow", 'ME-metrics-a-are-poor-proxy-of-quality'],
];

let server: RunningServer;
let browser: Browser;
const O: TestUser = makeUser('Olivia Owner');
const C: TestUser = makeUser('Carl Coder');
let o: { context: BrowserContext; page: Page };
let c: { context: BrowserContext; page: Page };
let pid = '';
let tid = '';
let downloads = '';

/** The overall coefficient cards: coefficient → [value, interval] as shown. */
async function cards(page: Page): Promise<Record<string, [string, string]>> {
  const out: Record<string, [string, string]> = {};
  for (const card of await page.locator('[data-testid=method-figures] [data-coef]').all()) {
    out[(await card.getAttribute('data-coef'))!] = [
      (await card.locator('[data-testid=coef-value]').textContent())!.trim(),
      (await card.locator('[data-testid=coef-ci]').textContent())!.trim(),
    ];
  }
  return out;
}

/** Waits until the figures shown are those of `convention` and no longer loading. */
async function figuresFor(page: Page, convention: string): Promise<Record<string, [string, string]>> {
  await page.waitForSelector(`[data-testid=method-figures][data-convention="${convention}"]`, { timeout: 30_000 });
  await page.waitForSelector('[data-testid=method-loading]', { state: 'detached', timeout: 30_000 });
  return cards(page);
}

describe('agreement: unit, method, intervals and the report', () => {
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    o = await userContext(browser, server.url, O, { signup: 'api' });
    c = await userContext(browser, server.url, C, { signup: 'api' });
    pid = (await api<{ id: string }>(o.context, server.url, 'POST', '/api/projects', { name: 'Agreement study' })).id;
    const res = await o.context.request.post(`${server.url}/api/projects/${pid}/transcripts`, {
      multipart: { file: { name: path.basename(SEED_CODED), mimeType: 'text/plain', buffer: fs.readFileSync(SEED_CODED) } },
      headers: { origin: server.url },
    });
    expect(res.status()).toBe(201);
    tid = ((await res.json()) as { transcripts: { id: string }[] }).transcripts[0]!.id;
    await api(o.context, server.url, 'POST', `/api/projects/${pid}/members`, { email: C.email, role: 'coder' });
    downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-agreement-'));
  });

  stepByStep('agreement', () => [['owner', o?.page], ['coder', c?.page]]);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (downloads) fs.rmSync(downloads, { recursive: true, force: true });
  });

  it('a second coder codes a few passages of the interview the owner coded', async () => {
    const page = c.page;
    await page.goto(`${server.url}/projects/${pid}/transcripts/${tid}`);
    await page.waitForSelector(EDITOR);
    await expect.poll(() => page.locator('[data-testid=connection]').getAttribute('data-status'), { timeout: 20_000 }).toBe('synced');
    await page.waitForSelector('.codebook [data-code-name="Data-low-quality"]', { timeout: 15_000 });
    await codeQuotes(page, CODED_BY_C);
    await expect.poll(async () => {
      const r = await api<{ pairs: unknown[] }>(o.context, server.url, 'GET', `/api/projects/${pid}/agreement`);
      return r.pairs.length;
    }, { timeout: 15_000 }).toBe(1);
  });

  it('the owner switches unit and method and sees the figures and their intervals change', async () => {
    const page = o.page;
    await page.goto(`${server.url}/projects/${pid}/agreement`);
    await page.waitForSelector('[data-testid=agreement-method]', { timeout: 20_000 });

    const words = await figuresFor(page, 'words');
    expect(Object.keys(words)).toEqual(['percent', 'cohen', 'brennanPrediger', 'scott', 'gwet', 'alpha']);
    for (const [value, ci] of Object.values(words)) {
      expect(value).toMatch(/^(−?\.\d{3}|1\.000|\d+\.\d %)$/);
      expect(ci).toMatch(/^95 % CI \[/);
    }
    // the cards show what the API computes for the same choice
    const apiWords = await api<{ analysis: { overall: { figures: Record<string, { value: number }> } } }>(
      o.context, server.url, 'GET', `/api/projects/${pid}/agreement?convention=words`,
    );
    expect(words.percent![0]).toBe(`${(apiWords.analysis.overall.figures.percent!.value * 100).toFixed(1)} %`);
    await screenshot(page, 'agreement-01-words');

    await page.selectOption('[data-testid=convention-select]', 'characters');
    const chars = await figuresFor(page, 'characters');
    expect(await page.locator('[data-testid=convention-description]').textContent()).toContain('NVivo');
    expect(chars.cohen).not.toEqual(words.cohen);
    expect(chars.percent).not.toEqual(words.percent);
    expect(chars.cohen![1]).not.toBe(words.cohen![1]); // the interval moves with the unit
    await screenshot(page, 'agreement-02-characters-nvivo');

    await page.selectOption('[data-testid=convention-select]', 'overlap');
    await page.waitForSelector('[data-testid=overlap-input]');
    const strict = await figuresFor(page, 'overlap');
    expect(Object.keys(strict)).toEqual(['percent', 'brennanPrediger']);
    await page.fill('[data-testid=overlap-input]', '5');
    await expect.poll(async () => (await cards(page)).percent?.[0], { timeout: 30_000 }).not.toBe(strict.percent![0]);
    const loose = await figuresFor(page, 'overlap');
    expect(loose.percent![1]).not.toBe(strict.percent![1]);
    await screenshot(page, 'agreement-03-overlap-maxqda');

    await page.selectOption('[data-testid=convention-select]', 'alpha-family');
    const family = await figuresFor(page, 'alpha-family');
    expect(Object.keys(family)).toEqual(['uAlpha', 'binaryAlpha', 'cuAlpha']);
    expect(family.binaryAlpha![1]).toMatch(/^95 % CI \[|^no interval$/);
    await page.waitForSelector('[data-testid=method-table] tr[data-code="Data-low-quality"]');
    await screenshot(page, 'agreement-04-alpha-family-atlasti');
  });

  it('downloads the report as Markdown and CSV for the method chosen', async () => {
    const page = o.page;
    await page.selectOption('[data-testid=convention-select]', 'characters');
    await figuresFor(page, 'characters');
    const save = async (testid: string) => {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
      const file = path.join(downloads, dl.suggestedFilename());
      await dl.saveAs(file);
      return { name: dl.suggestedFilename(), text: fs.readFileSync(file, 'utf8') };
    };
    const md = await save('report-md');
    expect(md.name).toBe('agreement-characters.md');
    expect(md.text).toContain('# Intercoder agreement — Agreement study');
    expect(md.text).toContain('## Method');
    expect(md.text).toContain('Following the convention of NVivo');
    expect(md.text).toMatch(/Olivia Owner|Carl Coder/);
    expect(md.text).toMatch(/Cohen’s κ = (−?\.\d{3}|1\.000) \[/);
    const csv = await save('report-csv');
    expect(csv.name).toBe('agreement-characters.csv');
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toBe('convention,tool,overlap,coders,scope,name,n,coefficient,value,ci_lower,ci_upper,confidence');
    expect(lines.some((l) => l.includes('overall') && l.includes('Cohen’s κ'))).toBe(true);
  });
});
