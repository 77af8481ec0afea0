/**
 * The administrator's calendar page in a real browser: an outcome added for calls is offered to managers, one archived
 * is not; the asking cadence is saved and a working day that ends before it starts is refused on its field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let manager: Session;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const a = await f.user('admin', { name: 'Ada Admin' });
  manager = await login(h, (await f.user('manager')).email);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await logIn(page, h, a.email);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const offered = async () =>
  ((await manager.get('/calendar/outcomes')).body.items as { kind: string; label: string }[])
    .filter((o) => o.kind === 'call')
    .map((o) => o.label);

describe('calendar settings for administrators', () => {
  it('adds an outcome for calls and archives another', async () => {
    await page.goto(`${h.baseUrl}/admin/calendar`);
    await page.getByTestId('new-outcome').fill('Sent the price list');
    await page.getByTestId('add-outcome').click();
    await expect.poll(offered).toContain('Sent the price list');
    const row = page.getByTestId('outcome-row').filter({ has: page.locator('input[value="Not interested"]') });
    await row.getByRole('button', { name: 'Archive' }).click();
    await expect.poll(offered).not.toContain('Not interested');
    await row.getByRole('button', { name: 'Restore' }).waitFor();
    await screenshot(page, 'calendar-admin');
  });

  it('saves the cadence, and refuses a working day that ends before it starts', async () => {
    const form = page.getByTestId('cadence-form');
    await form.getByLabel('Ask again every (minutes)').fill('30');
    await form.getByLabel('Working day ends').fill('08:00');
    await page.getByTestId('cadence-save').click();
    await form.getByText('The working day ends after it starts').waitFor();
    expect((await manager.get('/calendar/settings')).body.askEveryMinutes).toBe(60);
    await form.getByLabel('Working day ends').fill('17:30');
    await page.getByTestId('cadence-save').click();
    await expect
      .poll(async () => (await manager.get('/calendar/settings')).body)
      .toMatchObject({ askEveryMinutes: 30, workEnd: '17:30' });
  });
});
