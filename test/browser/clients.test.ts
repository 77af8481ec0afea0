/**
 * The clients pages in a real browser: creating a client (the name is required, said in the user's language), editing
 * its details in place, and adding a contact; in Russian and English.
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
  const m = await fixtures(h).user('manager', { name: 'Cleo Clients' });
  await fixtures(h).client(m.id, 'Existing Client Co');
  manager = await login(h, m.email);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await logIn(page, h, m.email);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function setLanguage(l: 'en' | 'ru') {
  await page.getByTestId(`lang-${l}`).click();
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(l);
}

describe('the clients pages', () => {
  it('creates a client from the list, asking for its name in Russian first', async () => {
    await page.goto(`${h.baseUrl}/clients`);
    await page.getByTestId('clients-table').getByText('Existing Client Co').waitFor();
    await setLanguage('ru');
    await page.getByTestId('new-client').click();
    const dialog = page.getByTestId('new-client-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('new-client-submit').click();
    await expect.poll(() => dialog.textContent()).toContain('Обязательное поле');
    await screenshot(page, 'client-new-required-ru');

    await dialog.locator('#nc-name').fill('Новый Клиент ООО');
    await dialog.locator('#nc-email').fill('info@novyi.example');
    await dialog.getByTestId('new-client-submit').click();
    await page.getByTestId('client-name').filter({ hasText: 'Новый Клиент ООО' }).waitFor();
    const list = await manager.get(`/clients?q=${encodeURIComponent('Новый Клиент')}`);
    const items = (list.body as { items: { name: string; email: string }[] }).items;
    expect(items.map((c) => [c.name, c.email])).toEqual([['Новый Клиент ООО', 'info@novyi.example']]);
    await screenshot(page, 'client-page-ru');
    await setLanguage('en');
  });

  it('saves a changed detail, and adds a contact once it has a name', async () => {
    const id = page.url().split('/').pop()!;
    await page.locator('#cl-phone').fill('+7 495 000 00 00');
    const details = page.getByTestId('client-details');
    await expect.poll(() => page.textContent('body')).toContain('You have unsaved changes');
    await page.getByTestId('client-save').click();
    await page.getByTestId('toast-ok').filter({ hasText: 'Client saved' }).waitFor();
    const phone = async () => ((await manager.get(`/clients/${id}`)).body as { phone: string | null }).phone;
    await expect.poll(phone).toBe('+7 495 000 00 00');
    expect(await page.getByTestId('client-save').isDisabled()).toBe(true);
    expect(await details.locator('#cl-name').inputValue()).toBe('Новый Клиент ООО');

    const contacts = page.getByTestId('client-contacts');
    await contacts.getByTestId('add-contact').click();
    await contacts.getByTestId('contact-submit').click();
    await expect.poll(() => contacts.textContent()).toContain('This field is required');
    await contacts.locator('#ct-name').fill('Ivan Petrov');
    await contacts.locator('#ct-pos').fill('Buyer');
    await contacts.getByTestId('contact-submit').click();
    await contacts.getByTestId('contact').filter({ hasText: 'Ivan Petrov' }).waitFor();
    expect(await contacts.getByTestId('contact-form').count()).toBe(0);
    const detail = (await manager.get(`/clients/${id}`)).body as { contacts: { name: string; position: string }[] };
    expect(detail.contacts.map((c) => [c.name, c.position])).toEqual([['Ivan Petrov', 'Buyer']]);
    await screenshot(page, 'client-page-en');
  });
});
