/**
 * Browser benchmark of the coding view (not a test): a transcript with 2,000
 * codings and 300 comment anchors, opened in Debian's Chromium against the real
 * server. Measures, over repeated runs:
 *
 *   - time to interactive: navigation start → text, all codings and the coding
 *     margin drawn; and → moreover every room synced and the comment anchors
 *     drawn (cold: empty browser profile; warm: the same profile again, with
 *     the IndexedDB copy);
 *   - time to apply one code: Enter in the code picker → the new coding drawn
 *     in the text and the margin; and the same with the recent-code key `1`;
 *   - another person's coding: its update arriving on the transcript's socket →
 *     its stripe drawn.
 *
 * Writes medians to bench/results/browser-<date>-<codings>.md.
 *
 *   npm run bench:browser -w @concord/web [-- --runs 7 --codings 2000 --comments 300]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import type { Browser, Page } from 'playwright-core';
import { CodebookDoc, CommentsDoc, TranscriptDoc, codebookRoom, commentsRoom, transcriptRoom } from '@concord/shared';
import { EDITOR, REPO_ROOT, launchBrowser, makeUser, scrollToText, selectText, startServer } from '../e2e/harness.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const RUNS = arg('runs', 7);
const CODINGS = arg('codings', 2000);
const COMMENTS = arg('comments', 300);
const CODES = 40;
const SEED = path.join(REPO_ROOT, 'seeds/004_621386b82d94f645.txt');

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

/** Deterministic pseudo-random numbers so every run of the benchmark codes the same spans. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function connect(base: string, room: string, token: string): Promise<{ doc: Y.Doc; provider: WebsocketProvider }> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${base.replace(/^http/, 'ws')}/sync`, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: { token },
    disableBc: true,
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no sync for ${room}`)), 20_000);
    provider.once('sync', () => {
      clearTimeout(t);
      resolve();
    });
  });
  return { doc, provider };
}

/** Waits until the server acknowledged everything (a second connection sees it). */
async function settle(provider: WebsocketProvider): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ws = provider.ws as unknown as { bufferedAmount?: number } | null;
    if (!ws || !ws.bufferedAmount) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 500));
}

export async function seed(
  base: string,
): Promise<{ pid: string; tid: string; cookie: string; codeNames: string[]; codeIds: string[]; token: string; otherCoder: string }> {
  const user = makeUser('Bench Researcher');
  const json = async <T>(method: string, p: string, body: unknown, cookie = ''): Promise<{ data: T; cookie: string }> => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { 'content-type': 'application/json', origin: base, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
    if (res.status >= 400) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    const set = res.headers.get('set-cookie');
    return { data: (await res.json()) as T, cookie: set ? set.split(';')[0]! : cookie };
  };
  const { cookie, data: me } = await json<{ user: { id: string } }>('POST', '/api/auth/signup', user);
  // two more coders, so the codings come from three people as in a real team
  const others: { id: string; email: string }[] = [];
  for (const name of ['Second Coder', 'Third Coder']) {
    const u = makeUser(name);
    const { data } = await json<{ user: { id: string } }>('POST', '/api/auth/signup', u);
    others.push({ id: data.user.id, email: u.email });
  }
  const { data: token } = await json<{ token: string }>('POST', '/api/tokens', { name: 'bench' }, cookie);
  const { data: project } = await json<{ id: string }>('POST', '/api/projects', { name: 'Benchmark' }, cookie);
  const text = fs.readFileSync(SEED, 'utf8');
  const { data: imported } = await json<{ transcripts: { id: string }[] }>(
    'POST', `/api/projects/${project.id}/transcripts`, { name: 'Interview 16 (benchmark)', text }, cookie,
  );
  const pid = project.id;
  const tid = imported.transcripts[0]!.id;
  for (const o of others) await json('POST', `/api/projects/${pid}/members`, { email: o.email, role: 'coder' }, cookie);

  // codebook: CODES codes in a two-level tree
  const cb = await connect(base, codebookRoom(pid), token.token);
  const book = new CodebookDoc(cb.doc);
  const codeIds: string[] = [];
  const codeNames: string[] = [];
  cb.doc.transact(() => {
    let parent: string | null = null;
    for (let i = 0; i < CODES; i++) {
      const name = `Code ${String(i + 1).padStart(2, '0')} ${['data', 'model', 'process', 'people', 'tools'][i % 5]}`;
      const id = book.createCode({ name, parentId: i % 8 === 0 ? null : parent, abbreviation: i % 3 === 0 ? `C${i + 1}` : null });
      if (i % 8 === 0) parent = id;
      codeIds.push(id);
      codeNames.push(name);
    }
  });

  // transcript: CODINGS codings by three coders over the whole text
  const tr = await connect(base, transcriptRoom(pid, tid), token.token);
  const td = new TranscriptDoc(tr.doc);
  const body = td.body.toString();
  const rand = rng(42);
  const coders = [me.user.id, ...others.map((o) => o.id)];
  // one update (10,000 codings are about 1.8 MB, under the 2 MiB frame limit; several quick
  // updates of that size would exceed the server's per-connection time budget instead)
  tr.doc.transact(() => {
    for (let i = 0; i < CODINGS; i++) {
      const start = Math.floor(rand() * (body.length - 400));
      const end = Math.min(body.length, start + 20 + Math.floor(rand() * 380));
      td.addCoding(td.codings, { codeId: codeIds[Math.floor(rand() * codeIds.length)]!, coderId: coders[i % 3]!, start, end });
    }
  });

  // comments: COMMENTS threads anchored to the text
  const cm = await connect(base, commentsRoom(pid, tid), token.token);
  const comments = new CommentsDoc(cm.doc);
  cm.doc.transact(() => {
    for (let i = 0; i < COMMENTS; i++) {
      const start = Math.floor(rand() * (body.length - 200));
      comments.createThread(tr.doc, { start, end: start + 10 + Math.floor(rand() * 150), authorId: me.user.id, body: `Comment ${i + 1}: is this the same issue as before?` });
    }
  });

  await Promise.all([settle(cb.provider), settle(tr.provider), settle(cm.provider)]);
  // check that the server has it all
  // (large seeds take the server a while to check and store: ask again for up to a minute)
  let check = await connect(base, transcriptRoom(pid, tid), token.token);
  for (let i = 0; i < 60 && new TranscriptDoc(check.doc).codings.size < CODINGS; i++) {
    check.provider.destroy();
    await new Promise((r) => setTimeout(r, 1000));
    check = await connect(base, transcriptRoom(pid, tid), token.token);
  }
  const n = new TranscriptDoc(check.doc).codings.size;
  if (n < CODINGS) throw new Error(`server has ${n} codings, expected ${CODINGS}`);
  for (const c of [cb, tr, cm, check]) {
    c.provider.destroy();
    c.doc.destroy();
  }

  const login = await json('POST', '/api/auth/login', { email: user.email, password: user.password });
  return { pid, tid, cookie: login.cookie, codeNames, codeIds, token: token.token, otherCoder: others[0]!.id };
}

