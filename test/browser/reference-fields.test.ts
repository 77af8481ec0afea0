/**
 * User and client fields on the deal page in a real browser: the manager picks a colleague from the user search and
 * a client from the client search, saves, and the page (after a reload, in English and in Russian) shows their
 * names, never ids; the history names them too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let manager: Session;
let pipelineId: string;
let clientId: string;
let partnerId: string;
let colleagueId: string;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  pipelineId = (await f.pipeline([['New', 'open', [], []]], 'Reference pipeline')).id;
  await f.dealField('signedBy', 'user');
  await f.dealField('partner', 'client');
  await h.ctx.orm.em.getConnection().execute(
    `update deal_fields set label = case key when 'signedBy' then 'Signed by' else 'Partner' end,
       translations = case key when 'signedBy' then '{"ru": {"label": "Подписал"}}'::jsonb
                               else '{"ru": {"label": "Партнёр"}}'::jsonb end
     where key in ('signedBy', 'partner')`,
  );
  const m = await f.user('manager', { name: 'Mira Manager' });
  colleagueId = (await f.user('member', { name: 'Vera Colleague' })).id;
  await f.user('member', { name: 'Victor Other' });
  clientId = (await f.client(m.id, 'Main Client')).id;
  partnerId = (await f.client(m.id, 'Acme Partner')).id;
  manager = await login(h, m.email);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await logIn(page, h, m.email);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('user and client fields on the deal page', () => {
  it('are set with a user picker and a client picker, and shown by name', async () => {
    const deal = (await manager.post('/deals', { title: 'Referenced', clientId, pipelineId })).body as { id: string };
    await page.goto(`${h.baseUrl}/deals/${deal.id}`);
    const card = page.getByTestId('deal-fields');
    await card.waitFor();

    await card.getByTestId('reference-user-search').fill('Vera');
    await card.getByTestId('reference-user-option').filter({ hasText: 'Vera Colleague' }).click();
    await expect.poll(() => card.getByTestId('reference-user-picked').textContent()).toContain('Vera Colleague');

    const client = card.getByTestId('reference-client');
    await client.getByTestId('client-search').fill('Acme');
    await client.getByTestId('client-option').filter({ hasText: 'Acme Partner' }).click();
    await expect.poll(() => client.getByTestId('client-picked').textContent()).toContain('Acme Partner');
    await screenshot(page, 'reference-fields-picked');

    await card.getByTestId('deal-save').click();
    await expect
      .poll(async () => ((await manager.get(`/deals/${deal.id}`)).body as { custom: unknown }).custom)
      .toEqual({ signedBy: colleagueId, partner: partnerId });

    await page.reload();
    await card.getByTestId('reference-user-picked').waitFor();
    expect(await card.getByTestId('reference-user-picked').textContent()).toContain('Vera Colleague');
    expect(await card.getByTestId('reference-client').getByTestId('client-picked').textContent()).toContain(
      'Acme Partner',
    );
    const text = (await card.textContent()) ?? '';
    expect(text).not.toContain(colleagueId);
    expect(text).not.toContain(partnerId);
    const history = (await page.getByTestId('deal-history').textContent()) ?? '';
    expect(history).toContain('Vera Colleague');
    expect(history).toContain('Acme Partner');
    expect(history).not.toContain(colleagueId);

    await page.getByTestId('lang-ru').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('ru');
    await expect.poll(() => card.textContent()).toContain('Подписал');
    expect(await card.textContent()).toContain('Партнёр');
    expect(await card.getByTestId('reference-user-picked').textContent()).toContain('Vera Colleague');
    await screenshot(page, 'reference-fields-ru');
    await page.getByTestId('lang-en').click();
  });
});
