import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page, type WebSocketRoute } from 'playwright-core';
import { afterEach, beforeEach } from 'vitest';

export const REPO_ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const SCREENSHOTS = path.join(REPO_ROOT, 'artifacts/screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface RunningServer {
  url: string;
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts the real Concord server as a child process on a free port with an
 * empty data directory, serving the built web app (apps/web/dist).
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-e2e-'));
  const webDist = env.CONCORD_WEB_DIST || process.env.CONCORD_WEB_DIST || path.join(REPO_ROOT, 'apps/web/dist');
  const dist = path.join(webDist, 'index.html');
  if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` first (npm run test:e2e does).`);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CONCORD_DATA: dataDir, CONCORD_DEMO: '0', ...env, CONCORD_WEB_DIST: webDist },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = /Concord listening on (http:\/\/[^\s)]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.replace('0.0.0.0', '127.0.0.1'));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    dataDir,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--no-first-run'],
  });
}

export interface TestUser {
  name: string;
  email: string;
  password: string;
}

export function makeUser(name: string): TestUser {
  const slug = name.toLowerCase().replace(/[^a-z]+/g, '.');
  return { name, email: `${slug}.${Math.random().toString(36).slice(2, 7)}@example.org`, password: 'correct horse battery' };
}

/** A signed-in browser context for `user`: signs up through the UI or the API, or logs in. */
export async function userContext(
  browser: Browser,
  base: string,
  user: TestUser,
  opts: { signup: 'ui' | 'api' | 'login'; viewport?: { width: number; height: number } } = { signup: 'api' },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${user.name}] page error:`, e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(m.text())) console.error(`[${user.name}] console:`, m.text());
  });
  if (opts.signup === 'ui') {
    await page.goto(`${base}/signup`);
    await page.fill('input[name=name]', user.name);
    await page.fill('input[name=email]', user.email);
    await page.fill('input[name=password]', user.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('h1:has-text("Your projects")');
  } else if (opts.signup === 'login') {
    const res = await context.request.post(`${base}/api/auth/login`, { data: { email: user.email, password: user.password }, headers: { origin: base } });
    if (res.status() !== 200) throw new Error(`login failed: ${res.status()} ${await res.text()}`);
  } else {
    const res = await context.request.post(`${base}/api/auth/signup`, { data: user, headers: { origin: base } });
    if (res.status() !== 201) throw new Error(`signup failed: ${res.status()} ${await res.text()}`);
  }
  return { context, page };
}

export async function api<T>(context: BrowserContext, base: string, method: string, p: string, data?: unknown): Promise<T> {
  const res = await context.request.fetch(`${base}${p}`, { method, data: data as never, headers: { origin: base } });
  if (res.status() >= 400) throw new Error(`${method} ${p}: ${res.status()} ${await res.text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The CodeMirror content of the transcript. */
export const EDITOR = '[data-testid=transcript-editor] .cm-content';

/**
 * Selects `text` (its `occurrence`-th appearance) in the transcript by dragging
 * the mouse over it, as a researcher would.
 */
export async function selectText(page: Page, text: string, occurrence = 0): Promise<void> {
  const box = await page.evaluate(
    ({ sel, text, occurrence }) => {
      const root = document.querySelector(sel);
      if (!root) throw new Error('no editor');
      // walk text nodes of the rendered lines
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
        acceptNode: (n) => ((n.parentElement?.closest('.cm-line') && !n.parentElement.closest('.cm-widgetBuffer, .cm-ySelectionInfo, .cm-speaker')) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT),
      });
      const nodes: Text[] = [];
      let full = '';
      const starts: number[] = [];
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        starts.push(full.length);
        nodes.push(n as Text);
        full += (n as Text).data;
      }
      let at = -1;
      for (let i = 0; i <= occurrence; i++) {
        at = full.indexOf(text, at + 1);
        if (at < 0) throw new Error(`text not found: ${text}`);
      }
      const locate = (offset: number): [Text, number] => {
        let i = starts.length - 1;
        while (i > 0 && starts[i]! > offset) i--;
        return [nodes[i]!, offset - starts[i]!];
      };
      const [sn, so] = locate(at);
      const [en, eo] = locate(at + text.length);
      const r1 = document.createRange();
      r1.setStart(sn, so);
      r1.setEnd(sn, Math.min(so + 1, sn.data.length));
      const r2 = document.createRange();
      r2.setStart(en, Math.max(0, eo - 1));
      r2.setEnd(en, eo);
      const a = r1.getClientRects()[0] ?? r1.getBoundingClientRect();
      const b = r2.getClientRects()[0] ?? r2.getBoundingClientRect();
      return { x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 0.5, y2: b.top + b.height / 2 };
    },
    { sel: EDITOR, text, occurrence },
  );
  await page.mouse.move(box.x1, box.y1);
  await page.mouse.down();
  await page.mouse.move((box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2, { steps: 3 });
  await page.mouse.move(box.x2, box.y2, { steps: 3 });
  await page.mouse.up();
}

