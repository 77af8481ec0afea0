/**
 * The plan editor follows a plan changed elsewhere (the manager's other tab, the lead's decisions) at once, but never
 * under a cell being typed into: new rows would close its editor and lose what is typed there.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn } from './browser.ts';

let h: Harness;
let browser: Browser;
let manager: Session;
let managerId: string;
let managerEmail: string;
const clients: Record<string, string> = {};
const PERIOD = '2026-12';
const WAIT = { timeout: 20_000 };

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const admin = await f.user('admin');
  const m = await f.user('manager', { name: 'Max Manager' });
  managerId = m.id;
  managerEmail = m.email;
  for (const name of ['Acme', 'Globex']) clients[name] = (await f.client(m.id, name)).id;
  const a = await login(h, admin.email);
  expect((await a.put('/currency-rates', { currency: 'RUB', rates: [], version: 0 })).status).toBe(200);
  manager = await login(h, m.email);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

it('keeps what is being typed in a cell while the plan changes in another tab, and shows the change once it is left', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' })).newPage();
  await logIn(page, h, managerEmail);
  await page.goto(`${h.baseUrl}/plans?period=${PERIOD}`);
  const grid = page.getByTestId('plan-grid');
  await grid.locator('.ag-row').first().waitFor();
  await page.waitForLoadState('networkidle');

  // a client's name typed into the blank line's first cell, its editor still open
  await grid.locator('.ag-grid-scrolling-rows .ag-row [col-id="client"]').first().click();
  await page.keyboard.type('glob');
  await page.locator('.ag-cell-inline-editing[col-id="client"] input').waitFor();

  // meanwhile the plan is saved in another tab: this page reads it again (live) while the editor is open
  const reread = page.waitForResponse(
    (r) => r.url().endsWith(`/plans/${managerId}/${PERIOD}`) && r.request().method() === 'GET' && r.ok(),
  );
  const saved = await manager.put(`/plans/${managerId}/${PERIOD}`, {
    lines: [{ clientId: clients.Acme, amount: '500', currency: 'RUB', expectedOn: `${PERIOD}-10` }],
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  await reread;

  // the editor is still open with what was typed
  expect(await page.locator('.ag-cell-inline-editing[col-id="client"] input').inputValue()).toBe('glob');
  // the typing given up (Escape), nothing was changed here: the plan as saved in the other tab shows
  await page.keyboard.press('Escape');
  const clientCells = grid.locator('.ag-grid-scrolling-rows .ag-row [col-id="client"]');
  await expect.poll(() => clientCells.allInnerTexts(), WAIT).toContain('Acme');
});
