/**
 * The deal page in a real browser: a lost deal says Lost (not Won), the stage ribbon ticks only the stages the deal
 * went through, the history shows the values a change set, server errors read as messages in the user's language
 * (naming the field, never a row version), and contacts are offered when creating a deal and preselected in the stage
 * dialog when the client has just one. In English and Russian.
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
let managerId: string;
let acmeId: string;
let soloId: string;
const contacts: Record<string, string> = {};
const stage = (name: string) => pipeline.stages.find((s) => s.name === name)!.id;
/** text with every kind of space made a plain one (Intl puts no-break spaces in Russian amounts) */
const plain = (s: string | null) => (s ?? '').replace(/[\s\u00a0\u202f]+/g, ' ').trim();

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  pipeline = await f.pipeline(
    [
      ['New', 'open', [], []],
      ['Qualified', 'open', ['contactId'], []],
      ['Proposal', 'open', ['amount'], []],
      ['Won', 'won', [], []],
      ['Lost', 'lost', [], []],
    ],
    'Deal page pipeline',
  );
  await f.dealField('budget', 'money');
  await h.ctx.orm.em
    .getConnection()
    .execute(
      `update deal_fields set label = 'Budget', translations = '{"ru": {"label": "Бюджет"}}' where key = 'budget'`,
    );
  const m = await f.user('manager', { name: 'Dana Deal' });
  managerId = m.id;
  acmeId = (await f.client(m.id, 'Acme Pages Ltd')).id;
  soloId = (await f.client(m.id, 'Solo Supplies')).id;
  manager = await login(h, m.email);
  for (const [clientId, name] of [
    [acmeId, 'Olga Contact'],
    [acmeId, 'Petr Second'],
    [soloId, 'Sam Solo'],
  ]) {
    const r = await manager.post(`/clients/${clientId}/contacts`, { name });
    expect(r.status).toBe(201);
    contacts[name] = r.body.id;
  }
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await logIn(page, h, m.email);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function newDeal(title: string, clientId = acmeId, extra: Record<string, unknown> = {}) {
  const r = await manager.post('/deals', { title, clientId, pipelineId: pipeline.id, ...extra });
  expect(r.status).toBe(201);
  return r.body as { id: string; version: number };
}

async function openDeal(id: string) {
  await page.goto(`${h.baseUrl}/deals/${id}`);
  await page.getByTestId('deal-page').waitFor();
  await page.getByTestId('history-item').first().waitFor();
}

/** picks the page's language, and waits until the page is drawn in it and the profile has saved it */
async function setLanguage(l: 'en' | 'ru') {
  const saved = page.waitForResponse((r) => r.url().endsWith('/auth/me') && r.request().method() === 'PATCH');
  await page.getByTestId(`lang-${l}`).click();
  expect((await saved).status()).toBe(200);
  await expect
    .poll(() => page.getByTestId('lang-switch').getAttribute('aria-label'))
    .toBe(l === 'ru' ? 'Язык' : 'Language');
}

const steps = () =>
  page
    .getByTestId('stage-bar-item')
    .evaluateAll((els) => els.map((e) => [e.textContent, (e as HTMLElement).dataset.state]));

