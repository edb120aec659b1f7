import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  EDITOR, REPO_ROOT, launchBrowser, makeUser, openTranscriptAt, projectWithTranscript, screenshot, scrollToText, selectText,
  startServer, stepByStep, userContext, type RunningServer, type TestUser,
} from './harness.ts';

/**
 * Reloading while offline: the service worker serves the app shell, the
 * transcript opens from IndexedDB, codings made then reach the others when the
 * network returns. Also: a new build's worker replaces the old one and its files.
 *
 * The server serves a private copy of the build, so the test can "deploy" a
 * changed build under the open page.
 */
const SEED = path.join(REPO_ROOT, 'seeds/002_d7997d699528739a.txt');
const QUOTE = 'so I am pretty new there';
const QUOTE_2 = 'I officially started about two months ago';

let server: RunningServer;
let browser: Browser;
let dist = '';
const A: TestUser = makeUser('Ada Okafor');
const B: TestUser = makeUser('Ben Lindqvist');
let a: { context: BrowserContext; page: Page };
let b: { context: BrowserContext; page: Page };
let url = '';
let pid = '';

const connection = (page: Page) => page.locator('[data-testid=connection]');
const status = (page: Page) => connection(page).getAttribute('data-status');

const openTranscript = (page: Page): Promise<void> => openTranscriptAt(page, url);

/**
 * The build id of the worker in charge of the page, or 'no answer' within 2 s: a
 * worker being replaced may drop the question, and a hanging call would stall a poll.
 */
async function workerBuild(page: Page): Promise<string> {
  return page.evaluate(() => {
    const ask = (async () => {
      const reg = await navigator.serviceWorker.ready;
      const channel = new MessageChannel();
      const answer = new Promise<string>((resolve) => {
        channel.port1.onmessage = (e: MessageEvent<{ build: string }>) => resolve(e.data.build);
      });
      reg.active!.postMessage({ type: 'concord:version' }, [channel.port2]);
      return answer;
    })();
    return Promise.race([ask, new Promise<string>((resolve) => setTimeout(() => resolve('no answer'), 2000))]);
  });
}

/** Every URL path in the page's Cache Storage. */
async function cachedPaths(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const out: string[] = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) out.push(new URL(req.url).pathname);
    }
    return out.sort();
  });
}

