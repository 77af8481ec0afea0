/**
 * The calendar's story end to end, as issue "Calendar, reminders that insist on a result…" tells it, in one browser
 * session on the real worker: a meeting on a deal reminds its owner live (the bell counts it without a reload), then
 * asks for the result; the notification's link opens the result form, answered with a follow-up; the report is on the
 * deal's timeline and the follow-up is the board card's next activity; a feed link, once revoked, is refused.
 * (The meeting is planned through the API so that it begins within seconds: the dialog's times are to the minute;
 * calendar.test.ts plans one through the dialog.)
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
let dealId: string;
const at = (ms: number) => new Date(Date.now() + ms).toISOString();

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const pipeline = await f.pipeline(
    [
      ['Lead', 'open', [], []],
      ['Won', 'won', [], []],
    ],
    'Story pipeline',
  );
  pipelineId = pipeline.id;
  const m = await f.user('manager', { name: 'Stella Story' });
  clientId = (await f.client(m.id, 'Initech')).id;
  manager = await login(h, m.email);
  const deal = await manager.post('/deals', { title: 'Initech expansion', clientId, pipelineId });
  expect(deal.status).toBe(201);
  dealId = deal.body.id;
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await logIn(page, h, m.email);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the calendar story', () => {
  it('reminds live, takes the result with a follow-up, shows the report and the next activity, refuses a revoked feed', async () => {
    await page.goto(`${h.baseUrl}/deals?pipeline=${pipelineId}`);
    const card = page.locator(`[data-testid=deal-card][data-deal-id="${dealId}"]`);
    await card.waitFor();
    // no activity planned yet: the card says so
    expect(await card.getByTestId('next-activity').getAttribute('data-kind')).toBeNull();

    const meeting = await manager.post('/calendar/events', {
      kind: 'meeting',
      title: 'Scope the expansion',
      startsAt: at(3000),
      endsAt: at(6000),
      timeZone: 'Europe/Moscow',
      clientId,
      dealId,
      reminders: [0],
    });
    expect(meeting.status).toBe(201);

    // the reminder, then the ask for the result, arrive live: the bell counts them without a reload
    const count = page.getByTestId('notification-count');
    await expect
      .poll(async () => ((await count.count()) ? Number(await count.textContent()) : 0), { timeout: 30_000 })
      .toBe(2);
    await page.getByTestId('notification-bell').click();
    const centre = page.getByTestId('notification-centre');
    await centre.waitFor();
    await screenshot(page, 'story-notifications');
    const due = centre.getByTestId('notification').filter({ hasText: 'Scope the expansion' }).first();
    // the newest first: the result due, whose link opens the result form
    await due.getByTestId('notification-link').click();

    const form = page.getByTestId('result-dialog');
    await form.getByTestId('result-outcomes').waitFor();
    await form.getByLabel('Next step agreed').check();
    await form.getByTestId('result-summary').fill('Three more sites from March');
    expect(await form.getByTestId('result-next-title').inputValue()).toBe('Follow-up: Scope the expansion');
    const saved = page.waitForResponse((r) => r.url().endsWith('/result') && r.request().method() === 'POST');
    await form.getByTestId('result-save').click();
    expect((await saved).status()).toBe(201);
    await form.waitFor({ state: 'detached' });

    await page.goto(`${h.baseUrl}/deals/${dealId}`);
    const history = page.locator('[data-testid=history-item][data-kind=reported]');
    await history.first().waitFor();
    expect(await history.first().textContent()).toContain('reported a meeting');
    const report = page.getByTestId('activity-card').getByTestId('report-item').first();
    expect(await report.textContent()).toContain('Three more sites from March');

    await page.goto(`${h.baseUrl}/deals?pipeline=${pipelineId}`);
    const next = card.getByTestId('next-activity');
    await expect
      .poll(() => next.getAttribute('title'), { timeout: 10_000 })
      .toContain('Follow-up: Scope the expansion');
    await screenshot(page, 'story-board-card');

    await page.goto(`${h.baseUrl}/calendar/feeds`);
    await page.getByTestId('feed-new').click();
    await page.getByTestId('feed-name').fill('My phone');
    await page.getByTestId('feed-create').click();
    const url = await page.getByTestId('feed-url').inputValue();
    const feed = await fetch(url);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain('SUMMARY:Follow-up: Scope the expansion');
    await page.getByTestId('feed-done').click();
    await page.getByTestId('feed-row').filter({ hasText: 'My phone' }).getByTestId('feed-revoke').click();
    await page.getByTestId('feed-revoke-confirm').click();
    await expect.poll(async () => (await fetch(url)).status).toBe(404);
  });
});
