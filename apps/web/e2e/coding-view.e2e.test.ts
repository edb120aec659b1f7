import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  EDITOR, REPO_ROOT, api, eventually, launchBrowser, makeUser, openTranscriptAt, projectWithTranscript, screenshot, scrollToText,
  selectText, startServer, userContext, type RunningServer, type TestUser,
} from './harness.ts';

/**
 * Issue 15: the coding view as two new users find it (A owner, B coder) at
 * 1440 × 900 and 800 px — each test is one bug that was reported, and the
 * accessibility sweep (axe-core) over every page.
 */
const SEED = path.join(REPO_ROOT, 'seeds/002_d7997d699528739a.txt');
const QUOTES = [
  'Any issue you have encountered while building ML system',
  'so I am pretty new there',
  'guide future work on improving the quality system',
  'I officially started about two months ago',
  'we are building a recommender system actually',
];
/** Commented on, then corrected (“machine learning stuff” → “ML stuff”). */
const COMMENTED = 'doing some machine learning stuff for about like six months';
const LONG_CODES = ['Alpha security concerns', 'Bravo evaluation practices', 'Charlie team communication', 'Delta tooling gaps', 'Echo requirement issues'];
const PICKER = '[data-testid=code-picker]';

let server: RunningServer;
let browser: Browser;
const A: TestUser = makeUser('Ada Okafor');
const B: TestUser = makeUser('Ben Lindqvist');
let a: { context: BrowserContext; page: Page };
let b: { context: BrowserContext; page: Page };
let pid = '';
let tid = '';
let url = '';

async function codeWith(page: Page, quote: string, codeName: string): Promise<void> {
  await scrollToText(page, quote);
  await selectText(page, quote);
  await page.keyboard.press('c');
  await page.waitForSelector(PICKER);
  await page.keyboard.type(codeName);
  await page.keyboard.press('Enter');
  await page.waitForSelector(PICKER, { state: 'detached' });
}

/** Clicks the middle of `text` in the transcript (a single click, no drag). */
async function clickText(page: Page, text: string): Promise<void> {
  const p = await page.evaluate(
    ({ sel, text }) => {
      const root = document.querySelector(sel)!;
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = (n as Text).data.indexOf(text);
        if (i < 0) continue;
        const r = document.createRange();
        r.setStart(n, i + Math.floor(text.length / 2));
        r.setEnd(n, i + Math.floor(text.length / 2) + 1);
        const b = r.getBoundingClientRect();
        return { x: b.left, y: b.top + b.height / 2 };
      }
      throw new Error(`not found: ${text}`);
    },
    { sel: EDITOR, text },
  );
  await page.mouse.click(p.x, p.y);
}

const bg = (page: Page, selector: string): Promise<string> =>
  page.locator(selector).first().evaluate((el) => getComputedStyle(el).backgroundColor);

/** Runs axe-core on the page; returns the serious and critical violations. */
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol, not as an inline <script>: the app's CSP (script-src 'self') refuses those.
  await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  return found;
}