/**
 * In-page probes (ms since navigation start): `content` when the text, the coding
 * highlights and the coding margin are drawn (from the server or the local copy);
 * `synced` when moreover the connection is synced and the comment anchors are drawn.
 */
const READY_PROBE = `(() => {
  const done = {};
  window.__benchReady = new Promise((resolve) => {
    const check = () => {
      const drawn = document.querySelectorAll('${EDITOR} .cm-coding').length > 0 && document.querySelectorAll('.cm-stripe').length > 0;
      if (drawn && done.content === undefined) done.content = performance.now();
      const conn = document.querySelector('[data-testid=connection]');
      if (drawn && conn && conn.getAttribute('data-status') === 'synced' && document.querySelectorAll('${EDITOR} .cm-thread').length > 0) {
        done.synced = performance.now();
        resolve(done);
      } else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
})()`;

/** Notes when the last frame arrived on the transcript's own socket (not its comments or layers). */
const SOCKET_PROBE = `(() => {
  const Native = WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (/\\/transcripts\\/[^/?]+(\\?|$)/.test(String(url))) this.addEventListener('message', () => { window.__transcriptFrameAt = performance.now(); });
    }
  };
})()`;

/** Arms an in-page timer for another person's coding: the frame bringing it → one more stripe drawn. */
async function armRemoteTimer(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __remoteMs: Promise<number>; __transcriptFrameAt?: number };
    const before = document.querySelectorAll('.cm-stripe').length;
    const armedAt = performance.now();
    w.__remoteMs = new Promise((resolve) => {
      // not drawn within 10 s (e.g. the words were not found): no figure rather than a hang
      setTimeout(() => resolve(Number.NaN), 10_000);
      const check = (): void => {
        const at = w.__transcriptFrameAt ?? 0;
        if (at > armedAt && document.querySelectorAll('.cm-stripe').length > before) resolve(performance.now() - at);
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
  });
}

/** Another coder (a script) codes words in view; returns ms from their frame's arrival to their stripe drawn. */
async function remoteOnce(page: Page, remote: { td: TranscriptDoc; doc: Y.Doc; codeId: string; coderId: string }, fraction: number): Promise<number> {
  const words = await phraseAt(page, fraction);
  await scrollToText(page, words);
  const body = remote.td.body.toString();
  const start = Math.max(0, body.indexOf(words), body.indexOf(words.split(' ').slice(0, 2).join(' ')));
  await armRemoteTimer(page);
  remote.doc.transact(() => {
    remote.td.addCoding(remote.td.codings, { codeId: remote.codeId, coderId: remote.coderId, start, end: start + Math.max(words.length, 10) });
  });
  return page.evaluate(() => (window as unknown as { __remoteMs: Promise<number> }).__remoteMs);
}

