import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  EDITOR, REPO_ROOT, api, launchBrowser, makeUser, screenshot, scrollToText, selectText, startServer, stepByStep, userContext,
  type RunningServer, type TestUser,
} from './harness.ts';

/**
 * Comments on quotes, in two (and more) browser contexts: A (owner) comments on a
 * quote and mentions B (coder); B signs in later, finds the mention in the inbox,
 * opens the thread and replies; A sees the reply live and resolves. Comments are
 * plain text (markup never runs), a commenter can comment but not code, a viewer
 * only reads, and threads whose words are deleted stay visible as detached.
 */
const SEED = path.join(REPO_ROOT, 'seeds/002_d7997d699528739a.txt');
const QUOTE_1 = 'Any issue you have encountered while building ML system that affected the is quality';
const QUOTE_2 = 'so I am pretty new there';
const QUOTE_3 = 'we want to, uh, guide future work on improving the quality system';
const XSS = '<img src=x onerror="window.__xss=1"> and <script>window.__xss=2</script> javascript:alert(1)';

let server: RunningServer;
let browser: Browser;
const A: TestUser = makeUser('Ada Okafor');
const B: TestUser = makeUser('Ben Lindqvist');
const C: TestUser = makeUser('Chloe Commenter');
const V: TestUser = makeUser('Vera Viewer');
let a: { context: BrowserContext; page: Page };
let b: { context: BrowserContext; page: Page };
let pid = '';
let tid = '';
let transcriptUrl = '';
let firstThread = '';

const panel = (page: Page) => page.locator('[data-testid=threads-panel]');
const thread = (page: Page, id: string) => page.locator(`[data-testid=thread][data-thread="${id}"]`);
const badge = (page: Page) => page.locator('[data-testid=inbox-badge]');

async function openTranscript(page: Page, url = transcriptUrl): Promise<void> {
  await page.goto(url);
  await page.waitForSelector(EDITOR);
  await expect.poll(() => page.locator('[data-testid=connection]').getAttribute('data-status'), { timeout: 15_000 }).toBe('synced');
  await expect.poll(() => page.locator(`${EDITOR} .cm-line`).count()).toBeGreaterThan(5);
  await page.waitForSelector('[data-testid=threads-panel]');
}

/** Types into the focused box (a realistic pace for the mention autocomplete). */
async function type(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text, { delay: 10 });
}

