/**
 * The board's layout on a laptop and on a phone, in a real browser. At 1366 px five columns fit next to the sidebar,
 * and the stages beyond are announced by a visible scrollbar, a fade and a scroll button; a card dragged to the
 * board's edge scrolls it, so it can be dropped on a column that was off-screen. At 390 px a stage strip with counts
 * leads to the column of each stage, and an empty column says "No deals" (there is no dragging on a phone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { draggable, launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let manager: Session;
let managerEmail: string;
let pipeline: { id: string; stages: { id: string; name: string }[] };
const dealIds: string[] = [];
const stage = (name: string) => pipeline.stages.find((s) => s.name === name)!.id;
const NAMES = ['Lead', 'Contacted', 'Qualified', 'Proposal', 'Negotiation', 'Won', 'Lost'];

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  pipeline = await f.pipeline(
    NAMES.map((n) => [n, n === 'Won' ? 'won' : n === 'Lost' ? 'lost' : 'open', [], []]),
    'Wide pipeline',
  );
  const m = await f.user('manager', { name: 'Lia Layout' });
  managerEmail = m.email;
  const client = await f.client(m.id, 'Layout Client');
  manager = await login(h, m.email);
  for (const [i, title] of ['Qualified one', 'Qualified two', 'Qualified three'].entries()) {
    const d = await manager.post('/deals', {
      title,
      clientId: client.id,
      pipelineId: pipeline.id,
      amount: `${(i + 1) * 1000}.00`,
      currency: 'EUR',
    });
    expect(d.status).toBe(201);
    const moved = await manager.post(`/deals/${d.body.id}/stage`, {
      stageId: stage('Qualified'),
      version: d.body.version,
    });
    expect(moved.status).toBe(200);
    dealIds.push(d.body.id);
  }
  browser = await launch({ scrollbars: true });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const column = (page: Page, name: string) =>
  page.locator(`[data-testid="stage-column"][data-stage-id="${stage(name)}"]`);
const scrollLeft = (page: Page) => page.getByTestId('board').evaluate((el) => el.scrollLeft);

async function openBoard(page: Page) {
  await page.goto(`${h.baseUrl}/deals?pipeline=${pipeline.id}`);
  await column(page, 'Qualified').getByTestId('deal-card').first().waitFor();
}

/** The columns whose whole width is on screen. */
async function fullyVisible(page: Page) {
  const width = page.viewportSize()!.width;
  const out: string[] = [];
  for (const name of NAMES) {
    const box = (await column(page, name).boundingBox())!;
    if (box.x >= 0 && box.x + box.width <= width) out.push(name);
  }
  return out;
}

