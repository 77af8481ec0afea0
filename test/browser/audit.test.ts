/**
 * The Audit log page, in a real browser: an administrator who signs in after a failed attempt finds both sign-ins on
 * it (linked from the admin menu), labelled and timed in English and in Russian, and can narrow the log to one kind.
 * A manager has no link to it and the address shows nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, PASSWORD, startHarness, type Harness } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let adminEmail: string;
let managerEmail: string;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  adminEmail = (await f.user('admin', { name: 'Ada Auditor' })).email;
  managerEmail = (await f.user('manager', { name: 'Max Manager' })).email;
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** The admin's rows of the table: kind and time cell text. */
async function rowsOf(email: string) {
  const rows = page.getByTestId('audit-row').filter({ hasText: email });
  return rows.evaluateAll((els) =>
    els.map((el) => ({
      kind: el.getAttribute('data-kind'),
      label: el.children[1].textContent,
      time: el.children[0].textContent,
    })),
  );
}

describe('the Audit log page', () => {
  it('shows an administrator both sign-ins, the failed one and the next one, in English and Russian', async () => {
    await page.goto(`${h.baseUrl}/login`);
    await page.getByTestId('login-email').fill(adminEmail);
    await page.getByTestId('login-password').fill(`${PASSWORD} but wrong`);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor();

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByTestId('audit-row').filter({ hasText: adminEmail }).nth(1).waitFor();
    const en = await rowsOf(adminEmail);
    // newest first: the sign-in, then the failure before it
    expect(en.map((r) => [r.kind, r.label])).toEqual([
      ['auth.login_succeeded', 'Signed in'],
      ['auth.login_failed', 'Failed sign-in'],
    ]);
    await screenshot(page, 'audit-en');

    await page.getByTestId('lang-ru').click();
    await page.getByRole('heading', { name: 'Журнал аудита' }).waitFor();
    await page.getByRole('link', { name: 'Журнал аудита' }).waitFor();
    const ru = await rowsOf(adminEmail);
    expect(ru.map((r) => [r.kind, r.label])).toEqual([
      ['auth.login_succeeded', 'Вход в систему'],
      ['auth.login_failed', 'Неудачный вход'],
    ]);
    // the time is written the Russian way (month names in Cyrillic), no longer the English way
    expect(ru[0].time).toMatch(/[а-я]/);
    expect(ru[0].time).not.toBe(en[0].time);
    await screenshot(page, 'audit-ru');

    // one kind only: the failure stays, the sign-in goes
    await page.getByTestId('audit-kind').selectOption('auth.login_failed');
    await expect.poll(async () => (await rowsOf(adminEmail)).map((r) => r.kind)).toEqual(['auth.login_failed']);
    // a time range that ends before the sign-ins: none of them
    await page.getByTestId('audit-kind').selectOption('');
    await page.getByTestId('audit-to').fill('2020-01-01T00:00');
    await page.getByTestId('audit-table').or(page.getByText('Нет записей по этому фильтру')).first().waitFor();
    await expect.poll(async () => (await rowsOf(adminEmail)).length).toBe(0);
    await page.getByTestId('lang-en').click();
  });

  it('is not offered to a manager', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const p = await context.newPage();
    try {
      await logIn(p, h, managerEmail);
      await p.getByRole('link', { name: 'Deals' }).waitFor();
      expect(await p.locator('a[href="/admin/audit"]').count()).toBe(0);
      await p.goto(`${h.baseUrl}/admin/audit`);
      await p.getByText('Page not found').waitFor();
      expect(await p.getByTestId('audit-table').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