describe('comments on quotes', () => {
  beforeAll(async () => {
    // CONCORD_WEB_DIST: a private build, when other builds may replace apps/web/dist meanwhile
    server = await startServer(process.env.CONCORD_WEB_DIST ? { CONCORD_WEB_DIST: process.env.CONCORD_WEB_DIST } : {});
    browser = await launchBrowser();
    for (const u of [B, C, V]) {
      const ctx = await userContext(browser, server.url, u, { signup: 'api' });
      await ctx.context.close();
    }
    a = await userContext(browser, server.url, A, { signup: 'api' });
    const p = await api<{ id: string }>(a.context, server.url, 'POST', '/api/projects', { name: 'Quality in ML systems' });
    pid = p.id;
    for (const [u, role] of [[B, 'coder'], [C, 'commenter'], [V, 'viewer']] as const) {
      await api(a.context, server.url, 'POST', `/api/projects/${pid}/members`, { email: u.email, role });
    }
    const up = await api<{ transcripts: { id: string }[] }>(a.context, server.url, 'POST', `/api/projects/${pid}/transcripts`, {
      name: 'Interview 2', text: fs.readFileSync(SEED, 'utf8'),
    });
    tid = up.transcripts[0]!.id;
    transcriptUrl = `${server.url}/projects/${pid}/transcripts/${tid}`;
  });

  // the steps build on each other: after a failure, screenshots and the rest skipped
  stepByStep('comments', () => [['A', a?.page], ['B', b?.page]]);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('A codes a quote, then comments on another quote with a keyboard shortcut and mentions B', async () => {
    const page = a.page;
    await openTranscript(page);
    // a coding, so that A hears of new threads on this transcript
    await scrollToText(page, QUOTE_3);
    await selectText(page, QUOTE_3);
    await page.keyboard.press('c');
    await page.waitForSelector('[data-testid=code-picker]');
    await page.keyboard.type('Future work');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${EDITOR} .cm-coding`);

    await scrollToText(page, QUOTE_1);
    await selectText(page, QUOTE_1);
    await page.keyboard.press('Control+Alt+m');
    const box = page.locator('[data-testid=thread-composer] textarea');
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    // the words being commented on are highlighted while writing
    expect((await page.locator(`${EDITOR} .cm-thread-draft`).allTextContents()).join('')).toContain('encountered while building');

    await type(page, 'Is this about data quality, @Be');
    const list = page.locator('[data-testid=mention-list]');
    await list.waitFor();
    expect(await list.textContent()).toContain(B.name);
    expect(await list.textContent()).not.toContain(A.name); // not yourself
    await screenshot(page, 'comments-00-new-thread-mention');
    await page.keyboard.press('Enter');
    expect(await box.inputValue()).toBe(`Is this about data quality, @${B.name} `);
    await type(page, 'See https://example.org/paper. Thanks!');
    await page.keyboard.press('Control+Enter');

    const card = panel(page).locator('[data-testid=thread]');
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    firstThread = (await card.getAttribute('data-thread'))!;
    expect(await card.getAttribute('data-active')).toBe('true');
    expect(await card.locator('.mention').textContent()).toBe(`@${B.name}`);
    const link = card.locator('a[href="https://example.org/paper"]');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.textContent()).toBe('https://example.org/paper');
    // the quote is highlighted in the editor, and the card sits level with it
    const marked = (await page.locator(`${EDITOR} .cm-thread-active`).allTextContents()).join('');
    expect(marked.replace(/\s+/g, ' ')).toContain('encountered while building ML system');
    await expect.poll(async () => {
      const words = await page.locator(`${EDITOR} .cm-thread-active`).first().boundingBox();
      const cardBox = await card.boundingBox();
      return Math.abs(cardBox!.y - words!.y);
    }).toBeLessThan(16);
  });

  it('B, signing in later, sees the mention in the inbox (badge), opens the thread and replies', async () => {
    b = await userContext(browser, server.url, B, { signup: 'login' });
    const page = b.page;
    await page.goto(`${server.url}/`);
    await expect.poll(() => badge(page).textContent(), { timeout: 10_000 }).toBe('1');
    await page.click('[data-testid=inbox-link]');
    await page.waitForSelector('[data-testid=inbox-page]');
    const item = page.locator('[data-testid=inbox-item]');
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.getAttribute('data-kind')).toBe('mention');
    expect(await item.textContent()).toContain(`${A.name} mentioned you`);
    expect(await item.textContent()).toContain('Is this about data quality');
    expect(await item.textContent()).toContain('Quality in ML systems › Interview 2');
    await screenshot(page, 'comments-02-inbox');

    await item.locator('[data-testid=inbox-open]').click();
    await page.waitForURL(/\/transcripts\//);
    await page.waitForSelector(EDITOR);
    const card = thread(page, firstThread);
    await expect.poll(() => card.getAttribute('data-active'), { timeout: 15_000 }).toBe('true');
    await expect.poll(() => page.locator(`${EDITOR} .cm-thread-active`).count()).toBeGreaterThan(0);
    expect(new URL(page.url()).search).toBe(''); // the link was used up
    await expect.poll(() => badge(page).count()).toBe(0); // read

    await card.locator('[data-testid=reply-composer] textarea').click();
    await type(page, 'Yes, about the labels. @Ada');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => card.locator('[data-comment]').count()).toBe(2);
  });

  it('A sees the reply live, gets it in the inbox, and resolves the thread', async () => {
    const page = a.page;
    const card = thread(page, firstThread);
    await expect.poll(() => card.textContent(), { timeout: 10_000 }).toContain('Yes, about the labels.');
    expect(await card.locator('.mention').last().textContent()).toBe(`@${A.name}`);
    await screenshot(page, 'comments-01-threads-panel');
    // the header badge refreshes when the window gets focus again
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect.poll(() => badge(page).textContent(), { timeout: 10_000 }).toBe('1');

    await card.locator('[data-testid=resolve-thread]').click();
    await expect.poll(() => card.count()).toBe(0); // gone from "Open"
    await expect.poll(() => thread(b.page, firstThread).count(), { timeout: 10_000 }).toBe(0);
    await b.page.click('[data-testid=thread-filter-resolved]');
    const resolved = thread(b.page, firstThread);
    await resolved.waitFor();
    expect(await resolved.getAttribute('data-resolved')).toBe('true');
    expect(await resolved.textContent()).toContain(`Resolved by ${A.name}`);
  });

  it('markup in a comment renders as text and never runs', async () => {
    const page = b.page;
    await scrollToText(page, QUOTE_2);
    await selectText(page, QUOTE_2);
    await page.click('[data-testid=new-comment]');
    const box = page.locator('[data-testid=thread-composer] textarea');
    await box.fill(XSS);
    await page.click('[data-testid=thread-composer-submit]');
    for (const p of [b.page, a.page]) {
      const body = panel(p).locator('[data-testid=comment-body]', { hasText: 'onerror' });
      await expect.poll(() => body.count(), { timeout: 10_000 }).toBe(1);
      expect(await body.textContent()).toBe(XSS);
      expect(await body.isVisible()).toBe(true);
      expect(await p.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
      expect(await panel(p).locator('img').count()).toBe(0);
      expect(await panel(p).locator('script').count()).toBe(0);
      expect(await panel(p).locator('a[href^="javascript"]').count()).toBe(0);
    }
  });

  it('clicking commented words opens their thread', async () => {
    const page = a.page;
    await scrollToText(page, QUOTE_2);
    await page.locator(`${EDITOR} .cm-thread`, { hasText: 'pretty new' }).first().click();
    const card = panel(page).locator('[data-testid=thread][data-active=true]');
    await card.waitFor();
    expect(await card.textContent()).toContain('onerror');
    await page.keyboard.press('Escape');
  });

  it('A reopens the resolved thread and edits and deletes an own comment; B sees it live', async () => {
    const page = a.page;
    await page.click('[data-testid=thread-filter-resolved]');
    const card = thread(page, firstThread);
    // its quote is scrolled out of view: the column offers to go there
    const pill = page.locator('[data-testid=threads-above], [data-testid=threads-below]');
    if (await pill.count()) await pill.first().click();
    else await card.click();
    await expect.poll(() => card.getAttribute('data-active')).toBe('true');
    expect(await card.isVisible()).toBe(true);
    await card.locator('[data-testid=reopen-thread]').click();
    await expect.poll(() => page.locator('[data-testid=thread-filter-open][aria-checked=true]').count()).toBe(1);
    await expect.poll(() => card.getAttribute('data-resolved')).toBe('false');

    const own = card.locator('[data-comment]').first();
    await own.locator('[data-testid=edit-comment]').click();
    const edit = card.locator('[data-testid=edit-composer] textarea');
    await edit.fill(`Is this about data quality (not labels), @${B.name}?`);
    await page.keyboard.press('Control+Enter');
    await b.page.click('[data-testid=thread-filter-open]');
    await expect.poll(() => thread(b.page, firstThread).textContent(), { timeout: 10_000 }).toContain('(not labels)');
    expect(await thread(b.page, firstThread).textContent()).toContain('edited');

    await own.locator('[data-testid=delete-comment]').click();
    await card.locator('[data-testid=confirm-delete]').click();
    // B's reply keeps the thread; A's comment leaves a placeholder in the open thread
    await expect.poll(() => thread(b.page, firstThread).textContent(), { timeout: 10_000 }).not.toContain('(not labels)');
    expect(await thread(b.page, firstThread).textContent()).toContain('Yes, about the labels.');
    expect(await card.textContent()).toContain('Comment deleted');
    expect(await card.textContent()).toContain('Yes, about the labels.');
  });

  it('a commenter can comment (attached to a coding) but has no code picker', async () => {
    const c = await userContext(browser, server.url, C, { signup: 'login' });
    const page = c.page;
    await openTranscript(page);
    expect(await page.locator('[data-testid=readonly-note]').textContent()).toMatch(/commenter/);
    expect(await page.locator('[data-testid=apply-code-btn]').count()).toBe(0);
    await scrollToText(page, QUOTE_3);
    await selectText(page, QUOTE_3);
    await page.keyboard.press('c');
    await page.keyboard.press('Control+k');
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.locator('[data-testid=code-picker]').count()).toBe(0);

    await page.keyboard.press('m');
    const box = page.locator('[data-testid=thread-composer] textarea');
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    // the selection is exactly A's coding: the new thread is about it
    const attach = page.locator('[data-testid=attach-coding]');
    expect(await attach.locator('option:checked').textContent()).toContain('Future work');
    await type(page, 'Should this be a code of its own?');
    await page.keyboard.press('Control+Enter');
    const card = panel(a.page).locator('[data-testid=thread]', { hasText: 'code of its own' });
    await card.waitFor({ timeout: 10_000 });
    expect(await card.locator('.coding-tag').textContent()).toContain('Future work');
    // A coded this transcript, so A hears of new threads (B's and C's), besides B's reply
    await a.page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect.poll(() => badge(a.page).textContent(), { timeout: 10_000 }).toBe('3');
    await c.context.close();
  });

  it('A marks the inbox read', async () => {
    const page = a.page;
    await page.click('[data-testid=inbox-link]');
    await page.waitForSelector('[data-testid=inbox-page]');
    await expect.poll(() => page.locator('[data-testid=inbox-item][data-unread=true]').count()).toBe(3);
    const fromC = page.locator('[data-testid=inbox-item][data-kind=thread]', { hasText: C.name });
    expect(await fromC.textContent()).toContain(`${C.name} commented on a transcript you coded`);
    expect(await fromC.textContent()).toContain('Should this be a code of its own?');
    // markup in an excerpt is text here too
    expect(await page.locator('[data-testid=inbox-item]', { hasText: 'onerror' }).count()).toBe(1);
    expect(await page.locator('[data-testid=inbox-page] img').count()).toBe(0);
    await page.locator('[data-testid=inbox-item][data-kind=mention] [data-testid=mark-read]').click();
    await expect.poll(() => badge(page).textContent()).toBe('2');
    await screenshot(page, 'comments-04-inbox-owner');
    await page.click('[data-testid=mark-all-read]');
    await expect.poll(() => badge(page).count()).toBe(0);
    expect(await page.locator('[data-testid=inbox-item][data-unread=true]').count()).toBe(0);
    const left = await api<{ unread: number }>(a.context, server.url, 'GET', '/api/inbox/unread');
    expect(left.unread).toBe(0);
  });

  it('a viewer reads threads but has no comment box', async () => {
    const v = await userContext(browser, server.url, V, { signup: 'login' });
    const page = v.page;
    await openTranscript(page);
    await expect.poll(() => panel(page).locator('[data-testid=thread]').count(), { timeout: 10_000 }).toBe(3);
    expect(await page.locator('[data-testid=new-comment]').count()).toBe(0);
    await thread(page, firstThread).click();
    expect(await thread(page, firstThread).getAttribute('data-active')).toBe('true');
    expect(await page.locator('[data-testid=reply-composer]').count()).toBe(0);
    expect(await page.locator('[data-testid=resolve-thread]').count()).toBe(0);
    await scrollToText(page, QUOTE_2);
    await selectText(page, QUOTE_2);
    await page.keyboard.press('m');
    await page.keyboard.press('Control+Alt+m');
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.locator('[data-testid=thread-composer]').count()).toBe(0);
    await v.context.close();
  });

  it('a thread whose words are deleted stays visible, detached, with its quote', async () => {
    const page = a.page;
    await openTranscript(page);
    await page.click('[data-testid=mode-edit]');
    await scrollToText(page, QUOTE_2);
    await selectText(page, QUOTE_2);
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Escape');
    for (const p of [a.page, b.page]) {
      const card = panel(p).locator('[data-testid=thread][data-detached=true]');
      await card.waitFor({ timeout: 10_000 });
      expect(await card.textContent()).toContain(QUOTE_2);
      expect(await card.textContent()).toContain('Detached');
    }
    await scrollToText(page, QUOTE_1);
    await thread(page, firstThread).click();
    await expect.poll(() => thread(page, firstThread).getAttribute('data-active')).toBe('true');
    await new Promise((r) => setTimeout(r, 300)); // cards settle
    await screenshot(page, 'comments-03-detached-and-active');
  });
});
