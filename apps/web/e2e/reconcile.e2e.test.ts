import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  EDITOR, REPO_ROOT, SCREENSHOTS, api, codeSelection, decide, eventually, launchBrowser, makeUser, screenshot, scrollToText, startServer, stepByStep, userContext,
  type RunningServer, type TestUser,
} from './harness.ts';

/**
 * Issue 6 end to end: an owner (O) sets a transcript to independent coding; two
 * coders (A, B) code it blind in their own browsers; O reveals; everyone sees
 * agreement figures; A and B reconcile the disagreements together in one live
 * session; the consensus codings and the decision log hold the decisions.
 */
const SEED = path.join(REPO_ROOT, 'seeds/002_d7997d699528739a.txt');
// both code this the same way: no disagreement
const Q_SAME = 'I am pretty new there';
// A: "Use of ML", B: "Product context" → different codes
const Q_DIFF = 'we are building a recommender system actually';
// only A: "Data sources"
const Q_ONLY_A = 'Web interactions data';
// only B: "Data sources"
const Q_ONLY_B = 'we are also collecting and gathering data on, um, users and like demographic information';
// both "Explainability", B's span much longer → boundaries
const Q_BOUND_A = 'definitely the explainability';
const Q_BOUND_B = "definitely the explainability, because we're basically using a black box tool in a way";

let server: RunningServer;
let browser: Browser;
const O: TestUser = makeUser('Olivia Owner');
const A: TestUser = makeUser('Ada Okafor');
const B: TestUser = makeUser('Ben Lindqvist');
let o: { context: BrowserContext; page: Page };
let a: { context: BrowserContext; page: Page };
let b: { context: BrowserContext; page: Page };
let pid = '';
let tid = '';
let aId = '';
let bId = '';
/**
 * The report orders a pair of coders by user id: which of Ada and Ben is
 * "coder A" in the session is decided there, so expectations follow it.
 */
let ADA: 'A' | 'B' = 'A';
let BEN: 'A' | 'B' = 'B';
const only = (side: 'A' | 'B') => `Only ${side} coded this`;
const lower = (side: 'A' | 'B') => side.toLowerCase() as 'a' | 'b';

async function fullShot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const panelKey = (page: Page) => page.locator('[data-testid=decision-panel]').getAttribute('data-key');
const logCount = (page: Page) => page.locator('[data-testid=decision-log] > li').count();

async function openTranscript(page: Page): Promise<void> {
  await page.goto(`${server.url}/projects/${pid}/transcripts/${tid}`);
  await page.waitForSelector(EDITOR);
  await expect.poll(() => page.locator('[data-testid=connection]').getAttribute('data-status'), { timeout: 20_000 }).toBe('synced');
  await expect.poll(() => page.locator(`${EDITOR} .cm-line`).count(), { timeout: 15_000 }).toBeGreaterThan(5);
}

