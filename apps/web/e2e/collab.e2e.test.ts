import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  EDITOR, REPO_ROOT, api, controllableNetwork, eventually, launchBrowser, makeUser, screenshot, scrollToText, selectText,
  startServer, stepByStep, userContext, type RunningServer, type TestUser,
} from './harness.ts';

/**
 * Two researchers (A: owner, B: coder) on one transcript in two browser
 * contexts, plus a viewer (V). Each step builds on the previous one.
 */
const SEED = path.join(REPO_ROOT, 'seeds/002_d7997d699528739a.txt');
const QUOTE_1 = 'Any issue you have encountered while building ML system that affected the is quality';
const QUOTE_2 = 'so I am pretty new there';
const QUOTE_3 = 'we want to, uh, guide future work on improving the quality system';

let server: RunningServer;
let browser: Browser;
const A: TestUser = makeUser('Ada Okafor');
const B: TestUser = makeUser('Ben Lindqvist');
const V: TestUser = makeUser('Vera Viewer');
let a: { context: BrowserContext; page: Page };
let b: { context: BrowserContext; page: Page };
let bNet: Awaited<ReturnType<typeof controllableNetwork>>;
let pid = '';
let tid = '';
let transcriptUrl = '';

const codeRow = (page: Page, name: string) => page.locator(`.codebook [data-code-name="${name}"]`);
const connection = (page: Page) => page.locator('[data-testid=connection]');

async function openTranscript(page: Page): Promise<void> {
  await page.goto(transcriptUrl);
  await page.waitForSelector(EDITOR);
  await expect.poll(() => connection(page).getAttribute('data-status'), { timeout: 15_000 }).toBe('synced');
  await expect.poll(() => page.locator(`${EDITOR} .cm-line`).count()).toBeGreaterThan(5);
}

