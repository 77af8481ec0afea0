/**
 * The board in a real browser on the board endpoint: column headers carry the server's count and totals of every
 * deal the user may see (not just the cards loaded), a column shows its first 50 cards and "Load more" appends the
 * rest, the filter asks the server, and a move updates both columns and their figures without dropping loaded cards.
 * The 60 deals are written straight into the deals table: the board only reads them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let manager: Session;
let managerEmail: string;
let pipeline: { id: string; stages: { id: string; name: string }[] };
const stage = (name: string) => pipeline.stages.find((s) => s.name === name)!.id;

const N = 60;
const title = (i: number) => `Bulk deal ${String(i).padStart(2, '0')}`;
/** every 5th deal in USD, every other 7th without an amount, the rest in EUR; deal 1 changed last */
const amountOf = (i: number): { amount: string; currency: string } | null =>
  i % 5 === 0
    ? { amount: (i * 10).toFixed(2), currency: 'USD' }
    : i % 7 === 0
      ? null
      : { amount: ((i * 10025) / 100).toFixed(2), currency: 'EUR' };
const sumCents = (currency: string, except: number[] = []) =>
  Array.from({ length: N }, (_, k) => k + 1)
    .filter((i) => !except.includes(i) && amountOf(i)?.currency === currency)
    .reduce((a, i) => a + Math.round(Number(amountOf(i)!.amount) * 100), 0);
const eur = (cents: number) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).format(cents / 100);

async function insertDeals(
  rows: {
    title: string;
    clientId: string;
    ownerId: string;
    stageId: string;
    amount: string | null;
    currency: string | null;
    at: Date;
  }[],
) {
  const values = rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, 1)").join(', ');
  const params = rows.flatMap((r) => [
    randomUUID(),
    r.title,
    r.clientId,
    r.ownerId,
    pipeline.id,
    r.stageId,
    r.amount,
    r.currency,
    r.at,
    r.at,
  ]);
  await h.ctx.orm.em.getConnection().execute(
    `insert into deals (id, title, client_id, owner_id, pipeline_id, stage_id, amount, currency, custom, created_at, updated_at, version)
     values ${values}`,
    params,
  );
}

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  pipeline = await f.pipeline(
    [
      ['Lead', 'open', [], []],
      ['Qualified', 'open', [], []],
      ['Won', 'won', [], []],
      ['Lost', 'lost', [], []],
    ],
    'Big pipeline',
  );
  const m = await f.user('manager', { name: 'Bora Board' });
  managerEmail = m.email;
  const client = await f.client(m.id, 'Bulk Buyer GmbH');
  const now = Date.now();
  await insertDeals(
    Array.from({ length: N }, (_, k) => {
      const i = k + 1;
      const a = amountOf(i);
      return {
        title: title(i),
        clientId: client.id,
        ownerId: m.id,
        stageId: stage('Lead'),
        amount: a?.amount ?? null,
        currency: a?.currency ?? null,
        at: new Date(now - i * 60_000),
      };
    }),
  );
  // another manager's deals in the same stage: this manager must neither see nor count them
  const other = await f.user('manager');
  const otherClient = await f.client(other.id);
  await insertDeals(
    Array.from({ length: 5 }, (_, k) => ({
      title: `Hidden deal ${k}`,
      clientId: otherClient.id,
      ownerId: other.id,
      stageId: stage('Lead'),
      amount: '1000.00',
      currency: 'EUR',
      at: new Date(now),
    })),
  );
  manager = await login(h, m.email);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await logIn(page, h, managerEmail);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const column = (name: string) => page.locator(`[data-testid="stage-column"][data-stage-id="${stage(name)}"]`);
const cards = (name: string) => column(name).getByTestId('deal-card');
const count = (name: string) => column(name).getByTestId('stage-count').textContent();
const sum = (name: string) => column(name).getByTestId('stage-sum').textContent();

async function openBoard() {
  await page.goto(`${h.baseUrl}/deals?pipeline=${pipeline.id}`);
  await column('Lead').getByTestId('deal-card').first().waitFor();
}