async function timeToInteractive(page: Page, url: string): Promise<{ content: number; synced: number }> {
  await page.goto(url);
  return page.evaluate(() => (window as unknown as { __benchReady: Promise<{ content: number; synced: number }> }).__benchReady);
}

/** Arms an in-page timer: starts at the next Enter/digit keydown, stops when one more coding stripe is drawn. */
async function armApplyTimer(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __applyMs: Promise<number> };
    w.__applyMs = new Promise((resolve) => {
      const onKey = (e: KeyboardEvent): void => {
        if (e.key !== 'Enter' && !/^[1-9]$/.test(e.key)) return;
        removeEventListener('keydown', onKey, true);
        const t0 = performance.now();
        const before = document.querySelectorAll('.cm-stripe').length;
        const check = (): void => {
          if (document.querySelectorAll('.cm-stripe').length > before) resolve(performance.now() - t0);
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      };
      addEventListener('keydown', onKey, true);
    });
  });
}

/** Words at the start of a long paragraph about `fraction` of the way down the transcript. */
async function phraseAt(page: Page, fraction: number): Promise<string> {
  return page.evaluate(
    async ({ sel, fraction }) => {
      const scroller = document.querySelector(sel)!.closest('.cm-scroller') as HTMLElement;
      scroller.scrollTop = (scroller.scrollHeight - scroller.clientHeight) * fraction;
      await new Promise((r) => setTimeout(r, 200));
      const box = scroller.getBoundingClientRect();
      const line = [...document.querySelectorAll(`${sel} .cm-line`)].find((l) => {
        const r = l.getBoundingClientRect();
        return r.top > box.top + 60 && r.bottom < box.bottom - 60 && (l.textContent ?? '').length > 80;
      });
      const words = (line?.textContent ?? '').replace(/\u2060/g, '').split(/\s+/).filter(Boolean).slice(1, 6).join(' ');
      return words;
    },
    { sel: EDITOR, fraction },
  );
}

