import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { makeWav } from '../../../packages/shared/src/media/fixtures/wav.ts';
import {
  EDITOR, api, eventually, launchBrowser, makeUser, openTranscriptAt, screenshot, selectText, startServer, stepByStep, userContext,
  type RunningServer, type TestUser,
} from './harness.ts';

/**
 * Transcripts from recordings: A drops a Zoom .vtt and an .srt on a project,
 * attaches a WAV the test writes itself, codes a passage, and clicking the
 * coding plays the recording from its turn; playing moves the lit turn. B (a
 * coder in the same transcript) has a player of their own that does not move.
 */
const VTT = `WEBVTT

1
00:00:01.000 --> 00:00:04.000
Interviewer: Thanks for joining. Could you introduce yourself?

2
00:00:05.000 --> 00:00:09.500
Amélie Dubois: Sure. I lead the data team and we build ranking models.

3
00:00:10.000 --> 00:00:12.500
Interviewer: What goes wrong most often?

4
00:00:13.000 --> 00:00:16.000
Amélie Dubois: Labels arrive late and nobody checks them.

5
00:00:16.500 --> 00:00:19.000
Interviewer: Thank you, that is very helpful.
`;
const SRT = `1
00:00:00,500 --> 00:00:03,000
Interviewer: How long have you worked on this system?

2
00:00:03,400 --> 00:00:07,900
Participant 2: About three years, mostly on the data pipeline.

3
00:00:08,000 --> 00:00:10,250
Interviewer: And before that?
`;

let server: RunningServer;
let browser: Browser;
const A: TestUser = makeUser('Ada Okafor');
const B: TestUser = makeUser('Ben Lindqvist');
let a: { context: BrowserContext; page: Page };
let b: { context: BrowserContext; page: Page };
let pid = '';
let url = '';

const PLAYER = '[data-testid=media-player]';
const currentTime = (page: Page) => page.$eval(PLAYER, (el) => (el as HTMLMediaElement).currentTime);
const paused = (page: Page) => page.$eval(PLAYER, (el) => (el as HTMLMediaElement).paused);
const litText = (page: Page) => page.locator(`${EDITOR} .cm-turn-playing`).allTextContents().then((t) => t.join(' '));

describe('transcripts played beside their recordings', () => {
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    a = await userContext(browser, server.url, A, { signup: 'api' });
    b = await userContext(browser, server.url, B, { signup: 'api' });
    ({ id: pid } = await api<{ id: string }>(a.context, server.url, 'POST', '/api/projects', { name: 'Recorded interviews' }));
    await api(a.context, server.url, 'POST', `/api/projects/${pid}/members`, { email: B.email, role: 'coder' });
  });

  stepByStep('recording', () => [['A', a?.page], ['B', b?.page]]);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('A drops a .vtt and an .srt on the project: both import with their times', async () => {
    const page = a.page;
    await page.goto(`${server.url}/projects/${pid}`);
    await page.waitForSelector('.zone');
    const dataTransfer = await page.evaluateHandle(({ vtt, srt }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([vtt], 'GMT20240105-140312_Recording.transcript.vtt', { type: 'text/vtt' }));
      dt.items.add(new File([srt], 'interview-7.srt', { type: 'application/x-subrip' }));
      return dt;
    }, { vtt: VTT, srt: SRT });
    await page.dispatchEvent('.zone', 'drop', { dataTransfer });
    await expect.poll(() => page.locator('.up.done').count(), { timeout: 20_000 }).toBe(2);
    expect(await page.locator('.up.error').count()).toBe(0);
    expect((await page.locator('.up.done .status').allTextContents()).every((s) => /turns with times/.test(s))).toBe(true);
    const detail = await api<{ transcripts: { id: string; name: string }[] }>(a.context, server.url, 'GET', `/api/projects/${pid}`);
    expect(detail.transcripts).toHaveLength(2);
    const vtt = detail.transcripts.find((t) => t.name.includes('GMT20240105'))!;
    url = `${server.url}/projects/${pid}/transcripts/${vtt.id}`;
  });

  it('A attaches a WAV; the times show in the margin and B gets a player too', async () => {
    await openTranscriptAt(a.page, url);
    expect(await a.page.locator('[data-testid=source-file]').textContent()).toBe('GMT20240105-140312_Recording.transcript.vtt');
    await a.page.setInputFiles('[data-testid=media-input]', { name: 'interview.wav', mimeType: 'audio/wav', buffer: Buffer.from(makeWav(20)) });
    await a.page.waitForSelector(PLAYER);
    await eventually(() => a.page.$eval(PLAYER, (el) => (el as HTMLMediaElement).readyState >= 1), 15_000, 'metadata loaded');
    expect(await a.page.$eval(PLAYER, (el) => Math.round((el as HTMLMediaElement).duration))).toBe(20);
    expect(await a.page.locator(`${EDITOR} .cm-turn-time`).allTextContents()).toEqual(['0:01', '0:05', '0:10', '0:13', '0:16']);

    await openTranscriptAt(b.page, url);
    await b.page.waitForSelector(PLAYER);
  });

  it('clicking a coding sets the player to its turn\'s start', async () => {
    const page = a.page;
    await selectText(page, 'Labels arrive late');
    await page.keyboard.press('c');
    await page.waitForSelector('[data-testid=code-picker]');
    await page.keyboard.type('Late labels');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${EDITOR} .cm-coding`);
    await page.keyboard.press('Escape');
    await page.locator(`${EDITOR} .cm-coding`).first().click();
    // the turn "Labels arrive late…" starts at 13 s
    await expect.poll(() => currentTime(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(12.5);
    expect(Math.abs((await currentTime(page)) - 13)).toBeLessThanOrEqual(0.5);
    await page.keyboard.press('Escape');
  });

  it('playing moves the highlighted turn; F9 pauses; B\'s player did not move', async () => {
    const page = a.page;
    // from the first turn's time in the margin
    await page.locator(`${EDITOR} .cm-turn-time`, { hasText: '0:01' }).click();
    await expect.poll(() => litText(page), { timeout: 10_000 }).toContain('Thanks for joining');
    await expect.poll(() => paused(page)).toBe(false);
    // 5 s on, the second turn is lit
    await expect.poll(() => litText(page), { timeout: 20_000 }).toContain('I lead the data team');
    expect(await litText(page)).not.toContain('Thanks for joining');
    await screenshot(page, 'recording-playing');
    await page.keyboard.press('F9');
    await expect.poll(() => paused(page)).toBe(true);
    const at = await currentTime(page);
    await page.keyboard.press('F7');
    await expect.poll(() => currentTime(page)).toBeLessThan(at - 4);

    expect(await paused(b.page)).toBe(true);
    expect(await currentTime(b.page)).toBe(0);
    expect(await litText(b.page)).toBe('');
  });
});