describe('the board on a 1366 px laptop', () => {
  let page: Page;
  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await logIn(page, h, managerEmail);
  });

  it('fits six compact columns, shows that there is more and scrolls to it', async () => {
    await openBoard(page);
    const width = (await column(page, 'Lead').boundingBox())!.width;
    expect(width).toBeGreaterThanOrEqual(176);
    expect(width).toBeLessThanOrEqual(190);
    expect((await fullyVisible(page)).slice(0, 5)).toEqual([
      'Lead',
      'Contacted',
      'Qualified',
      'Proposal',
      'Negotiation',
    ]);
    expect(await fullyVisible(page)).not.toContain('Lost');

    // a scrollbar that takes room (so it is drawn) and sits on screen
    const board = page.getByTestId('board');
    expect(await board.evaluate((el) => (el as HTMLElement).offsetHeight - el.clientHeight)).toBeGreaterThanOrEqual(10);
    const box = (await board.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(768);

    const right = page.getByTestId('board-scroll-right');
    expect(await right.isVisible()).toBe(true);
    // the stages out of view to the right are named (six of the seven compact columns fit)
    expect(await right.getAttribute('title')).toMatch(/^More stages: (Won, )?Lost$/);
    expect(await page.getByTestId('board-scroll-left').count()).toBe(0);
    await screenshot(page, 'board-1366-en');

    await right.click();
    await expect.poll(() => fullyVisible(page), { timeout: 5_000 }).toContain('Lost');
    await page.getByTestId('board-scroll-left').waitFor();
    await expect.poll(() => page.getByTestId('board-scroll-right').count()).toBe(0);
    await screenshot(page, 'board-1366-scrolled-en');

    await page.getByTestId('lang-ru').click();
    await page.getByTestId('board-scroll-left').click();
    await expect.poll(() => scrollLeft(page)).toBe(0);
    expect(await page.getByTestId('board-scroll-right').getAttribute('title')).toMatch(/^Ещё стадии: (Won, )?Lost$/);
    await screenshot(page, 'board-1366-ru');
    await page.getByTestId('lang-en').click();
  });

  it('scrolls while a card is dragged to the edge, so it can be dropped on a column that was off-screen', async () => {
    await openBoard(page);
    expect(await scrollLeft(page)).toBe(0);
    const card = column(page, 'Qualified').locator(`[data-deal-id="${dealIds[0]}"]`);
    await draggable(card);
    const from = (await card.boundingBox())!;
    const board = (await page.getByTestId('board').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + 20);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 40, from.y + 30, { steps: 4 });
    // hold the card at the right edge: the board scrolls until the end
    await page.mouse.move(1366 - 12, board.y + board.height / 2, { steps: 8 });
    await expect.poll(() => scrollLeft(page), { timeout: 5_000 }).toBeGreaterThan(100);
    await expect.poll(() => fullyVisible(page), { timeout: 5_000 }).toContain('Won');
    const won = (await column(page, 'Won').boundingBox())!;
    await page.mouse.move(won.x + won.width / 2, won.y + 60, { steps: 8 });
    await page.mouse.up();
    await column(page, 'Won').locator(`[data-deal-id="${dealIds[0]}"]`).waitFor();
    await page.getByTestId('toast-ok').waitFor();
    await expect.poll(async () => (await manager.get(`/deals/${dealIds[0]}`)).body.stageId).toBe(stage('Won'));
  });
});

describe('the board on a 390 px phone', () => {
  let page: Page;
  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await logIn(page, h, managerEmail);
  });

  it('has a stage strip with counts that leads to each column, and says "No deals" in an empty one', async () => {
    await openBoard(page);
    const strip = page.getByTestId('stage-strip');
    expect(await strip.isVisible()).toBe(true);
    const items = await strip.getByTestId('stage-strip-item').evaluateAll((els) => els.map((e) => e.textContent));
    expect(items).toEqual(['Lead0', 'Contacted0', 'Qualified2', 'Proposal0', 'Negotiation0', 'Won1', 'Lost0']);
    expect(await column(page, 'Lead').getByTestId('column-empty').textContent()).toBe('No deals');
    expect(await page.getByTestId('board').textContent()).not.toContain('Drop deals here');
    // a phone opens on the first stage that has deals
    await expect.poll(() => strip.locator('[aria-current="true"]').textContent()).toBe('Qualified2');
    expect((await column(page, 'Qualified').boundingBox())!.x).toBeGreaterThanOrEqual(0);
    expect((await column(page, 'Qualified').boundingBox())!.x).toBeLessThan(30);
    await screenshot(page, 'board-phone-en');

    await strip.locator(`[data-stage-id="${stage('Lead')}"]`).click();
    await expect
      .poll(async () => (await column(page, 'Lead').boundingBox())!.x, { timeout: 5_000 })
      .toBeGreaterThanOrEqual(0);
    await expect.poll(() => strip.locator('[aria-current="true"]').textContent()).toBe('Lead0');
    await screenshot(page, 'board-phone-lead-en');

    await page.evaluate(() => localStorage.setItem('dealflow.locale', 'ru'));
    await manager.patch('/auth/me', { locale: 'ru' });
    await openBoard(page);
    expect(await column(page, 'Lead').getByTestId('column-empty').textContent()).toBe('Сделок нет');
    await screenshot(page, 'board-phone-ru');
    await manager.patch('/auth/me', { locale: 'en' });
  });
});
