import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  EDITOR, REPO_ROOT, launchBrowser, makeUser, openTranscriptAt, projectWithTranscript, screenshot, scrollToText, selectText,
  startServer, stepByStep, userContext, type RunningServer, type TestUser,
} from './harness.ts';

/**
 * Creating sub-codes straight from the code picker: A (owner) codes, B (coder)
 * watches the shared codebook tree, C (commenter) gets no way to create codes.
 */
const SEED = path.join(REPO_ROOT, 'seeds/002_d7997d699528739a.txt');
const QUOTE_1 = 'Any issue you have encountered while building ML system';
const QUOTE_2 = 'so I am pretty new there';
const QUOTE_3 = 'guide future work on improving the quality system';
const QUOTE_4 = 'I officially started about two months ago';
const QUOTE_5 = 'we are building a recommender system actually';

let server: RunningServer;
let browser: Browser;
const A: TestUser = makeUser('Ada Okafor');
const B: TestUser = makeUser('Ben Lindqvist');
const C: TestUser = makeUser('Cleo Commenter');
let a: { context: BrowserContext; page: Page };
let b: { context: BrowserContext; page: Page };
let url = '';

const PICKER = '[data-testid=code-picker]';
const codeRow = (page: Page, name: string) => page.locator(`.codebook [data-code-name="${name}"]`);

/** The name of the row the tree shows as `name`'s parent (the nearest row above it one level up), and its level. */
async function treePlace(page: Page, name: string): Promise<{ level: number; parent: string | null } | null> {
  return page.evaluate((name) => {
    const rows = [...document.querySelectorAll<HTMLElement>('.codebook [role=treeitem]')];
    const i = rows.findIndex((r) => r.dataset.codeName === name);
    if (i < 0) return null;
    const level = Number(rows[i]!.getAttribute('aria-level'));
    for (let j = i - 1; j >= 0; j--) {
      if (Number(rows[j]!.getAttribute('aria-level')) === level - 1) return { level, parent: rows[j]!.dataset.codeName ?? null };
    }
    return { level, parent: null };
  }, name);
}

const openTranscript = (page: Page): Promise<void> => openTranscriptAt(page, url);

/** Selects `quote` in A's transcript and opens the picker with C. */
async function pickFor(page: Page, quote: string): Promise<void> {
  await scrollToText(page, quote);
  await selectText(page, quote);
  await page.keyboard.press('c');
  await page.waitForSelector(PICKER);
}

const options = (page: Page) => page.locator(`${PICKER} [role=option]`);