describe('working offline across a reload', () => {
  beforeAll(async () => {
    // a private copy of the build (without source maps) that the test may change
    const from = process.env.CONCORD_WEB_DIST || path.join(REPO_ROOT, 'apps/web/dist');
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-e2e-dist-'));
    fs.cpSync(from, dist, { recursive: true, filter: (src) => !src.endsWith('.map') });
    if (!fs.existsSync(path.join(dist, 'sw.js'))) throw new Error(`${from} has no sw.js: build the web app first`);
    server = await startServer({ CONCORD_WEB_DIST: dist });
    browser = await launchBrowser();
    b = await userContext(browser, server.url, B, { signup: 'api' });
    a = await userContext(browser, server.url, A, { signup: 'api' });
    ({ url, pid } = await projectWithTranscript(a.context, server.url, {
      name: 'On the train',
      transcriptFile: SEED,
      members: [{ email: B.email, role: 'coder' }],
    }));
  });

  stepByStep('offline', () => [['A', a?.page], ['B', b?.page]]);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dist) fs.rmSync(dist, { recursive: true, force: true });
  });

  it('A opens the transcript online; the app shell is precached, never the API', async () => {
    await openTranscript(a.page);
    await openTranscript(b.page);
    expect(await workerBuild(a.page)).toMatch(/^[0-9a-f]{8}$/);
    const paths = await cachedPaths(a.page);
    expect(paths).toContain('/index.html');
    expect(paths.some((p) => /^\/assets\/index-.*\.js$/.test(p))).toBe(true);
    expect(paths.some((p) => /^\/assets\/.*\.css$/.test(p))).toBe(true);
    expect(paths.filter((p) => /^\/(api|sync)\//.test(p))).toEqual([]);
  });

  it('A goes offline and reloads: the transcript opens from this browser, with the offline badge', async () => {
    await a.context.setOffline(true);
    await a.page.reload();
    await a.page.waitForSelector(EDITOR, { timeout: 15_000 });
    await expect.poll(() => a.page.locator(`${EDITOR} .cm-line`).count(), { timeout: 15_000 }).toBeGreaterThan(5);
    await expect.poll(() => status(a.page), { timeout: 15_000 }).toBe('offline');
    // the API really is out of reach
    expect(await a.page.evaluate(() => fetch('/api/me').then(() => 'answered', () => 'failed'))).toBe('failed');
    // the project's name comes from the last visit
    expect(await a.page.locator('.crumb-link').textContent()).toBe('On the train');
  });

  it('A codes while offline; the badge counts the change; B does not see it yet', async () => {
    await scrollToText(a.page, QUOTE);
    await selectText(a.page, QUOTE);
    await a.page.keyboard.press('c');
    await a.page.waitForSelector('[data-testid=code-picker]');
    await a.page.keyboard.type('Newcomer');
    await a.page.keyboard.press('Enter');
    await a.page.waitForSelector(`${EDITOR} .cm-coding:has-text("pretty new")`);
    await expect.poll(async () => Number(await connection(a.page).getAttribute('data-pending')), { timeout: 5000 }).toBeGreaterThan(0);
    expect(await connection(a.page).textContent()).toMatch(/Offline · \d+ changes? kept on this device/);
    await screenshot(a.page, 'offline-01-reloaded-offline-with-pending');
    await new Promise((r) => setTimeout(r, 800));
    expect(await b.page.locator('.codebook [data-code-name="Newcomer"]').count()).toBe(0);
  });

  it('the network returns: A syncs and B sees the coding', async () => {
    await a.context.setOffline(false);
    await expect.poll(() => status(a.page), { timeout: 20_000 }).toBe('synced');
    expect(await connection(a.page).getAttribute('data-pending')).toBe('0');
    await b.page.waitForSelector('.codebook [data-code-name="Newcomer"]', { timeout: 10_000 });
    await scrollToText(b.page, QUOTE);
    await b.page.waitForSelector(`${EDITOR} .cm-coding:has-text("pretty new")`, { timeout: 10_000 });
  });

  it('offline, the project page opens from the last visit too, and the transcript from there', async () => {
    await a.page.goto(`${server.url}/projects/${pid}`);
    await a.page.waitForSelector('.trow');
    await a.context.setOffline(true);
    await a.page.reload();
    await a.page.waitForSelector('[data-testid=offline-note]', { timeout: 15_000 });
    await a.page.click('.trow');
    await expect.poll(() => a.page.locator(`${EDITOR} .cm-line`).count(), { timeout: 15_000 }).toBeGreaterThan(5);
    await expect.poll(() => status(a.page), { timeout: 15_000 }).toBe('offline');
    await a.context.setOffline(false);
    await expect.poll(() => status(a.page), { timeout: 20_000 }).toBe('synced');
  });

  it('a new build: its worker takes over on the next load and the old files leave the cache', async () => {
    await expect.poll(() => workerBuild(a.page), { timeout: 20_000 }).not.toBe('no answer');
    const before = await workerBuild(a.page);
    expect(before).not.toBe('no answer');
    const oldPaths = await cachedPaths(a.page);
    // "deploy" a build whose index.html and main script changed
    const assets = path.join(dist, 'assets');
    const oldJs = fs.readdirSync(assets).find((f) => /^index-.*\.js$/.test(f))!;
    const newJs = oldJs.replace(/^index-/, 'index-next');
    fs.renameSync(path.join(assets, oldJs), path.join(assets, newJs));
    fs.appendFileSync(path.join(assets, newJs), '\n;document.documentElement.dataset.build = "next";\n');
    const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8').replace(oldJs, newJs);
    fs.writeFileSync(path.join(dist, 'index.html'), html);
    const sw = fs.readFileSync(path.join(dist, 'sw.js'), 'utf8');
    const revision = /url:"\/index\.html",revision:"([0-9a-f]+)"/.exec(sw)?.[1];
    expect(revision).toBeTruthy();
    fs.writeFileSync(path.join(dist, 'sw.js'), sw.replaceAll(oldJs, newJs).replace(revision!, 'next0000000000000000').replaceAll(`"${before}"`, '"0next000"'));

    // this load still runs the old build (from the cache) and finds the new worker
    await a.page.reload();
    await a.page.waitForSelector(EDITOR);
    // ask for the update at every poll: one check can miss under load (seen once in a loaded full run)
    await expect.poll(async () => {
      await a.page.evaluate(async () => { await (await navigator.serviceWorker.getRegistration())?.update().catch(() => undefined); });
      return workerBuild(a.page);
    }, { timeout: 30_000, interval: 1_000 }).toBe('0next000');
    // the next load is the new build, and only its files are cached
    await a.page.reload();
    await a.page.waitForSelector(EDITOR);
    expect(await a.page.evaluate(() => document.documentElement.dataset.build)).toBe('next');
    const paths = await cachedPaths(a.page);
    expect(paths).toContain(`/assets/${newJs}`);
    expect(paths).not.toContain(`/assets/${oldJs}`);
    expect(paths.length).toBe(oldPaths.length);
    expect(await a.page.evaluate(async () => (await caches.keys()).length)).toBe(1);
    await expect.poll(() => status(a.page), { timeout: 15_000 }).toBe('synced');
  });
});