/** Scrolls the transcript so that `text` is in view (CodeMirror renders only what is near the viewport). */
export async function scrollToText(page: Page, text: string): Promise<void> {
  await page.evaluate(
    async ({ sel, text }) => {
      const scroller = document.querySelector(sel)!.closest('.cm-scroller') as HTMLElement;
      for (let i = 0; i < 200; i++) {
        const hit = [...document.querySelectorAll(`${sel} .cm-line`)].find((l) => l.textContent?.includes(text));
        if (hit) {
          hit.scrollIntoView({ block: 'center' });
          await new Promise((r) => setTimeout(r, 50));
          return;
        }
        scroller.scrollTop += scroller.clientHeight * 0.8;
        await new Promise((r) => setTimeout(r, 30));
      }
      throw new Error(`text not in transcript: ${text}`);
    },
    { sel: EDITOR, text },
  );
}

/**
 * Cuts a page off the sync server while the page stays open, the way a lost
 * network does (context.setOffline does not close an open WebSocket): every
 * WebSocket of the page is routed, and going offline closes them and refuses
 * new ones until `online()`.
 */
export async function controllableNetwork(page: Page): Promise<{ offline: () => Promise<void>; online: () => Promise<void> }> {
  let cut = false;
  const open = new Set<WebSocketRoute>();
  await page.routeWebSocket(/\/sync\//, (ws) => {
    if (cut) {
      void ws.close({ code: 4000, reason: 'offline (test)' });
      return;
    }
    const server = ws.connectToServer();
    open.add(ws);
    ws.onMessage((m) => {
      if (!cut) server.send(m);
    });
    server.onMessage((m) => {
      if (!cut) ws.send(m);
    });
    ws.onClose(() => {
      open.delete(ws);
      void server.close();
    });
    server.onClose((code, reason) => {
      open.delete(ws);
      void ws.close({ code, reason });
    });
  });
  return {
    offline: async () => {
      cut = true;
      await Promise.all([...open].map((ws) => ws.close({ code: 4000, reason: 'offline (test)' }).catch(() => undefined)));
      open.clear();
    },
    online: async () => {
      cut = false;
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  // no stale hover card over the text
  await page.mouse.move(640, 4);
  await page.waitForTimeout(150);
  await page.screenshot({ path: file });
  return file;
}

/** Waits until `fn` returns truthy (polling in the test process). */
export async function eventually<T>(fn: () => Promise<T> | T, timeout = 10_000, label = 'condition'): Promise<T> {
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${label}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A project owned by `owner` with one transcript (imported through the API)
 * and the given members; returns the ids and the transcript's URL.
 */
export async function projectWithTranscript(
  owner: BrowserContext,
  base: string,
  opts: { name: string; transcriptFile: string; members?: { email: string; role: 'coder' | 'commenter' | 'viewer' }[] },
): Promise<{ pid: string; tid: string; url: string }> {
  const { id: pid } = await api<{ id: string }>(owner, base, 'POST', '/api/projects', { name: opts.name });
  const text = fs.readFileSync(opts.transcriptFile, 'utf8');
  const up = await api<{ transcripts: { id: string }[] }>(owner, base, 'POST', `/api/projects/${pid}/transcripts`, { name: path.basename(opts.transcriptFile), text });
  const tid = up.transcripts[0]!.id;
  for (const m of opts.members ?? []) await api(owner, base, 'POST', `/api/projects/${pid}/members`, m);
  return { pid, tid, url: `${base}/projects/${pid}/transcripts/${tid}` };
}

/** Opens a transcript page and waits until it is synced and shows its text. */
export async function openTranscriptAt(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector(EDITOR);
  await eventually(async () => (await page.locator('[data-testid=connection]').getAttribute('data-status')) === 'synced', 15_000, 'synced');
  await eventually(async () => (await page.locator(`${EDITOR} .cm-line`).count()) > 5, 10_000, 'transcript lines');
}

/**
 * For a describe block whose steps build on each other: after a failing step,
 * screenshots of the given pages (`failure-<prefix>-<who>.png`) and the rest skipped.
 */
export function stepByStep(prefix: string, pages: () => [string, Page | undefined][]): void {
  let broken = false;
  beforeEach((ctx) => {
    if (broken) ctx.skip();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    broken = true;
    for (const [who, page] of pages()) {
      if (page && !page.isClosed()) await screenshot(page, `failure-${prefix}-${who}`).catch(() => undefined);
    }
  });
}

/** Selects `quote` in the transcript and applies `codeName` through the code picker (creating it if new). */
export async function codeSelection(page: Page, quote: string, codeName: string): Promise<void> {
  await scrollToText(page, quote);
  await selectText(page, quote);
  await page.keyboard.press('c');
  await page.waitForSelector('[data-testid=code-picker]');
  await page.keyboard.type(codeName);
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=code-picker]', { state: 'detached' });
}

/** Records a decision in the reconciliation session's panel. */
export async function decide(page: Page, action: string, comment = ''): Promise<void> {
  if (comment) await page.fill('[data-testid=decision-comment]', comment);
  await page.click(`[data-testid=decision-panel] button[data-action="${action}"]`);
}