async function applyOnce(page: Page, fraction: number, via: 'picker' | 'key', codeName: string): Promise<number> {
  const words = await phraseAt(page, fraction);
  await scrollToText(page, words);
  await selectText(page, words);
  await armApplyTimer(page);
  if (via === 'picker') {
    await page.keyboard.press('c');
    await page.waitForSelector('[data-testid=code-picker]');
    await page.keyboard.type(codeName);
    await page.keyboard.press('Enter');
  } else {
    await page.keyboard.press('1');
  }
  return page.evaluate(() => (window as unknown as { __applyMs: Promise<number> }).__applyMs);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const fmt = (ms: number): string => `${Math.round(ms)} ms`;

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    log('benchmark timed out after 20 minutes');
    process.exit(2);
  }, 20 * 60_000);
  watchdog.unref();
  if (!fs.existsSync(path.join(REPO_ROOT, 'apps/web/dist/index.html')) || args.includes('--build')) {
    log('building the web app…');
    execFileSync('npm', ['run', 'build', '-w', '@concord/web'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  log('starting the server…');
  const server = await startServer({ CONCORD_LOG: 'silent' });
  let browser: Browser | null = null;
  try {
    log(`seeding ${CODINGS} codings and ${COMMENTS} comment anchors…`);
    const { pid, tid, cookie, codeNames, codeIds, token, otherCoder } = await seed(server.url);
    const other = await connect(server.url, transcriptRoom(pid, tid), token);
    const remote = { doc: other.doc, td: new TranscriptDoc(other.doc), codeId: codeIds[3]!, coderId: otherCoder };
    const url = `${server.url}/projects/${pid}/transcripts/${tid}`;
    browser = await launchBrowser();
    const version = browser.version();
    const [name, value] = cookie.split('=') as [string, string];
    const host = new URL(server.url).hostname;

    const coldContent: number[] = [];
    const coldSynced: number[] = [];
    const warmContent: number[] = [];
    const warmSynced: number[] = [];
    const pick: number[] = [];
    const key: number[] = [];
    const remoteDrawn: number[] = [];
    const body = fs.readFileSync(SEED, 'utf8');
    const loads: number[] = [];
    const coldResolved: number[] = [];
    const warmResolved: number[] = [];

    for (let run = 0; run <= RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addCookies([{ name, value, domain: host, path: '/', httpOnly: true, sameSite: 'Lax' }]);
      // tsx (esbuild keepNames) wraps functions given to page.evaluate in __name()
      await context.addInitScript('globalThis.__name = (f) => f;');
      await context.addInitScript(READY_PROBE);
      await context.addInitScript(SOCKET_PROBE);
      const page = await context.newPage();
      loads.push(os.loadavg()[0]!);
      const c = await timeToInteractive(page, url);
      const coldMarks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, m.startTime] as const));
      for (const [mname, t] of coldMarks) if (mname === 'concord:codings-resolved') coldResolved.push(t);
      await page.waitForTimeout(300);
      // a different place of the transcript in every run
      const p = await applyOnce(page, (0.1 + run * 0.09) % 0.95, 'picker', codeNames[run % codeNames.length]!);
      const k = await applyOnce(page, (0.15 + run * 0.09) % 0.95, 'key', '');
      const r = await remoteOnce(page, remote, (0.2 + run * 0.09) % 0.95);
      if (Number.isNaN(r)) log(`run ${run}: another person's coding was not drawn within 10 s`);
      await page.waitForTimeout(500);
      // warm: the same profile again later (IndexedDB copy present)
      await page.close();
      await new Promise((r) => setTimeout(r, 1000));
      const page2 = await context.newPage();
      const w = await timeToInteractive(page2, url);
      const marks = await page2.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, m.startTime] as const));
      for (const [mname, t] of marks) if (mname === 'concord:codings-resolved') warmResolved.push(t);
      await context.close();
      const line = `cold ${fmt(c.content)} / ${fmt(c.synced)}, warm ${fmt(w.content)} / ${fmt(w.synced)}, apply (picker) ${fmt(p)}, apply (key 1) ${fmt(k)}, remote coding ${fmt(r)}`;
      if (run === 0) {
        log(`warm-up: ${line}`);
        continue;
      }
      coldContent.push(c.content);
      coldSynced.push(c.synced);
      warmContent.push(w.content);
      warmSynced.push(w.synced);
      pick.push(p);
      key.push(k);
      if (!Number.isNaN(r)) remoteDrawn.push(r);
      log(`run ${run}/${RUNS}: ${line}`);
    }

    const date = new Date().toISOString().slice(0, 10);
    const out = path.join(HERE, 'results', `browser-${date}-${CODINGS}${args.includes('--label') ? `-${args[args.indexOf('--label') + 1]}` : ''}.md`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const row = (label: string, xs: number[]): string =>
      `| ${label} | ${fmt(median(xs))} | ${fmt(Math.min(...xs))} | ${fmt(Math.max(...xs))} | ${xs.map((x) => Math.round(x)).join(', ')} |`;
    const md = `# Browser benchmark — coding view (${date})

Transcript \`${path.basename(SEED)}\` (${body.length.toLocaleString('en')} characters) with **${CODINGS.toLocaleString('en')} codings**
(${CODES} codes, three coders) and **${COMMENTS} comment anchors**, opened in Chromium ${version} (headless,
1440×900) against the real server on localhost. ${RUNS} measured runs after one warm-up; each run uses a
fresh browser profile.

| measure | median | min | max | runs (ms) |
| --- | --- | --- | --- | --- |
${row('Time to interactive, cold: transcript and codings drawn', coldContent)}
${row('Time to interactive, cold: synced, comments drawn', coldSynced)}
${row('Time to interactive, warm (IndexedDB copy): transcript and codings drawn', warmContent)}
${row('Time to interactive, warm: synced, comments drawn', warmSynced)}
${row('… of which: codings resolved from the server (cold)', coldResolved.slice(1))}
${row('… of which: codings resolved from IndexedDB (warm)', warmResolved.slice(1))}
${row('Apply one code (picker: Enter → drawn)', pick)}
${row('Apply one code (recent key 1 → drawn)', key)}
${row('Another person’s coding (its frame arrives → drawn)', remoteDrawn)}

- *Time to interactive*: navigation start until the transcript text, the coding highlights and the
  coding margin are drawn (the page can be read and coded from then on); *synced* moreover waits
  for every room (transcript, comments, codebook) to be synced with the server and the comment
  anchors to be drawn. *Cold*: empty browser profile; *warm*: the same profile again, with the
  IndexedDB copy of the rooms.
- *Apply one code*: the keydown that applies the code until the new coding's stripe is drawn
  (the Yjs update, re-resolving all ${CODINGS.toLocaleString('en')} codings, redecorating the text and the margin).

Load average during the runs (1 min): ${loads.map((l) => l.toFixed(1)).join(', ')} on ${os.cpus().length} cores —
other work on the machine inflates the figures.

Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}, ${os.platform()} ${os.release()}.
Command: \`npm run bench:browser -w @concord/web -- --runs ${RUNS} --codings ${CODINGS} --comments ${COMMENTS}\`.
`;
    fs.writeFileSync(out, md);
    process.stdout.write(md);
    log(`\nwritten to ${path.relative(REPO_ROOT, out)}`);
    other.provider.destroy();
  } finally {
    await browser?.close();
    await server.stop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    // open handles (the seeding providers' sockets) must not keep the process alive
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