describe('the board on the board endpoint', () => {
  it("shows the server's count and totals, the first 50 cards, and the rest after Load more", async () => {
    const board = await manager.get(`/deals/board?pipelineId=${pipeline.id}&perStage=50`);
    expect(board.status).toBe(200);
    const lead = board.body.stages.find((s: { stageId: string }) => s.stageId === stage('Lead'));
    expect(lead.count).toBe(N);
    const serverEur = lead.totals.find((x: { currency: string }) => x.currency === 'EUR').amount;
    expect(Math.round(Number(serverEur) * 100)).toBe(sumCents('EUR'));

    await openBoard();
    expect(await count('Lead')).toBe('60');
    // the EUR total of all 60 deals, as the server summed it (the cards loaded hold only part of it)
    expect(await sum('Lead')).toBe(`${eur(Math.round(Number(serverEur) * 100))} · $3,900`);
    expect(await sum('Lead')).toBe('€122,605.75 · $3,900');
    // the first cards of each column come first, the rest right after
    await expect.poll(() => cards('Lead').count(), { timeout: 10_000 }).toBe(50);
    expect(await column('Lead').getByTestId('stage-shown').textContent()).toBe('Showing 50 of 60');
    expect(await cards('Lead').first().getByTestId('deal-card-title').textContent()).toBe(title(1));
    expect(await count('Qualified')).toBe('0');
    expect(await column('Qualified').getByTestId('load-more').count()).toBe(0);
    await column('Lead').getByTestId('load-more').scrollIntoViewIfNeeded();
    await screenshot(page, 'board-en-50');

    await column('Lead').getByTestId('load-more').click();
    await expect.poll(() => cards('Lead').count(), { timeout: 10_000 }).toBe(60);
    expect(await column('Lead').getByTestId('load-more').count()).toBe(0);
    const titles = await cards('Lead').getByTestId('deal-card-title').allTextContents();
    expect(titles).toEqual(Array.from({ length: N }, (_, k) => title(k + 1)));
    expect(await count('Lead')).toBe('60');
    await screenshot(page, 'board-en-60');
  });

  it('filters on the server: counts and totals follow the filter', async () => {
    await openBoard();
    await page.getByTestId('board-filter').fill('bulk deal 1');
    // titles 10 to 19: 10, 15 in USD, 14 without an amount, the other 7 in EUR
    await expect.poll(() => count('Lead'), { timeout: 10_000 }).toBe('10');
    await expect.poll(() => cards('Lead').count()).toBe(10);
    const eurCents = [11, 12, 13, 16, 17, 18, 19].reduce((a, i) => a + i * 10025, 0);
    expect(await sum('Lead')).toBe(`${eur(eurCents)} · $250`);
    expect(await column('Lead').getByTestId('load-more').count()).toBe(0);
    expect(await column('Won').textContent()).toContain('No deals match the filter');

    await page.getByTestId('board-filter').fill('');
    await expect.poll(() => count('Lead'), { timeout: 10_000 }).toBe('60');
    await expect.poll(() => cards('Lead').count()).toBe(50);
  });

  it('after a move both columns and their figures change, and the cards loaded stay', async () => {
    await openBoard();
    await column('Lead').getByTestId('load-more').click();
    await expect.poll(() => cards('Lead').count(), { timeout: 10_000 }).toBe(60);

    const first = cards('Lead').filter({ hasText: title(1) });
    await first.getByTestId('deal-card-menu').click();
    // the menu opens in a portal over the board (never clipped by its column)
    await page
      .getByTestId('move-menu')
      .locator(`[data-testid="move-to"][data-stage-id="${stage('Qualified')}"]`)
      .click();
    await column('Qualified')
      .getByTestId('deal-card')
      .filter({ hasText: title(1) })
      .waitFor();
    // the card moves at once (optimistically); the toast says the server has done it
    await page
      .getByTestId('toast-ok')
      .filter({ hasText: title(1) })
      .waitFor();

    await expect.poll(() => count('Lead'), { timeout: 10_000 }).toBe('59');
    expect(await count('Qualified')).toBe('1');
    await expect.poll(() => sum('Lead')).toBe(`${eur(sumCents('EUR', [1]))} · $3,900`);
    expect(await sum('Qualified')).toBe('€100.25');
    // the 59 cards loaded so far are still there: the move did not reload the board back to 50
    expect(await cards('Lead').count()).toBe(59);
    expect(await column('Lead').getByTestId('load-more').count()).toBe(0);

    // and the server agrees with what the headers say
    const board = await manager.get(`/deals/board?pipelineId=${pipeline.id}`);
    const byStage = (id: string) => board.body.stages.find((s: { stageId: string }) => s.stageId === id);
    expect(byStage(stage('Lead')).count).toBe(59);
    expect(byStage(stage('Qualified')).count).toBe(1);
    expect(byStage(stage('Qualified')).totals).toEqual([{ currency: 'EUR', amount: '100.25' }]);
  });

  it('looks right in Russian', async () => {
    await openBoard();
    await page.getByTestId('lang-ru').click();
    await expect.poll(() => column('Lead').getByTestId('stage-shown').textContent()).toBe('Показано 50 из 59');
    expect(await column('Lead').getByTestId('load-more').textContent()).toBe('Показать ещё');
    await column('Lead').getByTestId('load-more').scrollIntoViewIfNeeded();
    await screenshot(page, 'board-ru');
    await page.getByTestId('lang-en').click();
    await expect.poll(() => column('Lead').getByTestId('stage-shown').textContent()).toBe('Showing 50 of 59');
  });
});