describe('two researchers coding one transcript live', () => {
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    // B and V have accounts before A invites them
    b = await userContext(browser, server.url, B, { signup: 'api' });
    const v = await userContext(browser, server.url, V, { signup: 'api' });
    await v.context.close();
    a = await userContext(browser, server.url, A, { signup: 'ui' });
  });

  // the steps build on each other: after a failure, screenshots and the rest skipped
  stepByStep('collab', () => [['A', a?.page], ['B', b?.page]]);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('A creates a project, imports a transcript with progress, and invites B as coder and V as viewer', async () => {
    const page = a.page;
    await page.click('button:has-text("New project")');
    await page.fill('input[name=project-name]', 'Quality in ML systems');
    await page.click('button:has-text("Create project")');
    await page.waitForURL(/\/projects\/[^/]+$/);
    pid = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]!);

    await page.setInputFiles('[data-testid=import-input]', [{ name: path.basename(SEED), mimeType: 'text/plain', buffer: fs.readFileSync(SEED) }, { name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF') }]);
    await expect.poll(() => page.locator('.up.done').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('.up.error .status').textContent()).toMatch(/only .*txt/i);
    await page.waitForSelector('.trow');
    expect(await page.locator('.trow .tname').first().textContent()).toContain('002');

    for (const [who, role] of [[B, 'coder'], [V, 'viewer']] as const) {
      await page.fill('input[name=invite-email]', who.email);
      await page.selectOption('select[name=invite-role]', role);
      await page.click('button:has-text("Add to project")');
      await page.waitForSelector(`.members li:has-text("${who.name}")`);
    }
    await screenshot(page, '01-project-with-transcript');

    const detail = await api<{ transcripts: { id: string }[] }>(a.context, server.url, 'GET', `/api/projects/${pid}`);
    tid = detail.transcripts[0]!.id;
    transcriptUrl = `${server.url}/projects/${pid}/transcripts/${tid}`;
  });

  it("A's selection appears for B, with A's name", async () => {
    bNet = await controllableNetwork(b.page);
    await openTranscript(a.page);
    await openTranscript(b.page);
    // both see each other in the presence bar
    await a.page.waitForSelector(`[data-testid="presence-${B.name}"]`);
    await b.page.waitForSelector(`[data-testid="presence-${A.name}"]`);

    await selectText(a.page, QUOTE_1);
    const remote = b.page.locator(`${EDITOR} .cm-ySelection`);
    await expect.poll(() => remote.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const selected = (await remote.allTextContents()).join('');
    expect(selected.replace(/\s+/g, ' ')).toContain('encountered while building ML system');
    expect(await b.page.locator(`${EDITOR} .cm-ySelectionInfo`).first().textContent()).toBe(A.name);
  });

  it('A applies a new code from the picker and B sees the highlight', async () => {
    await a.page.keyboard.press('c');
    await a.page.waitForSelector('[data-testid=code-picker]');
    await a.page.keyboard.type('Data quality issues');
    await screenshot(a.page, '02a-code-picker');
    await a.page.keyboard.press('Enter');
    await a.page.waitForSelector('[data-testid=code-picker]', { state: 'detached' });
    await a.page.waitForSelector(`${EDITOR} .cm-coding`);

    const highlight = b.page.locator(`${EDITOR} .cm-coding`);
    await expect.poll(() => highlight.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect((await highlight.allTextContents()).join('')).toContain('encountered while building ML system');
    // the margin shows the code and who coded it
    await b.page.waitForSelector('.cm-stripe-label:has-text("Data quality issues")');
    expect(await b.page.locator('.cm-stripe-label .cm-stripe-coder').first().textContent()).toBe('AO');
    expect(await codeRow(b.page, 'Data quality issues').count()).toBe(1);
  });

  it('B applies a second, overlapping code with the keyboard; the recent code is on key 1', async () => {
    await scrollToText(b.page, QUOTE_1);
    await selectText(b.page, 'affected the is quality');
    await b.page.keyboard.press('Control+k');
    await b.page.waitForSelector('[data-testid=code-picker]');
    await b.page.keyboard.type('Quality definition');
    await b.page.keyboard.press('Enter');
    await expect.poll(() => a.page.locator('.cm-stripe-label').count(), { timeout: 10_000 }).toBe(2);

    // recent codes: key 1 is the code B applied last
    await selectText(b.page, QUOTE_3);
    await b.page.keyboard.press('1');
    await expect.poll(() => a.page.locator('.cm-stripe-label:has-text("Quality definition")').count(), { timeout: 10_000 }).toBe(2);
    await screenshot(a.page, '02-coding-view-two-people-A');
    await screenshot(b.page, '03-coding-view-two-people-B');
  });

  it('hovering and clicking a highlight shows its codes, coder and memo; A can add a memo', async () => {
    const target = a.page.locator(`${EDITOR} .cm-coding`, { hasText: 'encountered' }).first();
    await target.click();
    await a.page.waitForSelector('[data-testid=coding-card]');
    const card = a.page.locator('[data-testid=coding-card]');
    expect(await card.textContent()).toContain('Data quality issues');
    expect(await card.textContent()).toContain('You');
    await card.locator('button:has-text("Add memo")').first().click();
    await a.page.keyboard.type('Defines quality issues by their effect.');
    await card.locator('button:has-text("Save memo")').click();
    await screenshot(a.page, '04a-coding-card');
    await a.page.keyboard.press('Escape');
    await b.page.locator(`${EDITOR} .cm-coding`, { hasText: 'encountered' }).first().hover();
    await b.page.waitForSelector('.cm-coding-tip:has-text("Defines quality issues by their effect.")', { timeout: 10_000 });
    await screenshot(b.page, '04-hover-card');
    await b.page.mouse.move(5, 5);
  });

  it('B renames the code and A sees the new name everywhere', async () => {
    await codeRow(b.page, 'Data quality issues').dblclick();
    const input = b.page.locator('.codebook input.rename');
    await input.fill('Data-low-quality');
    await input.press('Enter');
    await a.page.waitForSelector('.codebook [data-code-name="Data-low-quality"]', { timeout: 10_000 });
    await a.page.waitForSelector('.cm-stripe-label:has-text("Data-low-quality")');
    expect(await codeRow(a.page, 'Data quality issues').count()).toBe(0);
  });

  it('B edits the definition and A sees it live', async () => {
    await codeRow(b.page, 'Data-low-quality').click();
    await b.page.waitForSelector('[data-testid=code-details]');
    await b.page.locator('[data-testid="ytext-definition"] .cm-content').click();
    await b.page.keyboard.type('Data that is wrong, incomplete or noisy.');
    await codeRow(a.page, 'Data-low-quality').click();
    const def = a.page.locator('[data-testid="ytext-definition"] .cm-content');
    await expect.poll(() => def.textContent(), { timeout: 10_000 }).toContain('Data that is wrong, incomplete or noisy.');
  });

  it('A moves a code under another by dragging it, and merges codes with every coding following', async () => {
    // drag "Quality definition" onto "Data-low-quality" (inside)
    const src = codeRow(a.page, 'Quality definition');
    const dst = codeRow(a.page, 'Data-low-quality');
    await src.dragTo(dst);
    await expect.poll(async () => Number(await codeRow(b.page, 'Quality definition').getAttribute('aria-level')), { timeout: 10_000 }).toBe(2);
    // merge the child into its parent via the keyboard-accessible dialog
    await codeRow(a.page, 'Quality definition').focus();
    await a.page.keyboard.press('m');
    await a.page.waitForSelector('[data-testid=code-picker]');
    await a.page.keyboard.type('Data-low');
    await a.page.keyboard.press('Enter');
    // the in-app confirmation, answered with the keyboard (its Merge button has the focus)
    await a.page.waitForSelector('[data-testid=confirm-dialog]');
    await a.page.keyboard.press('Enter');
    await expect.poll(() => codeRow(b.page, 'Quality definition').count(), { timeout: 10_000 }).toBe(0);
    // B's codings now count as the merged code
    await expect.poll(() => b.page.locator('.cm-stripe-label:has-text("Data-low-quality")').count(), { timeout: 10_000 }).toBe(3);
    // undo (A's own action) brings it back for everyone
    await codeRow(a.page, 'Data-low-quality').focus();
    await a.page.keyboard.press('Control+z');
    await expect.poll(() => codeRow(b.page, 'Quality definition').count(), { timeout: 10_000 }).toBe(1);
  });

  it('A adjusts the boundaries of a coding and removes another; B sees both', async () => {
    await scrollToText(a.page, QUOTE_3);
    // open B's "Quality definition" coding on QUOTE_3 and shrink it to "guide future work"
    await a.page.locator(`${EDITOR} .cm-coding`, { hasText: 'guide future work' }).first().click();
    const card = a.page.locator('[data-testid=coding-card]');
    await card.waitFor();
    expect(await card.textContent()).toContain(B.name);
    await card.locator('button:has-text("Adjust boundaries")').click();
    await a.page.waitForSelector('.banner.adjust');
    await selectText(a.page, 'guide future work');
    await a.page.keyboard.press('Enter');
    await a.page.waitForSelector('.banner.adjust', { state: 'detached' });
    await expect.poll(async () => (await b.page.locator(`${EDITOR} .cm-coding`, { hasText: 'guide' }).allTextContents()).join(''), { timeout: 10_000 })
      .toBe('guide future work');
    // remove it
    await a.page.locator(`${EDITOR} .cm-coding`, { hasText: 'guide future work' }).first().click();
    await card.locator('[data-testid=remove-coding]').click();
    await expect.poll(() => b.page.locator(`${EDITOR} .cm-coding`, { hasText: 'guide' }).count(), { timeout: 10_000 }).toBe(0);
    // and Ctrl+Z brings it back (A's own action)
    await a.page.locator(EDITOR).focus();
    await a.page.keyboard.press('Control+z');
    await expect.poll(() => b.page.locator(`${EDITOR} .cm-coding`, { hasText: 'guide' }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
  });

  it('B goes offline, codes, comes back, and A sees the coding', async () => {
    await bNet.offline();
    await expect.poll(() => connection(b.page).getAttribute('data-status'), { timeout: 10_000 }).toBe('offline');
    await scrollToText(b.page, QUOTE_2);
    await selectText(b.page, QUOTE_2);
    await b.page.keyboard.press('c');
    await b.page.keyboard.type('Background');
    await b.page.keyboard.press('Enter');
    await b.page.waitForSelector(`${EDITOR} .cm-coding:has-text("pretty new")`);
    await expect.poll(async () => Number(await connection(b.page).getAttribute('data-pending')), { timeout: 5000 }).toBeGreaterThan(0);
    expect(await connection(b.page).textContent()).toMatch(/Offline · \d+ changes? kept on this device/);
    await screenshot(b.page, '05-offline-with-pending-changes');
    // A does not see it yet
    await new Promise((r) => setTimeout(r, 800));
    expect(await codeRow(a.page, 'Background').count()).toBe(0);

    await bNet.online();
    await expect.poll(() => connection(b.page).getAttribute('data-status'), { timeout: 15_000 }).toBe('synced');
    expect(await connection(b.page).getAttribute('data-pending')).toBe('0');
    await a.page.waitForSelector('.codebook [data-code-name="Background"]', { timeout: 10_000 });
    await scrollToText(a.page, QUOTE_2);
    await a.page.waitForSelector(`${EDITOR} .cm-coding:has-text("pretty new")`, { timeout: 10_000 });
  });

  it("Ctrl+Z undoes only your own coding, never the other person's", async () => {
    await scrollToText(a.page, QUOTE_1);
    const before = await a.page.locator('.cm-stripe-label').count();
    // B's last action was the offline coding. A's undo stack (newest first): the
    // restored removal (already undone), the adjustment, the memo, the first coding.
    await a.page.locator(EDITOR).focus();
    await a.page.keyboard.press('Control+z'); // the adjustment
    await a.page.keyboard.press('Control+z'); // the memo
    await b.page.locator(`${EDITOR} .cm-coding`, { hasText: 'encountered' }).first().hover();
    await new Promise((r) => setTimeout(r, 600));
    expect(await b.page.locator('.cm-coding-tip:has-text("Defines quality issues")').count()).toBe(0);
    await b.page.mouse.move(5, 5);
    // B's codings are all still there for A
    expect(await a.page.locator('.cm-stripe-label').count()).toBe(before);
    await scrollToText(b.page, QUOTE_2);
    expect(await b.page.locator(`${EDITOR} .cm-coding:has-text("pretty new")`).count()).toBe(1);
  });

  it('A edits the transcript text and the codings follow their words for B', async () => {
    await scrollToText(a.page, QUOTE_1);
    await a.page.click('[data-testid=mode-edit]');
    await selectText(a.page, 'Any issue you have');
    await a.page.keyboard.press('ArrowLeft');
    await a.page.keyboard.type('[CORRECTED] ');
    await expect.poll(() => b.page.locator(`${EDITOR} .cm-line`, { hasText: '[CORRECTED]' }).count(), { timeout: 10_000 }).toBe(1);
    // the coding still starts at "Any issue", not inside the inserted text
    const coded = (await b.page.locator(`${EDITOR} .cm-coding`, { hasText: 'encountered' }).allTextContents()).join('');
    expect(coded).not.toContain('[CORRECTED]');
    await a.page.keyboard.press('Escape');
    expect(await a.page.locator(`${EDITOR}[data-mode="coding"]`).count()).toBe(1);
  });

  it('a viewer sees everything but cannot code or edit', async () => {
    const v = await userContext(browser, server.url, V, { signup: 'login' });
    await openTranscript(v.page);
    await v.page.waitForSelector('[data-testid=readonly-note]');
    expect(await v.page.locator(`${EDITOR}[data-mode="reading"]`).count()).toBe(1);
    // the codings are visible
    await expect.poll(() => v.page.locator('.cm-stripe-label').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // no way to code: no apply button, no picker on C or Ctrl+K, no code creation
    expect(await v.page.locator('[data-testid=apply-code-btn]').count()).toBe(0);
    expect(await v.page.locator('.codebook button:has-text("+ Code")').count()).toBe(0);
    await scrollToText(v.page, QUOTE_1);
    await selectText(v.page, 'encountered while building');
    await v.page.keyboard.press('c');
    await v.page.keyboard.press('Control+k');
    await new Promise((r) => setTimeout(r, 300));
    expect(await v.page.locator('[data-testid=code-picker]').count()).toBe(0);
    // Enter on coded words opens them (read only: no remove or adjust)
    await v.page.keyboard.press('ArrowRight');
    await v.page.keyboard.press('Enter');
    await v.page.waitForSelector('[data-testid=coding-card]');
    expect(await v.page.locator('[data-testid=coding-card]').textContent()).toContain('Data-low-quality');
    expect(await v.page.locator('[data-testid=remove-coding]').count()).toBe(0);
    await v.page.keyboard.press('Escape');
    await v.page.waitForSelector('[data-testid=coding-card]', { state: 'detached' });
    // typing does not change the text
    const before = await v.page.locator(EDITOR).textContent();
    await v.page.keyboard.type('xyz');
    await v.page.keyboard.press('Backspace');
    expect(await v.page.locator(EDITOR).textContent()).toBe(before);
    // A sees the viewer in the presence bar
    await a.page.waitForSelector(`[data-testid="presence-${V.name}"]`, { timeout: 10_000 });
    await screenshot(v.page, '06-viewer-read-only');
    await v.context.close();
  });

  it('B follows A: B scrolls to where A is reading', async () => {
    await scrollToText(a.page, QUOTE_1);
    await b.page.click(`[data-testid="presence-${A.name}"]`);
    await b.page.waitForSelector('.banner.follow');
    await a.page.evaluate((sel) => {
      const s = document.querySelector(sel)!.closest('.cm-scroller') as HTMLElement;
      s.scrollTop = s.scrollHeight * 0.6;
    }, EDITOR);
    const aTop = await a.page.evaluate((sel) => {
      const s = document.querySelector(sel)!.closest('.cm-scroller') as HTMLElement;
      const lines = [...document.querySelectorAll(`${sel} .cm-line`)].filter((l) => l.getBoundingClientRect().top >= s.getBoundingClientRect().top);
      return lines[1]?.textContent?.slice(0, 40) ?? '';
    }, EDITOR);
    await expect.poll(async () => b.page.evaluate(({ sel, text }) => {
      const s = document.querySelector(sel)!.closest('.cm-scroller') as HTMLElement;
      const r = s.getBoundingClientRect();
      return [...document.querySelectorAll(`${sel} .cm-line`)].some((l) => {
        const lr = l.getBoundingClientRect();
        return l.textContent?.startsWith(text) && lr.top >= r.top && lr.bottom <= r.bottom;
      });
    }, { sel: EDITOR, text: aTop }), { timeout: 10_000 }).toBe(true);
    await screenshot(b.page, '07-following');
  });

  it("the project page shows who is in each transcript right now", async () => {
    await a.page.goto(`${server.url}/projects/${pid}`);
    await a.page.waitForSelector(`.trow[data-transcript="${tid}"] .here [aria-label*="${B.name}"], .trow[data-transcript="${tid}"] .here [title*="${B.name}"]`, { timeout: 15_000 });
    await screenshot(a.page, '08-project-presence');
  });

  it('independent coding: codings stay private to their coder', async () => {
    await api(a.context, server.url, 'PUT', `/api/projects/${pid}/transcripts/${tid}/mode`, { mode: 'independent' });
    // B is in the transcript: the view reopens in the new mode by itself
    await b.page.waitForSelector('.banner.info:has-text("Independent coding")', { timeout: 15_000 });
    await expect.poll(() => connection(b.page).getAttribute('data-status'), { timeout: 15_000 }).toBe('synced');
    const PRIVATE = 'so I will ask you some question';
    await scrollToText(b.page, PRIVATE);
    await selectText(b.page, PRIVATE);
    await b.page.keyboard.press('c');
    await b.page.keyboard.type('Private hunch');
    await b.page.keyboard.press('Enter');
    await b.page.waitForSelector(`${EDITOR} .cm-coding:has-text("will ask you")`);
    // A opens the transcript: the code exists in the shared codebook, B's coding does not show
    await openTranscript(a.page);
    await a.page.waitForSelector('.banner.info:has-text("Independent coding")');
    await a.page.waitForSelector('.codebook [data-code-name="Private hunch"]', { timeout: 10_000 });
    await scrollToText(a.page, PRIVATE);
    await new Promise((r) => setTimeout(r, 500));
    expect(await a.page.locator(`${EDITOR} .cm-coding`).count()).toBe(0);
    await api(a.context, server.url, 'PUT', `/api/projects/${pid}/transcripts/${tid}/mode`, { mode: 'open' });
  });

  it('A signs out and back in, and returns to the page they asked for', async () => {
    await a.page.click('.me-btn');
    await a.page.click('button:has-text("Sign out")');
    await a.page.waitForURL(/\/login/);
    await a.page.goto(transcriptUrl);
    await a.page.waitForURL(/\/login\?next=/);
    await a.page.fill('input[name=email]', A.email);
    await a.page.fill('input[name=password]', 'wrong password');
    await a.page.click('button[type=submit]');
    await a.page.waitForSelector('.alert.error');
    await a.page.fill('input[name=password]', A.password);
    await a.page.click('button[type=submit]');
    await a.page.waitForURL(transcriptUrl);
    await a.page.waitForSelector(EDITOR);
  });
});