describe('creating sub-codes from the code picker', () => {
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    b = await userContext(browser, server.url, B, { signup: 'api' });
    const c = await userContext(browser, server.url, C, { signup: 'api' });
    await c.context.close();
    a = await userContext(browser, server.url, A, { signup: 'api' });
    ({ url } = await projectWithTranscript(a.context, server.url, {
      name: 'Sub-codes',
      transcriptFile: SEED,
      members: [{ email: B.email, role: 'coder' }, { email: C.email, role: 'commenter' }],
    }));
    await openTranscript(a.page);
    await openTranscript(b.page);
  });

  stepByStep('picker', () => [['A', a?.page], ['B', b?.page]]);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('A types “Parent / Child”: the selection is coded with the new Child, and B sees it under Parent live', async () => {
    // an existing top-level code
    await pickFor(a.page, QUOTE_2);
    await a.page.keyboard.type('Parent');
    await a.page.keyboard.press('Enter');
    await a.page.waitForSelector(PICKER, { state: 'detached' });
    await codeRow(b.page, 'Parent').waitFor({ timeout: 10_000 });

    await pickFor(a.page, QUOTE_1);
    // the hint says how
    expect(await a.page.locator(`${PICKER} .tip`).textContent()).toContain('Parent / name');
    await a.page.keyboard.type('paren / Child');
    // the parent is found by fuzzy search; creating under it is the first option
    await expect.poll(() => options(a.page).first().textContent()).toMatch(/Create “Child” under “Parent”/);
    // a plain top-level code with the literal name is still offered
    expect(await options(a.page).last().textContent()).toContain('Create code “paren / Child”');
    await screenshot(a.page, 'picker-01-subcode-option');
    await a.page.keyboard.press('Enter');
    await a.page.waitForSelector(PICKER, { state: 'detached' });

    // coded with the child code, right away for A
    await a.page.waitForSelector(`${EDITOR} .cm-coding:has-text("encountered while building")`);
    await a.page.waitForSelector('.cm-stripe-label:has-text("Child")');
    await a.page.waitForSelector('.toast:has-text("Coded as “Parent › Child”")');
    expect(await treePlace(a.page, 'Child')).toEqual({ level: 2, parent: 'Parent' });

    // B sees the nesting in the codebook tree and the coding, live
    await expect.poll(() => treePlace(b.page, 'Child'), { timeout: 10_000 }).toEqual({ level: 2, parent: 'Parent' });
    await scrollToText(b.page, QUOTE_1);
    await b.page.waitForSelector('.cm-stripe-label:has-text("Child")', { timeout: 10_000 });
    await screenshot(b.page, 'picker-02-child-under-parent-B');
  });

  it('→ on a highlighted code starts a sub-code of it, listing the existing ones', async () => {
    await pickFor(a.page, QUOTE_3);
    await a.page.keyboard.type('Parent');
    await expect.poll(() => options(a.page).first().textContent()).toContain('Parent');
    await a.page.keyboard.press('ArrowRight');
    expect(await a.page.locator(`${PICKER} input`).inputValue()).toBe('Parent / ');
    // the sub-codes already there, and what to do next
    await expect.poll(() => options(a.page).allTextContents()).toEqual([expect.stringContaining('Child')]);
    expect(await a.page.locator(`${PICKER} .hint`).textContent()).toContain('sub-code of “Parent”');
    await a.page.keyboard.type('Second child');
    await expect.poll(() => options(a.page).first().textContent()).toMatch(/Create “Second child” under “Parent”/);
    await a.page.keyboard.press('Enter');
    await a.page.waitForSelector(PICKER, { state: 'detached' });
    await expect.poll(() => treePlace(b.page, 'Second child'), { timeout: 10_000 }).toEqual({ level: 2, parent: 'Parent' });

    // an existing sub-code is offered instead of a duplicate
    await pickFor(a.page, QUOTE_4);
    await a.page.keyboard.type('Parent / child');
    await expect.poll(() => options(a.page).first().textContent()).toContain('Child');
    expect((await options(a.page).allTextContents()).some((t) => /Create “child” under/.test(t))).toBe(false);
    await a.page.keyboard.press('Escape');
    await a.page.waitForSelector(PICKER, { state: 'detached' });
  });

  it('a new parent and its child in one go; Ctrl+Z undoes the coding, then (in the codebook) both codes', async () => {
    await pickFor(a.page, QUOTE_5);
    await a.page.keyboard.type('Work context > Recommender');
    await expect.poll(() => options(a.page).first().textContent()).toMatch(/Create “Work context” with sub-code “Recommender”/);
    await a.page.keyboard.press('Enter');
    await a.page.waitForSelector(PICKER, { state: 'detached' });
    await expect.poll(() => treePlace(b.page, 'Recommender'), { timeout: 10_000 }).toEqual({ level: 2, parent: 'Work context' });
    await scrollToText(b.page, QUOTE_5);
    const coded = b.page.locator(`${EDITOR} .cm-coding`, { hasText: 'recommender system actually' });
    await expect.poll(() => coded.count(), { timeout: 10_000 }).toBeGreaterThan(0);

    // as with any new code from the picker: Ctrl+Z in the text undoes the coding…
    await a.page.locator(EDITOR).focus();
    await a.page.keyboard.press('Control+z');
    await expect.poll(() => coded.count(), { timeout: 10_000 }).toBe(0);
    // …and in the codebook undoes the creation: both codes were one step
    await codeRow(a.page, 'Parent').focus();
    await a.page.keyboard.press('Control+z');
    await expect.poll(async () => (await codeRow(b.page, 'Recommender').count()) + (await codeRow(b.page, 'Work context').count()), { timeout: 10_000 }).toBe(0);
    expect(await codeRow(b.page, 'Second child').count()).toBe(1);
  });

  it('a commenter gets no picker and no way to create codes', async () => {
    const c = await userContext(browser, server.url, C, { signup: 'login' });
    await openTranscript(c.page);
    await c.page.waitForSelector('[data-testid=readonly-note]');
    await codeRow(c.page, 'Child').waitFor({ timeout: 10_000 });
    expect(await c.page.locator('.codebook button:has-text("+ Code")').count()).toBe(0);
    await scrollToText(c.page, QUOTE_3);
    await selectText(c.page, 'guide future work');
    await c.page.keyboard.press('c');
    await c.page.keyboard.press('Control+k');
    await new Promise((r) => setTimeout(r, 300));
    expect(await c.page.locator(PICKER).count()).toBe(0);
    // the codebook's own pickers (none open for a commenter) never offer creation either
    await codeRow(c.page, 'Child').focus();
    await c.page.keyboard.press('m');
    await c.page.keyboard.press('v');
    await new Promise((r) => setTimeout(r, 200));
    expect(await c.page.locator(PICKER).count()).toBe(0);
    await c.context.close();
  });
});
