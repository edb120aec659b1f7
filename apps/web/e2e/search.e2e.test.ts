import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  EDITOR, REPO_ROOT, api, eventually, launchBrowser, makeUser, openTranscriptAt, screenshot, scrollToText, startServer, stepByStep, userContext,
  type RunningServer, type TestUser,
} from './harness.ts';

/**
 * Issue 18, search: a coder searches a phrase across two interviews, reads the hits in
 * context, codes all of them by sentence, and undoes it in one step — while the owner,
 * who has one interview open, sees the codings arrive and leave live.
 */
const SEED_003 = path.join(REPO_ROOT, 'seeds/003_5fe9ecdb7bbd8d2e.txt');
const SEED_004 = path.join(REPO_ROOT, 'seeds/004_621386b82d94f645.txt');
const PHRASE = 'data quality';

interface Seg { transcriptId: string; codeName: string; text: string; coderId: string }

let server: RunningServer;
let browser: Browser;
const O: TestUser = makeUser('Olivia Owner');
const C: TestUser = makeUser('Carl Coder');
let o: { context: BrowserContext; page: Page };
let c: { context: BrowserContext; page: Page };
let pid = '';
let tid4 = '';
const CODE = 'Data-low-quality';
const count = (text: string) => (text.toLowerCase().match(new RegExp(PHRASE, 'g')) ?? []).length;
const expectedHits = count(fs.readFileSync(SEED_003, 'utf8')) + count(fs.readFileSync(SEED_004, 'utf8'));

const segments = () => api<Seg[]>(o.context, server.url, 'GET', `/api/projects/${pid}/segments`);
const ours = async () => (await segments()).filter((s) => s.codeName === CODE && s.text.toLowerCase().includes(PHRASE));

describe('search: find a phrase, code all hits, undo', () => {
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    o = await userContext(browser, server.url, O, { signup: 'api' });
    c = await userContext(browser, server.url, C, { signup: 'api' });
    pid = (await api<{ id: string }>(o.context, server.url, 'POST', '/api/projects', { name: 'Search study' })).id;
    for (const file of [SEED_003, SEED_004]) {
      const res = await o.context.request.post(`${server.url}/api/projects/${pid}/transcripts`, {
        multipart: { file: { name: path.basename(file), mimeType: 'text/plain', buffer: fs.readFileSync(file) } },
        headers: { origin: server.url },
      });
      expect(res.status()).toBe(201);
      if (file === SEED_004) tid4 = ((await res.json()) as { transcripts: { id: string }[] }).transcripts[0]!.id;
    }
    await api(o.context, server.url, 'POST', `/api/projects/${pid}/members`, { email: C.email, role: 'coder' });
  });

  stepByStep('search', () => [['owner', o?.page], ['coder', c?.page]]);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the coder finds the phrase in both interviews, keyword in context', async () => {
    expect(expectedHits).toBeGreaterThan(2);
    await c.page.goto(`${server.url}/projects/${pid}`);
    await c.page.click('[data-testid=search-link]');
    await c.page.waitForSelector('[data-testid=search-page]');
    await c.page.fill('[data-testid=search-q]', `"${PHRASE.toUpperCase()}"`);
    await c.page.click('[data-testid=search-run]');
    await c.page.waitForSelector('[data-testid=search-hits]');
    const marks = await c.page.locator('[data-testid=search-hits] mark').allTextContents();
    expect(marks).toHaveLength(expectedHits);
    expect(marks.every((m) => m.toLowerCase() === PHRASE)).toBe(true);
    expect(new Set(await c.page.locator('[data-testid=search-hits] .where').allTextContents()).size).toBe(2);
    await screenshot(c.page, 'search-hits');
  });

  it('codes all hits by sentence; the owner sees the codings arrive live, and one undo takes them all back', async () => {
    await openTranscriptAt(o.page, `${server.url}/projects/${pid}/transcripts/${tid4}`);
    await scrollToText(o.page, 'data quality');
    const coded = () => o.page.locator(`${EDITOR} [data-coding]`).filter({ hasText: /data quality/i }).count();
    expect(await coded()).toBe(0);

    await c.page.selectOption('[data-testid=code-all-code]', { label: CODE });
    await c.page.selectOption('[data-testid=code-all-unit]', 'sentence');
    await c.page.click('[data-testid=code-all]');
    await c.page.waitForSelector('[data-testid=code-all-message]:has-text("Coded")');
    const list = await ours();
    expect(list).toHaveLength(expectedHits);
    // Sentences, not only the phrase.
    expect(list.every((s) => s.text.length > PHRASE.length)).toBe(true);
    await eventually(async () => (await coded()) > 0, 15_000, 'the codings to appear in the owner\'s editor');
    await screenshot(o.page, 'search-coded-live');

    await c.page.click('[data-testid=code-all-undo]');
    await c.page.waitForSelector('[data-testid=code-all-message]:has-text("Undone")');
    expect(await ours()).toHaveLength(0);
    await eventually(async () => (await coded()) === 0, 15_000, 'the codings to leave the owner\'s editor');
  });
});
