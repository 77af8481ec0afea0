/**
 * Live updates across two browser sessions: a colleague moves a deal, and the board and the deal page open in the
 * other browser show it without a reload (Server-Sent Events on GET /api/v1/stream).
 * Needs the stream endpoint (issue 7, server side); on a branch without it this test fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
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
  dealId = d.body.id;
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
});
