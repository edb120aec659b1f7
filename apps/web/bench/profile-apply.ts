/**
 * CPU profile of applying a code (recent key 1) in the coding view: the JavaScript
 * time per apply (sampled, idle and "(program)" left out) and the functions that
 * take it. Less sensitive to a loaded machine than the wall-clock benchmark,
 * which also waits for frames. Not a test.
 *
 *   npx tsx apps/web/bench/profile-apply.ts [--codings 10000]   (CONCORD_WEB_DIST=<dir> for another build)
 *
 * Minified names: map `file:line:column` with the build's source map.
 */
import { seed } from './browser.ts';
import { EDITOR, launchBrowser, selectText, startServer } from '../e2e/harness.ts';
const server = await startServer({ CONCORD_LOG: 'silent' });
const s = await seed(server.url);
const browser = await launchBrowser();
const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
const [name, value] = s.cookie.split('=') as [string, string];
await ctx.addCookies([{ name, value, domain: new URL(server.url).hostname, path: '/', httpOnly: true, sameSite: 'Lax' }]);
await ctx.addInitScript('globalThis.__name = (f) => f;');
const page = await ctx.newPage();
await page.goto(`${server.url}/projects/${s.pid}/transcripts/${s.tid}`);
await page.waitForSelector(`${EDITOR} .cm-coding`, { timeout: 60000 });
await page.waitForTimeout(3000);
const phrase = await page.evaluate((sel) => { const l = [...document.querySelectorAll(`${sel} .cm-line`)].find((x) => (x.textContent ?? '').length > 80); return (l?.textContent ?? '').replace(/\u2060/g, '').split(/\s+/).filter(Boolean).slice(1, 5).join(' '); }, EDITOR);
await selectText(page, phrase);
await page.keyboard.press('c');
await page.waitForSelector('[data-testid=code-picker]');
await page.keyboard.type(s.codeNames[2]!);
await page.keyboard.press('Enter');
await page.waitForTimeout(1500);
const cdp = await ctx.newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
const totals = new Map<string, number>();
for (let i = 0; i < 3; i++) {
  await selectText(page, phrase);
  await page.waitForTimeout(300);
  await cdp.send('Profiler.start');
  await page.keyboard.press('1');
  await page.waitForTimeout(400);
  const { profile } = await cdp.send('Profiler.stop');
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((sid, k) => {
    const n = byId.get(sid)!;
    if (n.callFrame.functionName === '(idle)' || n.callFrame.functionName === '(program)') return;
    const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}:${n.callFrame.columnNumber}`;
    totals.set(key, (totals.get(key) ?? 0) + (dt[k] ?? 0) / 1000 / 3);
  });
  await page.keyboard.press('Control+z');
  await page.waitForTimeout(500);
}
const sum = [...totals.values()].reduce((a, b) => a + b, 0);
console.log('busy ms per apply (excluding idle/program):', sum.toFixed(1));
console.log([...totals].sort((a, b) => b[1] - a[1]).slice(0, 22).map(([k, v]) => `${v.toFixed(1)} ms  ${k}`).join('\n'));
await browser.close();
await server.stop();
process.exit(0);