describe('the deal page', () => {
  it('shows a deal lost straight from the first stage as Lost, with only that stage passed', async () => {
    const d = await newDeal('Lost at once');
    const moved = await manager.post(`/deals/${d.id}/stage`, {
      stageId: stage('Lost'),
      version: d.version,
      lostReason: 'Budget cut',
    });
    expect(moved.status).toBe(200);
    await openDeal(d.id);

    const closed = page.getByTestId('deal-closed');
    expect(await closed.getAttribute('data-kind')).toBe('lost');
    expect(await closed.locator('dt').textContent()).toBe('Lost');
    expect(await page.getByTestId('lost-reason').textContent()).toContain('Budget cut');
    expect(await steps()).toEqual([
      ['New (passed)', 'done'],
      ['Qualified (not reached)', 'skipped'],
      ['Proposal (not reached)', 'skipped'],
      ['Won', 'todo'],
      ['Lost', 'current'],
    ]);
    await screenshot(page, 'deal-lost-en');

    await setLanguage('ru');
    expect(await closed.locator('dt').textContent()).toBe('Проиграна');
    expect(await page.getByTestId('stage-bar-item').first().textContent()).toBe('New (пройдена)');
    await screenshot(page, 'deal-lost-ru');
    await setLanguage('en');
  });

  it('ticks the stages a won deal went through and leaves out the ones it skipped', async () => {
    const d = await newDeal('Won after a proposal', acmeId, { amount: '100.00', currency: 'EUR' });
    const p = await manager.post(`/deals/${d.id}/stage`, { stageId: stage('Proposal'), version: d.version });
    expect(p.status).toBe(200);
    const w = await manager.post(`/deals/${d.id}/stage`, { stageId: stage('Won'), version: p.body.version });
    expect(w.status).toBe(200);
    await openDeal(d.id);
    expect(await page.getByTestId('deal-closed').locator('dt').textContent()).toBe('Won');
    expect((await steps()).map(([, s]) => s)).toEqual(['done', 'skipped', 'done', 'current', 'todo']);

    // an open deal that jumped a stage: the one it jumped is not ticked
    const open = await newDeal('Jumped to proposal', acmeId, { amount: '5.00', currency: 'EUR' });
    expect(
      (await manager.post(`/deals/${open.id}/stage`, { stageId: stage('Proposal'), version: open.version })).status,
    ).toBe(200);
    await openDeal(open.id);
    expect((await steps()).map(([, s]) => s)).toEqual(['done', 'todo', 'current', 'todo', 'todo']);
    expect(await page.getByTestId('deal-closed').count()).toBe(0);
  });

  it('shows the values a change set in the history', async () => {
    const d = await newDeal('Values in history');
    const r = await manager.patch(`/deals/${d.id}`, {
      version: d.version,
      changes: {
        amount: '12500.00',
        currency: 'EUR',
        contactId: contacts['Olga Contact'],
        custom: { budget: { amount: '3000.00', currency: 'USD' } },
      },
    });
    expect(r.status).toBe(200);
    await openDeal(d.id);
    const updated = page.locator('[data-testid="history-item"][data-kind="updated"]');
    await updated.getByTestId('history-change').first().waitFor();
    expect((await updated.getByTestId('history-change').allTextContents()).map(plain)).toEqual([
      'Amount: €12,500.00',
      'Contact: Olga Contact',
      'Budget: $3,000.00',
    ]);
    await screenshot(page, 'deal-history-en');

    await setLanguage('ru');
    await expect
      .poll(async () => (await updated.getByTestId('history-change').allTextContents()).map(plain))
      .toEqual(['Сумма: 12 500,00 €', 'Контакт: Olga Contact', 'Бюджет: 3 000,00 $']);
    await screenshot(page, 'deal-history-ru');
    await setLanguage('en');
  });

  it('adds the entry of a change saved on the page to the history at once', async () => {
    const d = await newDeal('Saved from the page');
    await openDeal(d.id);
    const items = page.getByTestId('history-item');
    await items.first().waitFor();
    expect(await items.count()).toBe(1);
    await page.locator('#df-title').fill('Renamed on the page');
    await page.getByTestId('deal-save').click();
    await expect
      .poll(() => page.locator('[data-testid="history-item"][data-kind="updated"]').count(), { timeout: 10_000 })
      .toBe(1);
    expect(await page.getByTestId('deal-title').textContent()).toBe('Renamed on the page');
  });

  it('says which field the stage will not let go of, in the language of the page', async () => {
    const d = await newDeal('Keeps its amount', acmeId, { amount: '700.00', currency: 'EUR' });
    expect(
      (await manager.post(`/deals/${d.id}/stage`, { stageId: stage('Proposal'), version: d.version })).status,
    ).toBe(200);
    await openDeal(d.id);

    await page.getByTestId('deal-amount-input').fill('');
    await page.getByTestId('deal-save').click();
    const error = page.getByTestId('deal-save-error');
    await error.waitFor();
    expect(await error.getByTestId('error-text').textContent()).toBe(
      'The deal’s stage “Proposal” requires Amount: it cannot be cleared or removed.',
    );
    // the message is the user's, never an internal code
    expect(await error.getByTestId('error-code').count()).toBe(0);
    expect(await error.textContent()).not.toMatch(/[A-Z]+_[A-Z_]+/);
    expect(await page.getByTestId('deal-fields').textContent()).toContain('Required by the stage “Proposal”');
    await screenshot(page, 'deal-error-en');

    await setLanguage('ru');
    await page.getByTestId('deal-save').click();
    await expect
      .poll(() => error.getByTestId('error-text').textContent(), { timeout: 10_000 })
      .toBe('Стадия сделки «Proposal» требует: Сумма — это нельзя очистить или удалить.');
    expect(await error.textContent()).not.toContain('requires');
    await screenshot(page, 'deal-error-ru');
    await setLanguage('en');
  });

  it('explains a conflicting change without version numbers', async () => {
    const d = await newDeal('Changed meanwhile');
    await openDeal(d.id);
    await page.locator('#df-title').fill('My new title');
    // someone else changes the same field in the meantime (the page may learn of it live: it must not overwrite it)
    expect(
      (await manager.patch(`/deals/${d.id}`, { version: d.version, changes: { title: 'Their title' } })).status,
    ).toBe(200);
    await page.getByTestId('deal-save').click();
    const error = page.getByTestId('deal-save-error');
    await error.waitFor();
    const text = await error.textContent();
    expect(text).toContain('Someone else changed this record meanwhile');
    expect(text).not.toMatch(/version \d|expected \d/i);
    expect(await page.locator('#df-title').inputValue()).toBe('My new title');
  });

  it('offers the client’s contacts in the New deal dialog and sends the one chosen', async () => {
    await page.goto(`${h.baseUrl}/deals?pipeline=${pipeline.id}`);
    await page.getByTestId('new-deal').click();
    const dialog = page.getByTestId('new-deal-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('new-deal-contact').count()).toBe(0);
    await dialog.getByTestId('new-deal-title').fill('With a contact');
    await dialog.getByTestId('client-search').fill('Acme Pages');
    await dialog.getByTestId('client-option').filter({ hasText: 'Acme Pages Ltd' }).click();
    const picker = dialog.getByTestId('new-deal-contact');
    await expect
      .poll(() => picker.locator('option').allTextContents())
      .toEqual(['(none)', 'Olga Contact', 'Petr Second']);
    await picker.selectOption({ label: 'Petr Second' });
    await screenshot(page, 'new-deal-contact-en');
    await dialog.getByTestId('new-deal-submit').click();
    await dialog.waitFor({ state: 'detached' });
    const list = await manager.get(`/deals?pipelineId=${pipeline.id}&q=${encodeURIComponent('With a contact')}`);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].contactId).toBe(contacts['Petr Second']);

    // in Russian, for a client without contacts: the field says so
    await fixtures(h).client(managerId, 'Bare Client');
    await setLanguage('ru');
    await page.getByTestId('new-deal').click();
    await dialog.waitFor();
    await dialog.getByTestId('client-search').fill('Bare');
    await dialog.getByTestId('client-option').filter({ hasText: 'Bare Client' }).click();
    await expect.poll(() => dialog.textContent()).toContain('У клиента пока нет контактов');
    expect(await dialog.getByTestId('new-deal-contact').isDisabled()).toBe(true);
    await screenshot(page, 'new-deal-contact-ru');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await setLanguage('en');
  });

  it('preselects the only contact of the client when the stage requires a contact', async () => {
    const d = await newDeal('Solo deal', soloId);
    await openDeal(d.id);
    await page.locator(`[data-testid="stage-bar-item"][data-stage-id="${stage('Qualified')}"]`).click();
    const dialog = page.getByTestId('gate-dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.getByTestId('gate-field-contactId').inputValue()).toBe(contacts['Sam Solo']);
    await screenshot(page, 'gate-contact-preselected-en');
    await dialog.getByTestId('gate-move').click();
    await dialog.waitFor({ state: 'detached' });
    const detail = await manager.get(`/deals/${d.id}`);
    expect(detail.body.stageId).toBe(stage('Qualified'));
    expect(detail.body.contactId).toBe(contacts['Sam Solo']);
  });

  it('shows the latest 50 history entries and the older ones on "Show older", back to the creation', async () => {
    const d = await newDeal('Long history', acmeId, { amount: '1.00', currency: 'EUR' });
    const moved = await manager.post(`/deals/${d.id}/stage`, { stageId: stage('Proposal'), version: d.version });
    expect(moved.status).toBe(200);
    let version: number = moved.body.version;
    for (let i = 0; i < 55; i++) {
      const r = await manager.patch(`/deals/${d.id}`, {
        version,
        changes: { amount: `${100 + i}.00`, currency: 'EUR' },
      });
      expect(r.status).toBe(200);
      version = r.body.version;
    }
    await openDeal(d.id);
    const items = page.getByTestId('history-item');
    const kinds = () => items.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.kind));
    const more = page.getByTestId('history-more');
    await more.waitFor();
    expect(await items.count()).toBe(50);
    expect(new Set(await kinds())).toEqual(new Set(['updated']));
    // the move to Proposal is not loaded yet: Qualified may have been passed, as far as the page can tell
    expect((await steps()).map(([, s]) => s)).toEqual(['done', 'done', 'current', 'todo', 'todo']);
    expect(await more.textContent()).toBe('Show older');
    await screenshot(page, 'deal-history-more-en');
    await setLanguage('ru');
    await expect.poll(() => more.textContent()).toBe('Показать более ранние');
    await screenshot(page, 'deal-history-more-ru');
    await setLanguage('en');

    await more.click();
    await expect.poll(() => items.count()).toBe(57);
    const all = await kinds();
    expect(all.slice(0, 55)).toEqual(Array(55).fill('updated'));
    expect(all.slice(55)).toEqual(['stage_changed', 'created']);
    expect(await more.count()).toBe(0);
    expect(plain(await items.nth(54).getByTestId('history-change').textContent())).toBe('Amount: €100.00');
    // the whole history is in: Qualified was skipped
    expect((await steps()).map(([, s]) => s)).toEqual(['done', 'todo', 'current', 'todo', 'todo']);
    await screenshot(page, 'deal-history-all-en');

    // a reload of the deal (after an upload) keeps what was loaded, with the new event on top
    await page
      .getByTestId('upload-file')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('notes') });
    await page.locator('.upload-row button[type="submit"]').click();
    await page.getByTestId('attachment').waitFor();
    await expect.poll(() => items.count()).toBe(58);
    const after = await kinds();
    expect([after[0], after[after.length - 1]]).toEqual(['attached', 'created']);
    expect(await more.count()).toBe(0);
  });
});
