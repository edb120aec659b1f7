import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { api, launchBrowser, makeUser, screenshot, startServer, userContext, type RunningServer } from './harness.ts';

/**
 * Inviting a colleague who has no account (no SMTP here: the owner passes the
 * link on): the owner invites from the Team panel, the colleague opens the link
 * in another browser, creates the account and lands in the project with the
 * invited role; the link does not work twice.
 */
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('inviting a colleague without an account', () => {
  it('the link creates the account and the membership, once', async () => {
    const owner = makeUser('Olga Owner');
    const a = await userContext(browser, server.url, owner, { signup: 'api' });
    const { id: pid } = await api<{ id: string }>(a.context, server.url, 'POST', '/api/projects', { name: 'Nurses study' });
    await a.page.goto(`${server.url}/projects/${pid}`);
    await a.page.fill('input[name=invite-email]', 'nia.new@example.org');
    await a.page.selectOption('select[name=invite-role]', 'coder');
    await a.page.click('button:has-text("Add to project")');
    const linkBox = a.page.locator('input[aria-label="Invitation link"]');
    await linkBox.waitFor();
    const link = await linkBox.inputValue();
    expect(link).toMatch(/\/invite\/[a-z0-9]+$/);
    await a.page.waitForSelector('ul[aria-label="Pending invitations"] >> text=nia.new@example.org');
    await screenshot(a.page, 'invite-pending');

    const bContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const b = await bContext.newPage();
    await b.goto(link);
    await b.waitForSelector('h1:has-text("Join “Nurses study”")');
    expect(await b.textContent('form')).toContain('Olga Owner invites nia.new@example.org');
    await b.fill('input[name=name]', 'Nia New');
    await b.fill('input[name=password]', 'lantern orchard velvet 42');
    await b.click('button:has-text("Create account and join")');
    await b.waitForURL(`${server.url}/projects/${pid}`);
    await b.waitForSelector('h1:text-is("Nurses study")');

    // The owner sees the new coder and no pending invitation any more.
    await a.page.reload();
    await a.page.waitForSelector('.members >> text=Nia New');
    expect(await a.page.locator('ul[aria-label="Pending invitations"]').count()).toBe(0);
    const detail = await api<{ members: { email: string; role: string }[] }>(a.context, server.url, 'GET', `/api/projects/${pid}`);
    expect(detail.members.find((m) => m.email === 'nia.new@example.org')?.role).toBe('coder');

    // Used once: opening it again says so.
    const c = await (await browser.newContext()).newPage();
    await c.goto(link);
    await c.waitForSelector('[role=alert]');
    expect(await c.textContent('[role=alert]')).toContain('not valid any more');
    await bContext.close();
    await a.context.close();
  });
});
