/**
 * Plan settings and overdue confirmations in the browser: the administrator, on the plan settings page, turns
 * confirmation on, sets the review day so that this month's is past, and grants company totals to leads (saved,
 * audited, and a lead then reads the company level); a manager submits; the lead's review page shows the submission
 * among the overdue confirmations, with who should review and since when, and opens its review.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
const contexts: BrowserContext[] = [];
let admin: Session;
let lead: Session;
let manager: Session;
let adminEmail: string;
let leadEmail: string;
let managerId: string;
let clientId: string;
/** this month in UTC: with the review day before its first day, a submission is overdue at once */
const MONTH = new Date().toISOString().slice(0, 7);
const WAIT = { timeout: 20_000 };

async function pageFor(email: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  await logIn(page, h, email);
  return page;
}

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const a = await f.user('admin', { name: 'Ada Admin' });
  const l = await f.user('lead', { name: 'Lena Lead' });
  const dept = await f.department('Sales East', l.id);
  const m = await f.user('manager', { name: 'Max Manager', departmentId: dept.id });
  managerId = m.id;
  clientId = (await f.client(m.id, 'Acme')).id;
  adminEmail = a.email;
  leadEmail = l.email;
  admin = await login(h, a.email);
  lead = await login(h, l.email);
  manager = await login(h, m.email);
  expect(
    (await admin.put('/currency-rates', { currency: 'RUB', rates: [{ currency: 'USD', rate: '90' }], version: 0 }))
      .status,
  ).toBe(200);
  browser = await launch();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await h?.close();
});

describe('plan settings and overdue confirmations', () => {
  it('the administrator turns confirmation on, sets the review day and grants company totals to leads', async () => {
    expect((await lead.get(`/plan-totals?period=${MONTH}&by=group`)).status).toBe(403);
    const page = await pageFor(adminEmail);
    await page.goto(`${h.baseUrl}/deals`);
    await page.getByRole('link', { name: 'Plan settings' }).click();
    await page.getByTestId('plan-settings').waitFor(WAIT);
    expect(new URL(page.url()).pathname).toBe('/admin/plans');

    await page.getByRole('switch', { name: 'Leads confirm plans line by line' }).check();
    await page.getByTestId('plan-review-days').fill('-1');
    await page.getByTestId('plan-settings-card').locator('label', { hasText: 'Group lead' }).click();
    await screenshot(page, 'plan-settings');
    await page.getByTestId('plan-settings-save').click();
    await page.getByText('Plan settings saved').waitFor(WAIT);

    const saved = (await admin.get('/plan-settings')).body;
    expect(saved).toMatchObject({ confirmation: true, reviewDueDays: -1, companyTotalsRoles: ['lead'] });
    const audit = (await admin.get('/audit?kind=plans.settings_changed')).body.items;
    expect(audit[0].details.changed).toEqual(['confirmation', 'reviewDueDays', 'companyTotalsRoles']);
    expect((await lead.get(`/plan-totals?period=${MONTH}&by=group`)).status).toBe(200);
  });

  it("the lead's review page lists an overdue submission and opens its review", async () => {
    const saved = await manager.put(`/plans/${managerId}/${MONTH}`, {
      lines: [{ clientId, amount: '100000', currency: 'RUB', expectedOn: `${MONTH}-01` }],
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await manager.post(`/plans/${managerId}/${MONTH}/submit`, { note: 'this month' })).status).toBe(200);

    const page = await pageFor(leadEmail);
    await page.goto(`${h.baseUrl}/plan-review`);
    const row = page.getByTestId('overdue-card').getByTestId('overdue-row');
    await row.first().waitFor(WAIT);
    expect(await row.count()).toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['Max Manager', MONTH, 'Lena Lead']);
    expect(cells[4]).toContain('1 line');
    await screenshot(page, 'plan-overdue');
    await row.getByTestId('overdue-open').click();
    await page.waitForURL(/manager=/, WAIT);
    expect(new URL(page.url()).searchParams.get('manager')).toBe(managerId);
  });
});
