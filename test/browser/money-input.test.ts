/**
 * Amounts typed as each language writes them: in Russian "1 234,5" (spaces between groups, a comma before the
 * decimals), in English "1,234.5". What is saved is the canonical decimal, to the last of 16 digits, and the page shows
 * it back in the language's format; the New deal dialog reads amounts the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let manager: Session;
let pipeline: { id: string; stages: { id: string; name: string }[] };
let clientId: string;
/** text with every kind of space made a plain one (Intl puts no-break spaces in Russian amounts) */
const plain = (s: string | null) => (s ?? '').replace(/[\s\u00a0\u202f]+/g, ' ').trim();

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  pipeline = await f.pipeline(
    [
      ['New', 'open', [], []],
      ['Won', 'won', [], []],
    ],
    'Money pipeline',
  );
  const m = await f.user('manager', { name: 'Mona Money' });
  clientId = (await f.client(m.id, 'Rouble Buyers')).id;
  manager = await login(h, m.email);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await logIn(page, h, m.email);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function newDeal(title: string) {
  const r = await manager.post('/deals', { title, clientId, pipelineId: pipeline.id });
  expect(r.status).toBe(201);
  return r.body as { id: string };
}

async function setLanguage(l: 'en' | 'ru') {
  await page.getByTestId(`lang-${l}`).click();
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(l);
}

/** Types the amount key by key into the deal page's amount, picks the currency and saves. */
async function typeAmount(text: string, currency: string) {
  const input = page.getByTestId('deal-amount-input');
  await input.fill('');
  await input.pressSequentially(text);
  await page
    .getByTestId('deal-fields')
    .getByLabel(/Currency|Валюта/)
    .selectOption(currency);
  await page.getByTestId('deal-save').click();
  await page.getByTestId('toast-ok').last().waitFor();
}

async function savedAmount(id: string) {
  const deal = (await manager.get(`/deals/${id}`)).body as { amount: string | null; currency: string | null };
  return [deal.amount, deal.currency];
}

describe('amounts typed in the language of the page', () => {
  it('reads "1 234,5" in Russian as 1234.50 and shows it back as Russian writes it', async () => {
    const d = await newDeal('Russian amount');
    await page.goto(`${h.baseUrl}/deals/${d.id}`);
    await page.getByTestId('deal-page').waitFor();
    await setLanguage('ru');
    await typeAmount('1 234,5', 'RUB');
    await expect.poll(() => savedAmount(d.id)).toEqual(['1234.50', 'RUB']);
    await expect.poll(async () => plain(await page.getByTestId('deal-amount').textContent())).toBe('1 234,50 ₽');
    expect(plain(await page.getByTestId('deal-amount-input').inputValue())).toBe('1 234,50');
    await screenshot(page, 'money-input-ru');

    // a point is a decimal separator too in Russian, and 16 digits keep every one
    await typeAmount('1234567890123456.78', 'RUB');
    await expect.poll(() => savedAmount(d.id)).toEqual(['1234567890123456.78', 'RUB']);
    await expect
      .poll(async () => plain(await page.getByTestId('deal-amount-input').inputValue()))
      .toBe('1 234 567 890 123 456,78');
    await setLanguage('en');
  });

  it('reads "1,234.5" in English as 1234.50, the comma grouping digits', async () => {
    const d = await newDeal('English amount');
    await page.goto(`${h.baseUrl}/deals/${d.id}`);
    await page.getByTestId('deal-page').waitFor();
    await typeAmount('1,234.5', 'EUR');
    await expect.poll(() => savedAmount(d.id)).toEqual(['1234.50', 'EUR']);
    await expect.poll(async () => plain(await page.getByTestId('deal-amount').textContent())).toBe('€1,234.50');
    expect(await page.getByTestId('deal-amount-input').inputValue()).toBe('1,234.50');
    await screenshot(page, 'money-input-en');
  });

  it('creates a deal with an amount typed the Russian way in the New deal dialog', async () => {
    await page.goto(`${h.baseUrl}/deals?pipeline=${pipeline.id}`);
    await setLanguage('ru');
    await page.getByTestId('new-deal').click();
    const dialog = page.getByTestId('new-deal-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('new-deal-title').fill('Typed in the dialog');
    await dialog.getByTestId('client-search').fill('Rouble');
    await dialog.getByTestId('client-option').filter({ hasText: 'Rouble Buyers' }).click();
    await dialog.getByTestId('new-deal-amount').pressSequentially('2 500,75');
    expect(plain(await dialog.getByTestId('new-deal-amount').inputValue())).toBe('2 500,75');
    await screenshot(page, 'money-input-new-deal-ru');
    await dialog.getByTestId('new-deal-submit').click();
    await dialog.waitFor({ state: 'detached' });
    const list = await manager.get(`/deals?pipelineId=${pipeline.id}&q=${encodeURIComponent('Typed in the dialog')}`);
    const items = (list.body as { items: { amount: string; currency: string }[] }).items;
    expect(items.map((x) => [x.amount, x.currency])).toEqual([['2500.75', 'RUB']]);
    await setLanguage('en');
  });
});
