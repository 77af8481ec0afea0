/**
 * Setting up a sales group in the department dialog, in a real browser: the lead picker lists group leads first and
 * no administrators, a lead in no department is offered membership too, and the members ticked in the dialog become
 * members (PATCH /users/:id departmentId). A membership change that fails is reported with the choice kept, and saving
 * again finishes the rest. In English and Russian.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let admin: Session;
type U = { id: string; email: string; name: string };
const people: Record<string, U> = {};
let southId: string;
let northId: string;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const a = await f.user('admin', { name: 'Ada Admin' });
  people.ada = a;
  people.zed = await f.user('admin', { name: 'Zed Admin' });
  people.leo = await f.user('lead', { name: 'Leo Leader' });
  southId = (await f.department('Sales South', people.leo.id)).id;
  await h.ctx.orm.em
    .getConnection()
    .execute('update users set department_id = ? where id = ?', [southId, people.leo.id]);
  people.lena = await f.user('lead', { name: 'Lena Lead' });
  people.max = await f.user('manager', { name: 'Max Manager' });
  people.mia = await f.user('member', { name: 'Mia Member' });
  people.noah = await f.user('manager', { name: 'Noah Nobody' });
  admin = await login(h, a.email);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await logIn(page, h, a.email);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function departmentOf(): Promise<Record<string, string | null>> {
  const r = await admin.get('/users?limit=100');
  expect(r.status).toBe(200);
  return Object.fromEntries(
    (r.body.items as { name: string; departmentId: string | null }[]).map((u) => [u.name, u.departmentId]),
  );
}

const option = (u: U) =>
  page.getByTestId('department-dialog').locator(`[data-testid="member-option"][data-user-id="${u.id}"]`);

describe('the department dialog', () => {
  it('creates a department with a lead and two members', async () => {
    await page.goto(`${h.baseUrl}/admin/users?tab=departments`);
    await page.getByTestId('departments-table').waitFor();
    await page.getByTestId('new-department').click();
    const dialog = page.getByTestId('department-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('member-option').first().waitFor();

    // leads first, then the others; no administrators
    const groups = () =>
      dialog
        .getByTestId('department-lead')
        .locator('optgroup')
        .evaluateAll((els) =>
          els.map((g) => [
            g.getAttribute('label'),
            [...g.querySelectorAll('option')].map((o) => o.textContent.split(' · ')[0]),
          ]),
        );
    expect(await groups()).toEqual([
      ['Leads', ['Lena Lead', 'Leo Leader']],
      ['Others', ['Max Manager', 'Mia Member', 'Noah Nobody']],
    ]);

    await dialog.getByTestId('department-name').fill('Sales North');
    await dialog.getByTestId('department-lead').selectOption(people.lena.id);
    // Lena is in no department: offered as a member too, ticked
    const joins = dialog.getByTestId('lead-joins');
    expect(await joins.isChecked()).toBe(true);
    expect(await dialog.textContent()).toContain('Also make Lena Lead a member of this department');
    // Leo leads Sales South: no such offer
    await dialog.getByTestId('department-lead').selectOption(people.leo.id);
    expect(await joins.count()).toBe(0);
    await dialog.getByTestId('department-lead').selectOption(people.lena.id);
    expect(await joins.isChecked()).toBe(true);

    await option(people.max).locator('input').check();
    await option(people.mia).locator('input').check();
    expect(await dialog.getByTestId('member-count').textContent()).toBe('2');
    expect(await option(people.leo).getByTestId('member-elsewhere').textContent()).toBe('in Sales South');
    await screenshot(page, 'department-new-en');

    await dialog.getByTestId('department-save').click();
    await dialog.waitFor({ state: 'detached' });

    const departments = await admin.get('/departments');
    const north = (departments.body.items as { id: string; name: string; leadId: string; memberCount: number }[]).find(
      (d) => d.name === 'Sales North',
    )!;
    expect(north).toBeDefined();
    northId = north.id;
    expect(north.leadId).toBe(people.lena.id);
    expect(north.memberCount).toBe(3);
    expect(await departmentOf()).toMatchObject({
      'Lena Lead': northId,
      'Max Manager': northId,
      'Mia Member': northId,
      'Noah Nobody': null,
      'Leo Leader': southId,
      'Ada Admin': null,
      'Zed Admin': null,
    });
    await page
      .locator(`[data-testid="department-row"][data-id="${northId}"] td.num`)
      .first()
      .filter({ hasText: '3' })
      .waitFor();
  });

  it('reports a membership change that fails, keeps the choice, and finishes it on the next save (in Russian)', async () => {
    await page.getByTestId('lang-ru').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('ru');
    await page.locator(`[data-testid="department-row"][data-id="${northId}"]`).click();
    const dialog = page.getByTestId('department-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('member-option').first().waitFor();
    expect(await dialog.getByTestId('department-lead').locator('optgroup').first().getAttribute('label')).toBe(
      'Руководители групп',
    );
    expect(await option(people.mia).locator('input').isChecked()).toBe(true);
    expect(await dialog.getByTestId('lead-joins').count()).toBe(0);

    await option(people.mia).locator('input').uncheck();
    await option(people.noah).locator('input').check();
    await option(people.leo).locator('input').check();
    expect(await option(people.leo).getByTestId('member-elsewhere').textContent()).toBe('перейдёт из «Sales South»');

    // Noah's change fails once
    const noahUrl = `**/api/v1/users/${people.noah.id}`;
    await page.route(noahUrl, (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/problem+json',
        body: JSON.stringify({ status: 500, code: 'INTERNAL', detail: 'boom' }),
      }),
    );
    await dialog.getByTestId('department-save').click();
    const errors = dialog.getByTestId('member-errors');
    await errors.waitFor();
    expect(await errors.getByTestId('member-error').allTextContents()).toEqual([
      expect.stringMatching(/^Добавление Noah Nobody: /),
    ]);
    // the choice stands, and what went through is saved
    expect(await option(people.noah).locator('input').isChecked()).toBe(true);
    expect(await option(people.leo).locator('input').isChecked()).toBe(true);
    expect(await option(people.mia).locator('input').isChecked()).toBe(false);
    expect(await departmentOf()).toMatchObject({ 'Mia Member': null, 'Leo Leader': northId, 'Noah Nobody': null });
    await screenshot(page, 'department-member-error-ru');

    await page.unroute(noahUrl);
    await dialog.getByTestId('department-save').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await departmentOf()).toMatchObject({
      'Lena Lead': northId,
      'Max Manager': northId,
      'Noah Nobody': northId,
      'Leo Leader': northId,
      'Mia Member': null,
    });
    await page.getByTestId('lang-en').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
  });
});
