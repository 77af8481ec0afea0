/**
 * The board with 5,000 deals on a slow device (Chromium's CPU 4× slower): the board needs one round trip after the
 * shell (session, pipelines and board asked together: proven by holding the session's answer back until the board
 * has been asked for), and the time to the first card is measured and printed; the JS each route loads before its
 * first paint (its chunks with their static imports, and the messages in the user's language) is printed too (gzip).
 * Issue 7's budgets: the board route's initial JS ≤ 150 KB gzip is asserted (148 KB; 187 KB before dragging came
 * after the first paint, i18next was replaced and the shell became one chunk; the late pages' messages are left out of
 * the boot catalog, web/src/i18n/late-prefixes.ts); the first card ≤ 1 s at 4× is measured
 * and printed, not asserted (on a shared machine the load changes it several-fold: compare builds in the same minutes).
 * The boot's reads are asked for by the early boot script (web/src/boot/early.ts) while the shell loads, and the first
 * render draws the page with them at once; what that frame goes without comes after it is painted (after-paint.ts).
 * What is left at 4×: compiling and evaluating the shell (react-dom, React Router, Mantine, TanStack Query), one
 * render of the shell and the first cards of each column (the first plural message initialises Intl's plural rules;
 * Mantine's inputs set their ids in a layout effect, so React renders them again before the paint), and the first
 * layout; on a busy machine the API's answers too. Playwright's polling (20, 50, 100, 100, then 500 ms apart) rounds
 * the printed figure up to its next look.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { fixtures, startHarness, type Harness } from '../support/harness.ts';
import { launch, logIn } from './browser.ts';

let h: Harness;
let browser: Browser;
let email: string;
let pipelineId: string;
const N = 5000;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const pipeline = await f.pipeline(
    [
      ['Lead', 'open', [], []],
      ['Qualified', 'open', [], []],
      ['Proposal', 'open', [], []],
      ['Negotiation', 'open', [], []],
      ['Won', 'won', [], []],
      ['Lost', 'lost', [], []],
    ],
    'Big board',
  );
  pipelineId = pipeline.id;
  const m = await f.user('manager', { name: 'Perf Manager' });
  email = m.email;
  const client = await f.client(m.id, 'Perf Client');
  const now = Date.now();
  for (let start = 0; start < N; start += 1000) {
    const rows = Array.from({ length: 1000 }, (_, k) => start + k);
    const values = rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, 1)").join(', ');
    const params = rows.flatMap((i) => {
      const at = new Date(now - i * 1000);
      return [
        randomUUID(),
        `Deal ${i}`,
        client.id,
        m.id,
        pipeline.id,
        pipeline.stages[i % 6].id,
        `${(i % 97) * 100}.00`,
        'EUR',
        at,
        at,
      ];
    });
    await h.ctx.orm.em.getConnection().execute(
      `insert into deals (id, title, client_id, owner_id, pipeline_id, stage_id, amount, currency, custom, created_at, updated_at, version)
       values ${values}`,
      params,
    );
  }
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('board performance', () => {
  it('asks for the board without waiting for the session: one round trip after the shell', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await logIn(page, h, email);
    await page.goto(`${h.baseUrl}/deals?pipeline=${pipelineId}`);
    await page.getByTestId('deal-card').first().waitFor();
    // from here the session's answer is held back until the board's request has been made (or 20 s have passed):
    // a board that waited for the session would only be asked for after the hold gave up
    let boardAsked!: () => void;
    const asked = new Promise<boolean>((resolve) => {
      boardAsked = () => resolve(true);
    });
    const held: boolean[] = [];
    await page.route('**/api/v1/deals/board?**', (route) => {
      boardAsked();
      return route.continue();
    });
    await page.route('**/api/v1/auth/me', async (route) => {
      held.push(await Promise.race([asked, new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]));
      await route.continue();
    });
    // the boot's reads, asked for by the early boot script before the app's code has loaded, are not asked again
    const asks: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/v1/')) asks.push(u.pathname);
    });
    await page.goto(`${h.baseUrl}/deals?pipeline=${pipelineId}`);
    await page.getByTestId('deal-card').first().waitFor({ timeout: 60_000 });
    expect(held.length).toBeGreaterThan(0);
    expect(held.every(Boolean)).toBe(true);
    for (const read of ['/api/v1/auth/me', '/api/v1/pipelines', '/api/v1/deals/board'])
      expect(asks.filter((p) => p === read)).toEqual([read]);
    await context.close();
  }, 120_000);

  it('shows a 5,000-deal board and measures the first card at 4× CPU slowdown', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await logIn(page, h, email);
    await page.goto(`${h.baseUrl}/deals?pipeline=${pipelineId}`);
    await page.getByTestId('deal-card').first().waitFor();
    // marks the animation frame in which the first card is in the page (its callbacks run just before that paint)
    await context.addInitScript(() => {
      const w = window as unknown as { firstCardAt?: number };
      new MutationObserver((_, observer) => {
        if (!document.querySelector('[data-testid="deal-card"]')) return;
        observer.disconnect();
        requestAnimationFrame(() => (w.firstCardAt = performance.now()));
      }).observe(document, { childList: true, subtree: true });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const times: number[] = [];
    const seen: number[] = [];
    let apiStarts: { url: string; start: number; end: number }[] = [];
    for (let run = 0; run < 2; run++) {
      await page.goto('about:blank');
      await page.goto(`${h.baseUrl}/deals?pipeline=${pipelineId}`, { waitUntil: 'commit' });
      await page.getByTestId('deal-card').first().waitFor({ timeout: 60_000 });
      seen.push(await page.evaluate(() => performance.now()));
      // the frame that drew the first card (marked by a script the test adds before the page's own), not when this
      // test's polling noticed it
      times.push(await page.evaluate(() => (window as unknown as { firstCardAt: number }).firstCardAt));
      apiStarts = await page.evaluate(() =>
        (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
          .filter((e) => e.name.includes('/api/v1/'))
          .map((e) => ({
            url: new URL(e.name).pathname,
            start: Math.round(e.startTime),
            end: Math.round(e.responseEnd),
          })),
      );
    }
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    const best = Math.min(...times);
    console.log(
      `board, ${N} deals, CPU 4x: first card drawn at ${times.map((t) => Math.round(t)).join(' / ')} ms (seen by the test at ${seen.map((t) => Math.round(t)).join(' / ')} ms); API: ${JSON.stringify(apiStarts)}`,
    );
    // the first cards of each column come first, the rest right after
    await expect.poll(() => page.getByTestId('deal-card').count(), { timeout: 30_000 }).toBe(6 * 50);
    console.log(`first card drawn, best of ${times.length}: ${Math.round(best)} ms (budget 1000 ms)`);
    await context.close();
  }, 240_000);

  it('loads at most 150 KB of JS (gzip) before the board, and reports what each route loads first', () => {
    const dist = path.resolve(import.meta.dirname, '..', '..', 'dist', 'web');
    const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
    const gz = (f: string) => zlib.gzipSync(fs.readFileSync(path.join(dist, f))).length;
    const chunks = fs.readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.js'));
    const named = (name: string) => chunks.find((f) => f.replace(/-[\w-]{8}\.js$/, '') === name);
    /** a chunk and every chunk it imports statically (what the browser loads before running it) */
    const closure = (starts: string[]) => {
      const seen = new Set<string>();
      const visit = (f: string) => {
        if (seen.has(f)) return;
        seen.add(f);
        const code = fs.readFileSync(path.join(dist, f), 'utf8');
        for (const m of code.matchAll(/(?:from|import)\s*"\.\/([\w.-]+\.js)"/g)) visit(`assets/${m[1]}`);
      };
      starts.forEach(visit);
      return seen;
    };
    const bytes = (files: Set<string>) => [...files].reduce((a, f) => a + gz(f), 0);
    const kb = (files: Set<string>) => Math.round(bytes(files) / 1024);
    const entry = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    const shell = closure(entry);
    // the board is the home page, in the shell; its first paint also needs the messages in the user's language
    const board = closure([...entry, `assets/${named('en')}`]);
    const routes = Object.fromEntries(
      ['list-page', 'deal-page', 'clients-page', 'import-page', 'pipelines-page', 'users-page', 'audit-page'].map(
        (page) => [page, kb(closure([...entry, `assets/${named('en')}`, `assets/${named(page)}`]))],
      ),
    );
    console.log(
      `initial JS (gzip): shell ${kb(shell)} KB; board route ${(bytes(board) / 1024).toFixed(1)} KB (budget 150 KB); ` +
        `other routes KB: ${JSON.stringify(routes)}`,
    );
    // issue 7's budget: the board route's initial JS, gzip
    expect(bytes(board)).toBeLessThanOrEqual(150 * 1024);
  });
});