describe('the coding view, as two new users find it', () => {
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    b = await userContext(browser, server.url, B, { signup: 'api' });
    a = await userContext(browser, server.url, A, { signup: 'api' });
    ({ pid, tid, url } = await projectWithTranscript(a.context, server.url, {
      name: 'Coding view',
      transcriptFile: SEED,
      members: [{ email: B.email, role: 'coder' }],
    }));
    await openTranscriptAt(a.page, url);
    await openTranscriptAt(b.page, url);
    await codeWith(a.page, QUOTES[0]!, LONG_CODES[0]!);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('Edit text mode: clicking into coded words places the caret and typing goes on (no coding card)', async () => {
    await openTranscriptAt(a.page, url);
    await scrollToText(a.page, QUOTES[0]!);
    await a.page.click(EDITOR);
    await a.page.keyboard.press('Escape');
    await a.page.keyboard.press('e');
    await a.page.waitForSelector(`${EDITOR}[data-mode=editing]`);
    await clickText(a.page, 'encountered');
    await a.page.keyboard.type('QQ');
    await expect.poll(() => a.page.locator(EDITOR).textContent(), { timeout: 5000 }).toContain('QQ');
    expect(await a.page.locator('[data-testid=coding-card]').count()).toBe(0);
    // undo the typing (own text edits undo with Ctrl+Z) and go back to coding
    await a.page.keyboard.press('Control+z');
    await expect.poll(() => a.page.locator(EDITOR).textContent()).not.toContain('QQ');
    await a.page.keyboard.press('Escape');
  });

  it('"?" opens the shortcut list while the caret is in the transcript', async () => {
    await openTranscriptAt(a.page, url);
    await clickText(a.page, 'pretty new');
    await a.page.keyboard.press('?');
    await a.page.waitForSelector('[role=dialog][aria-label="Keyboard shortcuts"]', { timeout: 3000 });
    await a.page.keyboard.press('Escape');
  });

  it('the badge says offline as soon as the network drops, and counts every change made meanwhile', async () => {
    await openTranscriptAt(b.page, url);
    const badge = b.page.locator('[data-testid=connection]');
    await b.context.setOffline(true);
    try {
      await expect.poll(() => badge.getAttribute('data-status'), { timeout: 5000 }).toBe('offline');
      await codeWith(b.page, QUOTES[1]!, LONG_CODES[0]!);
      await codeWith(b.page, QUOTES[2]!, LONG_CODES[0]!);
      await expect.poll(() => badge.getAttribute('data-pending'), { timeout: 3000 }).toBe('2');
      expect(await badge.textContent()).toContain('2 changes kept');
    } finally {
      await b.context.setOffline(false);
    }
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 20_000 }).toBe('synced');
    // A gets B's offline codings once B is back
    await scrollToText(a.page, QUOTES[2]!);
    await eventually(async () => (await a.page.locator(`${EDITOR} .cm-coding:has-text("improving the quality")`).count()) > 0, 15_000, 'B’s coding at A');
  });

  it('a comment card shows the corrected words after a correction, also after reloading', async () => {
    await openTranscriptAt(a.page, url);
    await scrollToText(a.page, COMMENTED);
    await selectText(a.page, COMMENTED);
    await a.page.keyboard.press('m');
    await a.page.locator('[data-testid=thread-composer] textarea').fill('When exactly?');
    await a.page.click('[data-testid=thread-composer-submit]');
    const card = a.page.locator('[data-testid=thread]', { hasText: 'When exactly?' });
    await card.waitFor();
    expect(await card.locator('.quote').textContent()).toContain('like six months');
    // correct "two" → "three" in Edit text mode
    await a.page.click(EDITOR);
    await a.page.keyboard.press('Escape');
    await a.page.keyboard.press('e');
    await a.page.waitForSelector(`${EDITOR}[data-mode=editing]`);
    await selectText(a.page, 'machine learning stuff for');
    await a.page.keyboard.type('ML stuff for');
    await a.page.keyboard.press('Escape');
    await expect.poll(() => card.locator('.quote').textContent(), { timeout: 5000 }).toContain('doing some ML stuff for about like six months');
    await openTranscriptAt(a.page, url);
    const again = a.page.locator('[data-testid=thread]', { hasText: 'When exactly?' });
    await again.waitFor();
    await expect.poll(() => again.locator('.quote').textContent(), { timeout: 5000 }).toContain('doing some ML stuff for about like six months');
  });

  it('Resolve is on every open thread, not only the active one', async () => {
    await openTranscriptAt(a.page, url);
    const threads = a.page.locator('[data-testid=thread][data-resolved=false]');
    await threads.first().waitFor();
    await a.page.keyboard.press('Escape');
    expect(await a.page.locator('[data-testid=resolve-thread]').count()).toBe(await threads.count());
    expect(await a.page.locator('[data-testid=resolve-thread]').first().isVisible()).toBe(true);
  });

  it('recent-code chips show whole names (or are left out), never one letter', async () => {
    await openTranscriptAt(a.page, url);
    for (let i = 1; i < LONG_CODES.length; i++) await codeWith(a.page, QUOTES[i]!, LONG_CODES[i]!);
    await selectText(a.page, QUOTES[4]!);
    const chips = await a.page.evaluate(() => {
      const box = document.querySelector('.recent')!.getBoundingClientRect();
      return [...document.querySelectorAll<HTMLElement>('.recent .chip')]
        .filter((c) => c.getBoundingClientRect().top < box.bottom - 2)
        .map((c) => {
          const n = c.querySelector<HTMLElement>('.chip-name')!;
          return { text: n.textContent, shown: n.clientWidth, needs: n.scrollWidth };
        });
    });
    expect(chips.length).toBeGreaterThan(0);
    // a chip is at most 130 px wide: long names end in "…", but several words always show
    for (const c of chips) expect(c.shown, `chip ${c.text}`).toBeGreaterThanOrEqual(Math.min(c.needs, 80) - 1);
    await screenshot(a.page, 'coding-view-01-recent-chips');
  });

  it('merging codes asks in an in-app dialog, not the browser’s confirm()', async () => {
    await openTranscriptAt(a.page, url);
    let native = false;
    const onDialog = (d: { dismiss: () => Promise<void> }): void => {
      native = true;
      void d.dismiss();
    };
    a.page.on('dialog', onDialog);
    try {
      const row = a.page.locator(`.codebook [data-code-name="${LONG_CODES[4]}"]`);
      await row.click();
      await row.focus();
      await a.page.keyboard.press('m');
      await a.page.waitForSelector(PICKER);
      await a.page.keyboard.type(LONG_CODES[3]!);
      await a.page.keyboard.press('Enter');
      await a.page.waitForSelector('[data-testid=confirm-dialog]', { timeout: 3000 });
      expect(native).toBe(false);
      expect(await a.page.locator('[data-testid=confirm-dialog]').textContent()).toContain(`Merge “${LONG_CODES[4]}” into “${LONG_CODES[3]}”`);
      await screenshot(a.page, 'coding-view-02-merge-dialog');
      await a.page.click('[data-testid=confirm-ok]');
      await expect.poll(() => row.count(), { timeout: 5000 }).toBe(0);
    } finally {
      a.page.off('dialog', onDialog);
    }
  });

  it('people keep one colour per project on every page (the project list shows no other person colour)', async () => {
    await a.page.goto(`${server.url}/projects/${pid}`);
    const member = a.page.locator('[aria-label="Ben Lindqvist"]').first();
    await member.waitFor();
    const benOnProject = await member.evaluate((el) => getComputedStyle(el).backgroundColor);
    const meOnProject = await bg(a.page, '.app-header .me-btn .avatar');
    await openTranscriptAt(a.page, url);
    await openTranscriptAt(b.page, url);
    const benHere = a.page.locator('[data-testid="presence-Ben Lindqvist"] .avatar');
    await benHere.waitFor({ timeout: 10_000 });
    expect(await benHere.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(benOnProject);
    expect(await bg(a.page, '.app-header .me-btn .avatar')).toBe(meOnProject);
    await a.page.goto(server.url);
    await a.page.waitForSelector('.app-header .me-btn .avatar');
    // outside a project: neutral, not some other colour for the same person
    expect(await bg(a.page, '.app-header .me-btn .avatar')).toBe('rgb(91, 100, 114)');
  });

  it('a transcript id of another project shows one clear message', async () => {
    const other = await projectWithTranscript(a.context, server.url, { name: 'Other project', transcriptFile: SEED });
    await a.page.goto(`${server.url}/projects/${pid}/transcripts/${other.tid}`);
    await a.page.waitForSelector('[data-testid=transcript-missing]', { timeout: 10_000 });
    await a.page.waitForTimeout(1500);
    const text = (await a.page.locator('body').textContent()) ?? '';
    expect(text).not.toMatch(/Loading|no longer exists/);
    expect(text).toContain('not in “Coding view”');
  });

  it('800 px wide: the panels are drawers, no word is split, the header items do not overlap', async () => {
    const narrow = await userContext(browser, server.url, A, { signup: 'login', viewport: { width: 800, height: 900 } });
    try {
      const page = narrow.page;
      await openTranscriptAt(page, url);
      const width = await page.locator(EDITOR).evaluate((el) => el.clientWidth);
      expect(width).toBeGreaterThan(380);
      const split = await page.evaluate((sel) => {
        const out: string[] = [];
        const walker = document.createTreeWalker(document.querySelector(sel)!, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n && out.length < 5; n = walker.nextNode()) {
          const t = n as Text;
          for (const m of t.data.matchAll(/\S{2,}/g)) {
            const r = document.createRange();
            r.setStart(t, m.index);
            r.setEnd(t, m.index + m[0].length);
            const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
            if (tops.size > 1) out.push(m[0]);
          }
        }
        return out;
      }, EDITOR);
      expect(split).toEqual([]);
      const overlaps = await page.evaluate(() => {
        const items = [...document.querySelectorAll<HTMLElement>('.app-header .crumbs > *, .app-header .me, .app-header > a')]
          .filter((e) => e.offsetWidth > 0 && !e.classList.contains('spacer'));
        const badge = document.querySelector('[data-testid=connection]')!.getBoundingClientRect();
        return items
          .filter((e) => !e.matches('[data-testid=connection]') && !e.contains(document.querySelector('[data-testid=connection]')))
          .filter((e) => {
            const r = e.getBoundingClientRect();
            return r.left < badge.right - 1 && badge.left < r.right - 1;
          })
          .map((e) => e.className || e.tagName);
      });
      expect(overlaps).toEqual([]);
      // the codebook opens as a drawer over the text: the text keeps its width
      await page.click('[title="Show the codebook"]');
      await page.waitForSelector('.codebook');
      expect(await page.locator(EDITOR).evaluate((el) => el.clientWidth)).toBe(width);
      await screenshot(page, 'coding-view-03-800px-codebook-drawer');
    } finally {
      await narrow.context.close();
    }
  });

  it('analysis at 1440 px: the code × transcript table shows every column, heat-map labels do not overprint', async () => {
    const { id: p5 } = await api<{ id: string }>(a.context, server.url, 'POST', '/api/projects', { name: 'Five interviews' });
    for (const f of fs.readdirSync(path.join(REPO_ROOT, 'seeds')).filter((x) => /^\d{3}_.*\.txt$/.test(x)).sort()) {
      await api(a.context, server.url, 'POST', `/api/projects/${p5}/transcripts`, { name: f, text: fs.readFileSync(path.join(REPO_ROOT, 'seeds', f), 'utf8') });
    }
    await a.page.goto(`${server.url}/projects/${p5}/analysis`);
    await a.page.click('[data-testid=tab-matrix]');
    const table = a.page.locator('[data-testid=code-transcript-matrix]');
    await table.waitFor({ timeout: 15_000 });
    const fit = await table.evaluate((t) => {
      const wrap = t.closest('.table-wrap') as HTMLElement;
      const heads = [...t.querySelectorAll<HTMLElement>('thead th')];
      return { clipped: wrap.scrollWidth > wrap.clientWidth + 1, columns: heads.length, spill: heads.filter((h) => h.scrollWidth > h.clientWidth + 1).map((h) => h.textContent) };
    });
    expect(fit.columns).toBeGreaterThanOrEqual(6);
    expect(fit).toMatchObject({ clipped: false, spill: [] });
    await a.page.waitForSelector('[data-testid=matrix-heatmap] svg', { timeout: 15_000 });
    const overprint = await a.page.evaluate(() => {
      const labels = [...document.querySelectorAll('[data-testid=matrix-heatmap] svg [aria-label="x-axis tick label"] text')].map((e) => e.getBoundingClientRect());
      let n = 0;
      for (let i = 1; i < labels.length; i++) {
        const p = labels[i - 1]!;
        const q = labels[i]!;
        if (q.left < p.right - 1 && q.top < p.bottom - 1 && p.top < q.bottom - 1) n++;
      }
      return n;
    });
    expect(overprint).toBe(0);
    await screenshot(a.page, 'coding-view-04-analysis-matrix-1440');
    await a.page.click('[data-testid=tab-cooccurrence]');
    await a.page.waitForSelector('#panel-cooccurrence table', { timeout: 15_000 });
    const co = await a.page.locator('#panel-cooccurrence .table-wrap').first().evaluate((w) => w.scrollWidth > w.clientWidth + 1);
    expect(co).toBe(false);
  });

  it('axe-core: no serious or critical violation on any page', async () => {
    const pages: [string, string][] = [
      ['projects', `${server.url}/`],
      ['project', `${server.url}/projects/${pid}`],
      ['transcript', url],
      ['analysis', `${server.url}/projects/${pid}/analysis`],
      ['agreement', `${server.url}/projects/${pid}/agreement`],
      ['inbox', `${server.url}/inbox`],
    ];
    const found: string[] = [];
    for (const [name, at] of pages) {
      if (name === 'transcript') await openTranscriptAt(a.page, at);
      else {
        await a.page.goto(at);
        await a.page.waitForLoadState('networkidle').catch(() => undefined);
        await a.page.waitForTimeout(800);
      }
      for (const v of await axeViolations(a.page)) found.push(`${name}: ${v}`);
    }
    const anon = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const p = await anon.newPage();
    for (const at of ['/login', '/signup']) {
      await p.goto(`${server.url}${at}`);
      await p.waitForSelector('input[name=email]');
      for (const v of await axeViolations(p)) found.push(`${at}: ${v}`);
    }
    await anon.close();
    expect(found).toEqual([]);
  });
});

void tid;
