/**
 * The board a lead lives in, in a real browser: an administrator sets a stage's "stuck after" days and win probability
 * in the pipeline admin; cards show their days in stage from the first day on (Russian plurals too) and a "stuck" mark in words with a
 * contrast of at least 4.5:1; columns show one total in the company currency, the weighted total, and a currency
 * without a rate apart; a lead opens the figures by manager; saved filters kept in the browser move to the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let admin: Session;
let lead: Session;
let emails: Record<'admin' | 'lead', string>;
let pipeline: { id: string; stages: { id: string; name: string }[] };
let deals: Record<'old' | 'recent' | 'fresh' | 'pounds', string>;

/** the browser may be slow on a shared machine: waits are generous, never a timing assertion */
const WAIT = { timeout: 20_000 };
const sql = (q: string, params: unknown[] = []) => h.ctx.orm.em.fork().getConnection().execute(q, params);
const card = (page: Page, id: string) => page.locator(`[data-testid="deal-card"][data-deal-id="${id}"]`);
const column = (page: Page, i: number) =>
  page.locator(`[data-testid="stage-column"][data-stage-id="${pipeline.stages[i].id}"]`);

/** WCAG contrast of an element's text colour on its background colour (both opaque rgb). */
function contrastOf(el: Element): number {
  const rgb = (c: string) => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
  const lum = (c: number[]) => {
    const [r, g, b] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(el);
  const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const a = await f.user('admin');
  const l = await f.user('lead', { name: 'Lena Lead' });
  const dept = (await f.department('North', l.id)).id;
  const m1 = await f.user('manager', { departmentId: dept, name: 'Anna One' });
  const m2 = await f.user('manager', { departmentId: dept, name: 'Boris Two' });
  emails = { admin: a.email, lead: l.email };
  [admin, lead] = await Promise.all([login(h, a.email), login(h, l.email)]);
  const [s1, s2] = await Promise.all([login(h, m1.email), login(h, m2.email)]);
  pipeline = await f.pipeline(
    [
      ['Lead', 'open', [], []],
      ['Proposal', 'open', [], []],
      ['Won', 'won', [], []],
    ],
    'Lead pipeline',
  );
  const create = async (who: Session, ownerId: string, title: string, amount: string, currency: string) => {
    const clientId = (await f.client(ownerId, `${title} Ltd`)).id;
    const r = await who.post('/deals', { pipelineId: pipeline.id, title, clientId, amount, currency });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  deals = {
    old: await create(s1, m1.id, 'Old forklifts', '1000.00', 'EUR'),
    recent: await create(s1, m1.id, 'Recent racks', '200.00', 'USD'),
    fresh: await create(s2, m2.id, 'Fresh cranes', '300.00', 'EUR'),
    pounds: await create(s2, m2.id, 'Pound pallets', '50.00', 'GBP'),
  };
  await sql(`update deals set stage_entered_at = now() - interval '10 days 1 hour' where id = ?`, [deals.old]);
  await sql(`update deals set stage_entered_at = now() - interval '3 days 1 hour' where id = ?`, [deals.recent]);
  expect(
    (await admin.put('/currency-rates', { currency: 'EUR', rates: [{ currency: 'USD', rate: '0.9' }], version: 0 }))
      .status,
  ).toBe(200);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the board a lead lives in', () => {
  it('an administrator sets the stuck threshold and the win probability of a stage in the pipeline admin', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await logIn(page, h, emails.admin);
      await page.goto(`${h.baseUrl}/admin/pipelines?id=${pipeline.id}`);
      const first = page.getByTestId('stage-row').nth(0);
      await first.getByTestId('stage-requirements').click();
      await first.getByTestId('stage-stuck-after').fill('7');
      await first.getByTestId('stage-win-probability').fill('25');
      await screenshot(page, 'admin-stage-board-settings');
      await page.getByTestId('pipeline-save').click();
      await expect
        .poll(async () => {
          const st = (await admin.get(`/pipelines/${pipeline.id}`)).body.stages[0];
          return [st.stuckAfterDays, st.winProbability];
        }, WAIT)
        .toEqual([7, 25]);
    } finally {
      await page.close();
    }
  });

  it('shows days in stage, a stuck mark in words, totals in the company currency and the figures by manager', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await logIn(page, h, emails.lead);
      await page.goto(`${h.baseUrl}/deals?pipeline=${pipeline.id}`);
      await card(page, deals.old).waitFor();
      expect(await card(page, deals.old).getByTestId('days-in-stage').textContent()).toBe('10 days in stage');
      expect(await card(page, deals.recent).getByTestId('days-in-stage').textContent()).toBe('3 days in stage');
      const mark = card(page, deals.old).getByTestId('stuck');
      expect((await mark.textContent())?.trim()).toBe('Stuck');
      expect(await mark.evaluate(contrastOf)).toBeGreaterThanOrEqual(4.5);
      expect(await card(page, deals.recent).getByTestId('stuck').count()).toBe(0);
      // a deal that entered its stage today adds no line to its card
      expect(await card(page, deals.fresh).getByTestId('days-in-stage').count()).toBe(0);
      expect(await card(page, deals.fresh).getByTestId('stuck').count()).toBe(0);

      // 1000 EUR + 200 USD × 0.9 + 300 EUR = 1,480 EUR; 25 % weighted = 370; the pounds have no rate
      const sum = column(page, 0).getByTestId('stage-sum');
      expect(await sum.getByTestId('company-total').textContent()).toMatch(/1,480/);
      expect(await sum.getByTestId('weighted-total').textContent()).toMatch(/weighted .*370/);
      const noRate = sum.getByTestId('no-rate');
      expect(await noRate.textContent()).toMatch(/50.*no rate/);
      expect(await noRate.evaluate(contrastOf)).toBeGreaterThanOrEqual(4.5);

      await page.getByTestId('by-manager-toggle').click();
      const panel = page.getByTestId('manager-panel');
      await panel.getByTestId('manager-row').first().waitFor();
      const rows = panel.getByTestId('manager-row');
      expect(await rows.locator('th').allTextContents()).toEqual(['Anna One', 'Boris Two']);
      expect(await rows.nth(0).getByTestId('manager-total').getByTestId('manager-count').textContent()).toBe('2');
      expect(await rows.nth(0).getByTestId('manager-total').getByTestId('company-total').textContent()).toMatch(
        /1,180/,
      );
      expect(await rows.nth(1).getByTestId('manager-total').getByTestId('no-rate').count()).toBe(1);
      await screenshot(page, 'board-lead');

      // the stuck filter keeps the one deal past its stage's threshold, and the panel follows it
      await page.getByTestId('filter-stuck').click();
      await expect.poll(() => page.getByTestId('deal-card').count(), WAIT).toBe(1);
      await expect.poll(() => rows.count(), WAIT).toBe(1);

      await page.getByTestId('filter-stuck').click();
      await page.getByTestId('lang-ru').click();
      await expect
        .poll(() => card(page, deals.recent).getByTestId('days-in-stage').textContent(), WAIT)
        .toBe('3 дня в стадии');
      expect(await card(page, deals.old).getByTestId('days-in-stage').textContent()).toBe('10 дней в стадии');
      expect((await card(page, deals.old).getByTestId('stuck').textContent())?.trim()).toBe('Застряла');
      await screenshot(page, 'board-lead-ru');
      await page.getByTestId('lang-en').click();
    } finally {
      await page.close();
    }
  });

  it('moves saved filters kept in the browser to the server once, and removes them there', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await logIn(page, h, emails.lead);
      await page.evaluate(() =>
        localStorage.setItem(
          'dealflow.savedFilters',
          JSON.stringify([{ name: 'Overdue of mine', filter: { owner: 'me', overdue: true, q: '' } }]),
        ),
      );
      // a slow server: a read of the saved filters asked for before the upload was answered reads the list without
      // it, and its answer comes after the upload's; the menu must still show the uploaded filter
      let uploaded = false;
      let answerUpload!: () => void;
      const upload = new Promise<void>((resolve) => {
        answerUpload = resolve;
      });
      await page.route('**/api/v1/saved-filters', async (route) => {
        const early = !uploaded;
        const answer = await route.fetch();
        if (route.request().method() === 'POST') {
          // (a page closed meanwhile, as at the test's end, has nothing left to answer)
          await route.fulfill({ response: answer }).catch(() => undefined);
          uploaded = true;
          answerUpload();
          return;
        }
        // held until a second after the upload's answer (at most 10 s: no upload, no hold)
        if (early) await Promise.race([upload, new Promise((r) => setTimeout(r, 10_000))]);
        if (early) await new Promise((r) => setTimeout(r, 1000));
        await route.fulfill({ response: answer }).catch(() => undefined);
      });
      await page.goto(`${h.baseUrl}/deals?pipeline=${pipeline.id}`);
      await expect
        .poll(async () => (await lead.get('/saved-filters')).body.items.map((x: { name: string }) => x.name), WAIT)
        .toEqual(['Overdue of mine']);
      await expect.poll(() => page.evaluate(() => localStorage.getItem('dealflow.savedFilters')), WAIT).toBeNull();
      const saved = (await lead.get('/saved-filters')).body.items[0];
      expect(saved.filter).toMatchObject({ owner: 'me', overdue: true, stuck: false });
      await page.getByTestId('saved-filters').click();
      await page.getByTestId('saved-filter').filter({ hasText: 'Overdue of mine' }).click();
      await expect
        .poll(
          () =>
            page
              .getByTestId('filter-overdue')
              .evaluate((el) => (el instanceof HTMLInputElement ? el : el.querySelector('input'))?.checked),
          WAIT,
        )
        .toBe(true);

      // saved for the group from the menu: on the server, shared
      page.once('dialog', (d) => void d.accept('Group overdue'));
      await page.getByTestId('saved-filters').click();
      await page.getByTestId('save-filter-shared').click();
      await expect
        .poll(
          async () =>
            (await lead.get('/saved-filters')).body.items.map((x: { name: string; shared: boolean }) => [
              x.name,
              x.shared,
            ]),
          WAIT,
        )
        .toEqual([
          ['Group overdue', true],
          ['Overdue of mine', false],
        ]);
    } finally {
      await page.close();
    }
  });
});
