/**
 * Revenue plans in the browser, the story ("Revenue planning per client…"): a manager plans a month for three
 * clients through the grid (typing with Tab and Enter, and a range pasted as from a spreadsheet) and submits it; the
 * lead, from the keyboard, approves two lines and doubts one, then finalises; the company's roll-up, open meanwhile,
 * follows live and shows the final plan without the doubtful line beside the plan as submitted, at group and company
 * level; payments entered (the form and a CSV file, previewed with its errors first) show plan against actual.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
const contexts: BrowserContext[] = [];
const gridErrors: string[] = [];
let managerPage: Page;
let leadPage: Page;
let adminPage: Page;
let managerId: string;
let adminEmail: string;
let leadEmail: string;
let managerEmail: string;
const PERIOD = '2026-12';
/** how long a change may take to show on a loaded machine (not a speed requirement) */
const WAIT = { timeout: 20_000 };

async function pageFor(email: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  // the grid library reports a missing module in the console: none may be
  page.on('console', (m) => {
    if (m.text().includes('AG Grid: error')) gridErrors.push(m.text());
  });
  await logIn(page, h, email);
  return page;
}

/** the text of a cell of the grid: the row with this client, the column by its field or id */
const cell = (page: Page, grid: string, rowText: string, col: string) =>
  page
    .getByTestId(grid)
    .locator('.ag-grid-scrolling-rows .ag-row')
    .filter({ hasText: rowText })
    .locator(`[col-id="${col}"]`);
const text = async (l: { textContent: () => Promise<string | null> }) => (await l.textContent())?.replace(/\s/g, ' ');
const figure = (page: Page, testId: string, name: string) =>
  page.getByTestId(testId).locator(`[data-figure="${name}"]`).getAttribute('data-value');

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const admin = await f.user('admin', { name: 'Ada Admin' });
  const lead = await f.user('lead', { name: 'Lena Lead' });
  const dept = await f.department('Sales East', lead.id);
  const manager = await f.user('manager', { name: 'Max Manager', departmentId: dept.id });
  managerId = manager.id;
  adminEmail = admin.email;
  leadEmail = lead.email;
  managerEmail = manager.email;
  for (const name of ['Acme', 'Globex', 'Initech']) await f.client(manager.id, name);
  const a = await login(h, admin.email);
  expect(
    (await a.put('/currency-rates', { currency: 'RUB', rates: [{ currency: 'USD', rate: '90' }], version: 0 })).status,
  ).toBe(200);
  expect(
    (
      await a.put('/plan-settings', {
        confirmation: true,
        submitDueDays: 5,
        reviewDueDays: 10,
        timeZone: 'Europe/Moscow',
        version: 1,
      })
    ).status,
  ).toBe(200);
  browser = await launch();
  managerPage = await pageFor(managerEmail);
  leadPage = await pageFor(leadEmail);
  adminPage = await pageFor(adminEmail);
});
afterAll(async () => {
  expect(gridErrors).toEqual([]);
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await h?.close();
});

