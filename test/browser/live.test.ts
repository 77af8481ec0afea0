/**
 * Live updates across two browser sessions: a colleague moves a deal, and the board and the deal page open in the
 * other browser show it without a reload (Server-Sent Events on GET /api/v1/stream).
 * The tabs of one browser share one stream: one leader tab holds it and relays to the others; when it closes, another
 * tab takes over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness } from '../support/harness.ts';
import { launch, logIn } from './browser.ts';

let h: Harness;
let browser: Browser;
let leadEmail: string;
let managerEmail: string;
let dealId: string;
let pipeline: { id: string; stages: { id: string; name: string }[] };
const stage = (name: string) => pipeline.stages.find((s) => s.name === name)!.id;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  pipeline = await f.pipeline(
    [
      ['Lead', 'open', [], []],
      ['Qualified', 'open', [], []],
      ['Won', 'won', [], []],
    ],
    'Live pipeline',
  );
  const lead = await f.user('lead', { name: 'Lena Lead' });
  const dept = await f.department('Live group', lead.id);
  const manager = await f.user('manager', { name: 'Max Manager', departmentId: dept.id });
  leadEmail = lead.email;
  managerEmail = manager.email;
  const client = await f.client(manager.id, 'Live Client');
  const s = await login(h, manager.email);
  const d = await s.post('/deals', { title: 'Watched live', clientId: client.id, pipelineId: pipeline.id });
  expect(d.status).toBe(201);
  dealId = (d.body as { id: string }).id;
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('live updates', () => {
  it("shows a colleague's move on the board and on the deal page of another browser", async () => {
    const watcher = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const mover = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const board = await watcher.newPage();
      await logIn(board, h, leadEmail);
      await board.goto(`${h.baseUrl}/deals?pipeline=${pipeline.id}`);
      const column = (name: string) => board.locator(`[data-testid="stage-column"][data-stage-id="${stage(name)}"]`);
      await column('Lead').locator(`[data-deal-id="${dealId}"]`).waitFor();
      const dealPage = await watcher.newPage();
      await dealPage.goto(`${h.baseUrl}/deals/${dealId}`);
      await dealPage.getByTestId('deal-page').waitFor();

      const page = await mover.newPage();
      await logIn(page, h, managerEmail);
      await page.goto(`${h.baseUrl}/deals?pipeline=${pipeline.id}`);
      const card = page.locator(`[data-testid="deal-card"][data-deal-id="${dealId}"]`);
      await card.getByTestId('deal-card-menu').click();
      await page
        .getByTestId('move-menu')
        .locator(`[data-testid="move-to"][data-stage-id="${stage('Qualified')}"]`)
        .click();
      await page.getByTestId('toast-ok').waitFor();

      // the other browser, without a reload
      await column('Qualified').locator(`[data-deal-id="${dealId}"]`).waitFor({ timeout: 10_000 });
      expect(await column('Lead').locator(`[data-deal-id="${dealId}"]`).count()).toBe(0);
      await expect
        .poll(() => dealPage.locator('[data-testid="history-move"]').count(), { timeout: 10_000 })
        .toBeGreaterThan(0);
    } finally {
      await watcher.close();
      await mover.close();
    }
  });

  it('shares one stream between the tabs of a browser, and another tab takes over when the leader closes', async () => {
    const watcher = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const mover = await login(h, managerEmail);
    try {
      const first = await watcher.newPage();
      await logIn(first, h, leadEmail);
      const openBoard = async (p: Page) => {
        await p.goto(`${h.baseUrl}/deals?pipeline=${pipeline.id}`);
        await p.locator(`[data-testid="deal-card"][data-deal-id="${dealId}"]`).waitFor();
      };
      await openBoard(first);
      // the first tab leads: its stream is open before the others ask to lead
      await expect.poll(() => h.ctx.live.size, { timeout: 10_000 }).toBe(1);
      const tabs = [first, await watcher.newPage(), await watcher.newPage()];
      await openBoard(tabs[1]);
      await openBoard(tabs[2]);

      let version = ((await mover.get(`/deals/${dealId}`)).body as { version: number }).version;
      const moveTo = async (name: string) => {
        const r = await mover.post(`/deals/${dealId}/stage`, { stageId: stage(name), version });
        expect(r.status).toBe(200);
        version = (r.body as { version: number }).version;
      };
      const shows = (p: Page, name: string) =>
        p
          .locator(`[data-testid="stage-column"][data-stage-id="${stage(name)}"] [data-deal-id="${dealId}"]`)
          .waitFor({ timeout: 10_000 });

      const now = ((await mover.get(`/deals/${dealId}`)).body as { stageId: string }).stageId;
      const target = now === stage('Lead') ? 'Qualified' : 'Lead';
      await moveTo(target);
      await Promise.all(tabs.map((p) => shows(p, target)));
      // all three tabs are live, on one connection to the server
      expect(h.ctx.live.size).toBe(1);

      await first.close();
      const back = target === 'Lead' ? 'Qualified' : 'Lead';
      await moveTo(back);
      await Promise.all(tabs.slice(1).map((p) => shows(p, back)));
      await expect.poll(() => h.ctx.live.size, { timeout: 10_000 }).toBe(1);
    } finally {
      await watcher.close();
    }
  });
});