describe('independent coding, agreement and live reconciliation', () => {
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    o = await userContext(browser, server.url, O, { signup: 'api' });
    a = await userContext(browser, server.url, A, { signup: 'api' });
    b = await userContext(browser, server.url, B, { signup: 'api' });
    aId = (await api<{ user: { id: string } }>(a.context, server.url, 'GET', '/api/me')).user.id;
    bId = (await api<{ user: { id: string } }>(b.context, server.url, 'GET', '/api/me')).user.id;
    [ADA, BEN] = aId < bId ? ['A', 'B'] : ['B', 'A'];
    pid = (await api<{ id: string }>(o.context, server.url, 'POST', '/api/projects', { name: 'Blind coding study' })).id;
    for (const who of [A, B]) await api(o.context, server.url, 'POST', `/api/projects/${pid}/members`, { email: who.email, role: 'coder' });
    const up = await api<{ transcripts: { id: string }[] }>(o.context, server.url, 'POST', `/api/projects/${pid}/transcripts`, {
      name: 'Interview 2 - recommender', text: fs.readFileSync(SEED, 'utf8'),
    });
    tid = up.transcripts[0]!.id;
  });

  // the steps build on each other: after a failure, screenshots and the rest skipped
  stepByStep('reconcile', () => [['owner', o?.page], ['A', a?.page], ['B', b?.page]]);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the owner sets the transcript to independent coding, with a confirmation', async () => {
    const page = o.page;
    await page.goto(`${server.url}/projects/${pid}`);
    const row = page.locator(`[data-testid="mode-${tid}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-mode')).toBe('open');
    await row.locator('[data-testid=mode-select]').selectOption('independent');
    await page.waitForSelector('[data-testid=mode-confirm]');
    expect(await page.locator('[data-testid=mode-confirm]').textContent()).toMatch(/private layer/);
    await page.click('[data-testid=mode-confirm-btn]');
    await expect.poll(() => row.getAttribute('data-mode'), { timeout: 10_000 }).toBe('independent');
    await row.locator('[data-testid=reveal-btn]').waitFor();
    await screenshot(page, 'reconcile-01-project-independent');
  });

  it('A and B code independently; neither sees the other’s codings', async () => {
    await openTranscript(a.page);
    await a.page.waitForSelector('.banner.info:has-text("Independent coding")');
    expect(await a.page.locator('.banner.info').textContent()).toMatch(/private until an owner reveals/);
    await codeSelection(a.page, Q_SAME, 'Background');
    await codeSelection(a.page, Q_DIFF, 'Use of ML');
    await codeSelection(a.page, Q_ONLY_A, 'Data sources');
    await codeSelection(a.page, Q_BOUND_A, 'Explainability');
    await expect.poll(() => a.page.locator('.cm-stripe-label').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // A leaves for now (A's cursor label would sit inside the words B selects next)
    await a.page.goto(`${server.url}/projects/${pid}`);

    await openTranscript(b.page);
    await b.page.waitForSelector('.banner.info:has-text("Independent coding")');
    // the codes are shared (one codebook), the codings are not
    await b.page.waitForSelector('.codebook [data-code-name="Explainability"]', { timeout: 15_000 });
    await scrollToText(b.page, Q_DIFF);
    expect(await b.page.locator(`${EDITOR} .cm-coding`).count()).toBe(0);
    await codeSelection(b.page, Q_SAME, 'Background');
    await codeSelection(b.page, Q_DIFF, 'Product context');
    await codeSelection(b.page, Q_ONLY_B, 'Data sources');
    await codeSelection(b.page, Q_BOUND_B, 'Explainability');
    await screenshot(b.page, 'reconcile-02-independent-coding-B');
    // A, back in the transcript, still sees only A's own codings
    await openTranscript(a.page);
    await scrollToText(a.page, Q_ONLY_B);
    expect(await a.page.locator(`${EDITOR} .cm-coding`, { hasText: 'demographic' }).count()).toBe(0);

    // nothing is shared yet: no figures, no disagreements
    const before = await api<{ hidden: string[]; pairs: unknown[] }>(o.context, server.url, 'GET', `/api/projects/${pid}/agreement`);
    expect(before.hidden).toEqual([tid]);
    expect(before.pairs).toEqual([]);
    // the private codings are in the coders' layers, not in the shared transcript
    expect(await api<unknown[]>(o.context, server.url, 'GET', `/api/projects/${pid}/segments?transcript=${tid}`)).toEqual([]);
    // the layers reached the server (each coder's own codings)
    await eventually(async () => {
      const dis = await o.context.request.get(`${server.url}/api/projects/${pid}/transcripts/${tid}/disagreements?coders=${aId},${bId}`);
      return dis.status() === 400;
    }, 5000, 'disagreements refused before the reveal');
  });

  it('the owner reveals after a clear confirmation, and sees the agreement figures', async () => {
    const page = o.page;
    const row = page.locator(`[data-testid="mode-${tid}"]`);
    await row.locator('[data-testid=reveal-btn]').click();
    const dialog = page.locator('[data-testid=mode-confirm]');
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/cannot be undone/);
    await screenshot(page, 'reconcile-03-reveal-confirmation');
    await page.click('[data-testid=mode-confirm-btn]');
    await expect.poll(() => row.getAttribute('data-revealed'), { timeout: 10_000 }).toBe('true');
    // the coders still in the coding view switch over live: no more private layer, a way to reconcile
    for (const p of [a.page, b.page]) await p.waitForSelector('[data-testid=revealed-banner]', { timeout: 20_000 });
    await row.locator('[data-testid=reconcile-btn]').waitFor();
    await screenshot(page, 'reconcile-03b-project-revealed');

    await page.click('[data-testid=agreement-link]');
    await page.waitForSelector('[data-testid=agreement-table]', { timeout: 20_000 });
    expect(await page.locator('[data-testid=pair-label]').textContent()).toBe(ADA === 'A' ? `${A.name} & ${B.name}` : `${B.name} & ${A.name}`);
    const report = await api<{ pairs: { overall: { n: number; kappa: number | null; percent: number | null } }[] }>(
      o.context, server.url, 'GET', `/api/projects/${pid}/agreement`,
    );
    const overall = report.pairs[0]!.overall;
    expect(overall.n).toBeGreaterThan(0);
    // the page shows what the API says
    expect(await page.locator('[data-testid=overall-n]').textContent()).toBe(overall.n.toLocaleString('en-US'));
    expect(await page.locator('[data-testid=overall-percent]').textContent()).toBe(overall.percent === null ? 'n/a' : `${Math.round(overall.percent * 100)}%`);
    for (const code of ['Background', 'Use of ML', 'Product context', 'Data sources', 'Explainability']) {
      await page.locator(`[data-testid=agreement-table] tr[data-code="${code}"]`).waitFor();
    }
    // Background was coded identically: perfect agreement on that code
    expect(await page.locator('[data-testid=agreement-table] tr[data-code="Background"] td').nth(1).textContent()).toContain('1.00');
    expect(await page.locator('[data-testid=unit-note]').textContent()).toMatch(/Unit: words/);
    await page.waitForSelector('[data-testid=agreement-chart] svg', { timeout: 15_000 });
    // the chart's tooltip names the code and the measure with its value (no internal field names)
    const bar = page.locator('[data-testid=agreement-chart] svg [aria-label=bar] rect').first();
    await bar.hover();
    const tip = page.locator('[data-testid=agreement-chart] svg [aria-label=tip]');
    await expect.poll(() => tip.textContent(), { timeout: 5000 }).toMatch(/(Cohen’s κ|Krippendorff’s α): −?\d\.\d\d/);
    expect(await tip.textContent()).not.toMatch(/\bfy\b|\bvalue\b/);
    await expect.poll(() => page.locator('[data-testid=reconcile-progress]').textContent(), { timeout: 15_000 }).toContain('0 of 4 decided');
    await fullShot(page, 'reconcile-04-agreement-view');
  });

  it('A and B open the live session together: one shared position', async () => {
    // A comes from the agreement figures, B from the project page
    await a.page.goto(`${server.url}/projects/${pid}/agreement`);
    await a.page.click('[data-testid=reconcile-link]');
    await b.page.goto(`${server.url}/projects/${pid}`);
    await b.page.click(`[data-testid="mode-${tid}"] [data-testid=reconcile-btn]`);
    for (const p of [a.page, b.page]) {
      const [first, second] = ADA === 'A' ? [aId, bId] : [bId, aId];
      await p.waitForURL(new RegExp(`/reconcile\\?a=${first}&b=${second}`), { timeout: 15_000 });
      await expect.poll(() => p.locator('[data-testid=reconcile-progress]').getAttribute('data-total'), { timeout: 20_000 }).toBe('4');
      await p.waitForSelector('[data-testid=decision-panel]');
    }
    await expect.poll(async () => (await panelKey(a.page)) === (await panelKey(b.page)), { timeout: 10_000 }).toBe(true);
    expect(await a.page.locator('[data-testid=current-kind]').textContent()).toBe('Different codes');
    // both spans are highlighted in the text, labelled A and B in the margin
    await expect.poll(() => a.page.locator(`${EDITOR} .cm-coding`).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect((await a.page.locator(`${EDITOR} .cm-coding`).allTextContents()).join('')).toContain('recommender system');
    await a.page.waitForSelector(`.cm-stripe-label:has-text("${ADA} · Use of ML")`);
    await a.page.waitForSelector(`.cm-stripe-label:has-text("${BEN} · Product context")`);
    // each sees the other in the session
    await a.page.waitForSelector(`[data-testid="participant-${B.name}"]`, { timeout: 10_000 });
    await b.page.waitForSelector(`[data-testid="participant-${A.name}"]`, { timeout: 10_000 });
    // the A/B badges are in those coders' own colours (as their cursors and avatars)
    const colour = (p: Page, sel: string): Promise<string> => p.locator(sel).first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await colour(b.page, `.legend .tag:text-is("${ADA}")`)).toBe(await colour(b.page, `[data-testid="participant-${A.name}"] .avatar`));
    expect(await colour(a.page, `.legend .tag:text-is("${BEN}")`)).toBe(await colour(a.page, `[data-testid="participant-${B.name}"] .avatar`));
    // 800 px wide: speaker names stay on one line, the text keeps a readable width
    await a.page.setViewportSize({ width: 800, height: 900 });
    try {
      await expect.poll(() => a.page.locator(EDITOR).evaluate((el) => el.clientWidth), { timeout: 5000 }).toBeGreaterThan(300);
      const names = await a.page.locator(`${EDITOR} .cm-speaker-name`).evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
      expect(names.length).toBeGreaterThan(0);
      for (const h of names) expect(h).toBeLessThan(24);
    } finally {
      await a.page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('A decides the first; B sees the decision and the position move', async () => {
    const first = await panelKey(a.page);
    await decide(a.page, 'keep-both', 'Both readings hold: the system and the product');
    await expect.poll(() => logCount(b.page), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => panelKey(b.page), { timeout: 10_000 }).not.toBe(first);
    expect(await b.page.locator('[data-testid=current-kind]').textContent()).toBe(only(ADA));
    expect(await b.page.locator('[data-testid=decision-log] > li').first().textContent()).toContain(A.name);
    expect(await b.page.locator('[data-testid=decision-log] > li').first().textContent()).toContain('Both readings hold');
    await expect.poll(() => b.page.locator('[data-testid=reconcile-progress]').getAttribute('data-decided')).toBe('1');
  });

  it('B can look around on their own without moving A, then follows again', async () => {
    const shared = await panelKey(a.page);
    await b.page.click('[data-testid=follow-toggle]');
    await b.page.locator('[data-testid=disagreement-list] button[data-key]').last().click();
    await expect.poll(() => b.page.locator('[data-testid=current-kind]').textContent()).toBe('Different boundaries');
    await new Promise((r) => setTimeout(r, 500));
    expect(await panelKey(a.page)).toBe(shared);
    await b.page.click('[data-testid=follow-toggle]');
    await expect.poll(() => panelKey(b.page)).toBe(shared);
  });

  it('B decides the next one, A sees it; A decides the third', async () => {
    const second = await panelKey(b.page);
    // accept Ada's coding, whichever side Ada is on
    await decide(b.page, `accept-${lower(ADA)}`, 'Web logs are a data source');
    await expect.poll(() => logCount(a.page), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => panelKey(a.page), { timeout: 10_000 }).not.toBe(second);
    expect(await a.page.locator('[data-testid=current-kind]').textContent()).toBe(only(BEN));

    await decide(a.page, 'reject', 'Demographics are not a quality issue here');
    await expect.poll(() => logCount(b.page), { timeout: 10_000 }).toBe(3);
    expect(await b.page.locator('[data-testid=current-kind]').textContent()).toBe('Different boundaries');
    await expect.poll(() => b.page.locator('[data-testid=reconcile-progress]').getAttribute('data-decided')).toBe('3');
  });

  it('deferring needs a reason; the last one is then merged', async () => {
    // defer without saying why is refused
    await b.page.click('[data-testid=decision-panel] button[data-action="defer"]');
    await b.page.waitForSelector('[data-testid=decision-panel] [role=alert]:has-text("Say why")');
    expect(await logCount(a.page)).toBe(3);
    await decide(b.page, 'defer', 'Ask the PI how much context to code');
    await expect.poll(() => logCount(a.page), { timeout: 10_000 }).toBe(4);
    await a.page.waitForSelector('[data-testid=current-decision]:has-text("Deferred")');
    await expect.poll(() => a.page.locator('[data-testid=reconcile-progress]').textContent()).toContain('1 deferred');
    await screenshot(b.page, 'reconcile-05-session-B');

    await decide(a.page, 'merge', 'The PI says: code the whole explanation');
    await expect.poll(() => b.page.locator('[data-testid=reconcile-progress]').getAttribute('data-decided'), { timeout: 10_000 }).toBe('4');
    await b.page.waitForSelector('[data-testid=current-decision]:has-text("merge boundaries")');
    await b.page.waitForSelector('[data-testid=all-decided]');
    await screenshot(a.page, 'reconcile-06-session-A-done');
  });

  it('the consensus layer and the decision log hold the decisions', async () => {
    type Seg = { codeName: string; text: string; coderId: string };
    const segs = await api<Seg[]>(o.context, server.url, 'GET', `/api/projects/${pid}/segments?transcript=${tid}`);
    const got = segs.map((s) => `${s.codeName}: ${s.text}`).sort();
    expect(got).toEqual([
      `Background: ${Q_SAME}`, // coded the same by both: agreed, so in the consensus without a decision
      `Data sources: ${Q_ONLY_A}`,
      `Explainability: ${Q_BOUND_B}`,
      `Product context: ${Q_DIFF}`,
      `Use of ML: ${Q_DIFF}`,
    ].sort());

    const log = await api<{ who: string; decision: string; why: string; what: string }[]>(o.context, server.url, 'GET', `/api/projects/${pid}/transcripts/${tid}/decisions`);
    expect(log.map((d) => [d.who, d.decision])).toEqual([
      [A.name, 'keep both'],
      [B.name, `accept ${ADA}`],
      [A.name, 'reject'],
      [B.name, 'defer'],
      [A.name, 'merge boundaries'],
    ]);
    expect(log[3]!.why).toBe('Ask the PI how much context to code');
    expect(log[0]!.what).toContain('recommender system');

    // the log downloads as CSV from the session
    const href = await a.page.locator('[data-testid=decisions-csv]').getAttribute('href');
    const csv = await a.context.request.get(`${server.url}${href}`);
    // named by the transcript (not its id), with the transcript's name in a column
    const tname = 'Interview 2 - recommender';
    expect(csv.headers()['content-disposition']).toMatch(/attachment; filename="decisions-Interview-2-+recommender\.csv"/);
    expect(csv.headers()['content-disposition']).not.toContain(tid);
    const lines = (await csv.text()).trim().split(/\r?\n/);
    expect(lines[0]).toBe('transcript,when,who,decision,why,what,disagreement');
    for (const l of lines.slice(1)) expect(l.startsWith(`${tname},`)).toBe(true);
    expect(lines).toHaveLength(6);

    // the agreement page shows the reconciliation as done
    await o.page.reload();
    await expect.poll(() => o.page.locator('[data-testid=reconcile-progress]').textContent(), { timeout: 20_000 }).toContain('4 of 4 decided');
  });
});