describe('revenue plans in the browser', () => {
  it('a manager plans a month for three clients through the grid and submits it', async () => {
    const page = managerPage;
    await page.goto(`${h.baseUrl}/plans?period=${PERIOD}`);
    await page.getByTestId('plan-grid').locator('.ag-row').first().waitFor();
    // a person types once the page has finished loading (its messages, the navigation's counts)
    await page.waitForLoadState('networkidle');
    expect(await page.getByTestId('period-label').getAttribute('data-period')).toBe(PERIOD);

    // the first line typed: a client by name, Tab from cell to cell, the date as just the day, Enter to finish
    // (as a person does, each cell is typed into once its editor shows)
    const editing = (col: string) => page.locator(`.ag-cell-inline-editing[col-id="${col}"] input`).waitFor();
    await cell(page, 'plan-grid', '', 'client').first().click();
    await page.keyboard.type('acme');
    await page.keyboard.press('Tab');
    await editing('deal');
    await page.keyboard.press('Tab');
    await editing('amount');
    await page.keyboard.type('100 000');
    await page.keyboard.press('Tab');
    await editing('currency');
    await page.keyboard.press('Tab');
    await editing('expectedOn');
    await page.keyboard.type('15');
    await page.keyboard.press('Tab');
    await editing('comment');
    await page.keyboard.type('Annual licence');
    await page.keyboard.press('Enter');
    await expect.poll(() => text(cell(page, 'plan-grid', 'Acme', 'amount')), WAIT).toBe('100,000.00');
    expect(await text(cell(page, 'plan-grid', 'Acme', 'expectedOn'))).toBe('Dec 15, 2026');

    // two more lines pasted as a range copied from a spreadsheet, from the client cell of the next (blank) line
    await page.keyboard.press('Escape');
    await cell(page, 'plan-grid', '', 'client').last().click();
    await page.evaluate((text) => {
      const data = new DataTransfer();
      data.setData('text/plain', text);
      document.activeElement!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
    }, 'Globex\t\t50000\tRUB\t20.12.2026\tSupport\nInitech\t\t1,000\tUSD\t2026-12-20\tPilot\n');
    await expect.poll(() => text(cell(page, 'plan-grid', 'Initech', 'amount')), WAIT).toBe('1,000.00');
    expect(await text(cell(page, 'plan-grid', 'Initech', 'currency'))).toBe('USD');
    // running totals: by client and part of the month, and the month's total in the company currency
    const pivotTotal = page.getByTestId('plan-pivot').locator('.ag-grid-pinned-bottom-rows [col-id="total"]');
    expect(await text(pivotTotal)).toContain('240,000');
    await screenshot(page, 'plans-editor');

    const saved = page.waitForResponse(
      (r) => r.url().includes(`/plans/${managerId}/${PERIOD}`) && r.request().method() === 'PUT',
    );
    await page.getByTestId('plan-save').click();
    expect((await saved).status()).toBe(200);
    await page.getByTestId('plan-note').fill('December as agreed');
    const submitted = page.waitForResponse((r) => r.url().endsWith('/submit'));
    await page.getByTestId('plan-submit').click();
    expect((await submitted).status()).toBe(200);
    await expect.poll(() => page.getByTestId('plan-status').getAttribute('data-status'), WAIT).toBe('submitted');
    expect(await figure(page, 'plan-figures', 'submitted')).toBe('240000.00');
  });

  it('the lead approves two lines and doubts one from the keyboard, and finalises; the roll-up follows live', async () => {
    // the company's roll-up, open before the lead decides: it follows without a reload
    await adminPage.goto(`${h.baseUrl}/plan-totals?period=${PERIOD}`);
    await adminPage.getByTestId('totals-table').waitFor();
    expect(await figure(adminPage, 'totals-figures', 'pending')).toBe('240000.00');

    const page = leadPage;
    await page.goto(`${h.baseUrl}/plan-review?period=${PERIOD}`);
    await page.waitForLoadState('networkidle');
    await page.getByTestId('plan-list-open').filter({ hasText: 'Max Manager' }).click();
    const grid = page.getByTestId('review-grid');
    await grid.locator('.ag-row').first().waitFor();
    expect(await text(page.getByTestId('plan-note-shown'))).toContain('December as agreed');

    await cell(page, 'review-grid', 'Acme', 'clientName').click();
    await page.keyboard.press('a');
    await expect.poll(() => text(cell(page, 'review-grid', 'Acme', 'status')), WAIT).toBe('Approved');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('a');
    await expect.poll(() => text(cell(page, 'review-grid', 'Globex', 'status')), WAIT).toBe('Approved');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('d');
    const dialog = page.getByTestId('doubt-dialog');
    await dialog.waitFor();
    await page.getByTestId('doubt-confirm').click();
    // a doubt needs its reason
    await dialog.getByText('Say why the line is doubtful').waitFor();
    await page.getByTestId('doubt-comment').fill('No budget before spring');
    await page.getByTestId('doubt-confirm').click();
    await expect.poll(() => text(cell(page, 'review-grid', 'Initech', 'status')), WAIT).toBe('Doubtful');
    // both figures side by side: as submitted and as confirmed, line by line and in total
    expect(await text(cell(page, 'review-grid', 'Initech', 'asSubmitted'))).toBe('RUB 90,000');
    expect(await text(cell(page, 'review-grid', 'Initech', 'asConfirmed'))).toBe('RUB 0');
    expect(await figure(page, 'plan-figures', 'submitted')).toBe('240000.00');
    expect(await figure(page, 'plan-figures', 'confirmed')).toBe('150000.00');
    expect(await figure(page, 'plan-figures', 'doubtful')).toBe('90000.00');
    await screenshot(page, 'plans-review');

    // the roll-up open in the admin's tab has followed every decision
    // (each decision arrives on its own: the approvals' figures may show before the doubt's)
    await expect
      .poll(
        () =>
          Promise.all([
            figure(adminPage, 'totals-figures', 'confirmed'),
            figure(adminPage, 'totals-figures', 'pending'),
          ]),
        WAIT,
      )
      .toEqual(['150000.00', '0.00']);

    await page.getByTestId('review-finalise').click();
    await expect.poll(() => page.getByTestId('plan-review').getAttribute('data-status'), WAIT).toBe('final');
  });

  it('group and company totals show the final plan without the doubtful line beside the plan as submitted', async () => {
    const page = adminPage;
    await page.goto(`${h.baseUrl}/plan-totals?period=${PERIOD}`);
    const group = page.getByTestId('totals-row').filter({ hasText: 'Sales East' });
    await group.waitFor();
    // the company currency is read beside the totals: the figures show it once it has come
    await expect.poll(() => text(group.locator('[data-figure=submitted]')), WAIT).toBe('RUB 240,000');
    expect(await text(group.locator('[data-figure=approved]'))).toBe('RUB 150,000');
    expect(await text(group.locator('[data-figure=doubtful]'))).toBe('RUB 90,000');
    const company = page.getByTestId('totals-total');
    expect(await text(company.locator('[data-figure=submitted]'))).toBe('RUB 240,000');
    expect(await text(company.locator('[data-figure=approved]'))).toBe('RUB 150,000');
    // drill down: group → manager → client
    await group.getByTestId('totals-drill').click();
    const manager = page.getByTestId('totals-row').filter({ hasText: 'Max Manager' });
    await manager.waitFor();
    expect(await text(manager.locator('[data-figure=approved]'))).toBe('RUB 150,000');
    await manager.getByTestId('totals-drill').click();
    await page.locator('[data-testid=totals-table][data-level=client]').waitFor();
    const initech = page.getByTestId('totals-row').filter({ hasText: 'Initech' });
    expect(await text(initech.locator('[data-figure=approved]'))).toBe('RUB 0');
    expect(await text(initech.locator('[data-figure=doubtful]'))).toBe('RUB 90,000');
    await page.getByTestId('chart-items').waitFor();
    await screenshot(page, 'plans-totals-client');
  });

  it('payments entered, by the form and from a previewed CSV file, show plan against actual', async () => {
    const page = managerPage;
    await page.goto(`${h.baseUrl}/payments`);
    const form = page.getByTestId('payment-form');
    await form.getByTestId('client-search').click();
    await form.getByTestId('client-search').fill('Acme');
    await page.getByTestId('client-option').filter({ hasText: 'Acme' }).click();
    await form.getByTestId('payment-amount').fill('60000');
    await form.getByTestId('payment-date').fill('2026-12-10');
    const recorded = page.waitForResponse((r) => r.url().endsWith('/payments') && r.request().method() === 'POST');
    await form.getByTestId('payment-save').click();
    expect((await recorded).status()).toBe(201);

    const file = path.join(os.tmpdir(), `payments-${Date.now()}.csv`);
    fs.writeFileSync(
      file,
      'client,amount,currency,date,comment\nGlobex,30000,RUB,12.12.2026,first half\nNobody Ltd,5,RUB,2026-12-12,\n',
    );
    await page.getByTestId('payment-file').setInputFiles(file);
    const rows = page.getByTestId('payment-preview-row');
    await expect.poll(() => rows.count(), WAIT).toBe(2);
    expect(await rows.nth(1).getAttribute('data-valid')).toBe('false');
    expect(await text(rows.nth(1).locator('[data-field=clientId]'))).toContain('Client');
    await screenshot(page, 'plans-payments-preview');
    // nothing written by the preview
    const admin = await login(h, adminEmail);
    expect((await admin.get(`/plan-totals?period=${PERIOD}`)).body.total.actual).toBe('60000.00');
    await page.getByTestId('payment-import-confirm').click();
    await page.getByTestId('payment-preview').waitFor({ state: 'detached' });
    expect((await admin.get(`/plan-totals?period=${PERIOD}`)).body.total.actual).toBe('90000.00');

    const totals = adminPage;
    await totals.goto(`${h.baseUrl}/plan-totals?period=${PERIOD}`);
    const company = totals.getByTestId('totals-total');
    await company.waitFor();
    await expect.poll(() => text(company.locator('[data-figure=actual]')), WAIT).toBe('RUB 90,000');
    expect(await text(company)).toContain('60 %');
    // plan against actual by period, and the month day by day (cumulative) as charts
    const month = totals.getByTestId('vs-actual-table').locator(`[data-period="${PERIOD}"]`);
    expect(await text(month)).toContain('RUB 150,000');
    await totals.getByTestId('chart-daily').waitFor();
    const daily = JSON.parse((await totals.getByTestId('chart-daily').getAttribute('data-series'))!) as [
      string,
      number[],
    ][];
    expect(daily[0][1].at(-1)).toBe(90000);
    expect(daily[0][1][9]).toBe(60000);
    await screenshot(page, 'plans-payments');
    await screenshot(totals, 'plans-totals');
  });
});
