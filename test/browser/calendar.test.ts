/**
 * The calendar in a real browser, on the real worker: a meeting planned from the deal page shows in the calendar's
 * week view and moves by drag; the result form opened by the notification's link records an outcome with a
 * follow-up, whose report then shows on the deal page and whose follow-up is the board card's next activity. At a
 * phone's size the calendar opens on the agenda.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';
import { until } from '../support/until.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let manager: Session;
let managerEmail: string;
let pipelineId: string;
let clientId: string;
let dealId: string;
let leadEmail: string;

const pad = (n: number) => String(n).padStart(2, '0');
/** 'YYYY-MM-DD' of a local date */
const day = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const at = (ms: number) => new Date(Date.now() + ms).toISOString();

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const pipeline = await f.pipeline(
    [
      ['Lead', 'open', [], []],
      ['Won', 'won', [], []],
      ['Lost', 'lost', [], []],
    ],
    'Calendar pipeline',
  );
  pipelineId = pipeline.id;
  const lead = await f.user('lead', { name: 'Lena Lead' });
  leadEmail = lead.email;
  const dept = await f.department('Calendar East', lead.id);
  const m = await f.user('manager', { name: 'Cora Calendar', departmentId: dept.id });
  managerEmail = m.email;
  clientId = (await f.client(m.id, 'Globex Calendar Ltd')).id;
  manager = await login(h, m.email);
  const deal = await manager.post('/deals', { title: 'Globex renewal', clientId, pipelineId });
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

describe('the calendar', () => {
  const tomorrow = new Date();
  tomorrow.setDate(tomorrow.getDate() + 1);
  let meetingId = '';

  it('plans a meeting from the deal page, shows it in the week view and moves it by drag', async () => {
    await page.goto(`${h.baseUrl}/deals/${dealId}`);
    const card = page.getByTestId('activity-card');
    await card.waitFor();
    await card.getByTestId('activity-plan').click();
    const dialog = page.getByTestId('event-dialog');
    await dialog.waitFor();
    // pre-filled with the deal's client and the deal
    expect(await dialog.getByTestId('client-picked').textContent()).toContain('Globex Calendar Ltd');
    await expect.poll(() => dialog.getByTestId('event-deal').inputValue(), { timeout: 10_000 }).toBe(dealId);
    await dialog.getByText('Meeting', { exact: true }).click();
    await dialog.getByTestId('event-title').fill('Renewal demo');
    await dialog.getByTestId('event-start').fill(`${day(tomorrow)}T10:00`);
    await dialog.getByTestId('event-end').fill(`${day(tomorrow)}T11:00`);
    await screenshot(page, 'calendar-event-dialog');
    const created = page.waitForResponse(
      (r) => r.url().endsWith('/calendar/events') && r.request().method() === 'POST',
    );
    await dialog.getByTestId('event-save').click();
    const res = await created;
    expect(res.status()).toBe(201);
    meetingId = ((await res.json()) as { id: string }).id;
    await dialog.waitFor({ state: 'detached' });
    const upcoming = card.getByTestId('activity-upcoming').getByTestId('activity-item');
    await expect.poll(() => upcoming.count(), { timeout: 10_000 }).toBe(1);
    expect(await upcoming.first().textContent()).toContain('Renewal demo');

    await page.goto(`${h.baseUrl}/calendar?date=${day(tomorrow)}`);
    const cal = page.getByTestId('calendar');
    await expect.poll(() => cal.getAttribute('data-view'), { timeout: 10_000 }).toBe('timeGridWeek');
    const block = cal.locator(`[data-testid=cal-event][data-event-id="${meetingId}"]`);
    await block.waitFor();
    expect(await block.getAttribute('data-kind')).toBe('meeting');
    await screenshot(page, 'calendar-week');

    type Ev = { startsAt: string; endsAt: string; dealId: string | null; clientId: string | null; reminders: number[] };
    const before = (await manager.get(`/calendar/events/${meetingId}`)).body as Ev;
    await block.evaluate((e) => e.scrollIntoView({ block: 'center' }));
    const box = (await block.boundingBox())!;
    const patched = page.waitForResponse(
      (r) => r.url().includes(`/calendar/events/${meetingId}`) && r.request().method() === 'PATCH',
    );
    await page.mouse.move(box.x + box.width / 2, box.y + 8);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + 20, { steps: 4 });
    await page.mouse.move(box.x + box.width / 2, box.y + 8 + 120, { steps: 12 });
    await page.mouse.up();
    expect((await patched).status()).toBe(200);
    const after = (await manager.get(`/calendar/events/${meetingId}`)).body as Ev;
    // only the times changed: the deal, client and reminders stay
    expect(after).toMatchObject({ dealId, clientId, reminders: before.reminders });
    const moved = Date.parse(after.startsAt) - Date.parse(before.startsAt);
    expect(moved).toBeGreaterThan(0);
    // moved, not resized: the same hour long
    expect(Date.parse(after.endsAt) - Date.parse(after.startsAt)).toBe(60 * 60_000);
    await screenshot(page, 'calendar-week-moved');

    // the link of an event opens it in its dialog
    await page.goto(`${h.baseUrl}/calendar?event=${meetingId}`);
    const opened = page.getByTestId('event-dialog');
    await opened.waitFor();
    expect(await opened.getByTestId('event-title').inputValue()).toBe('Renewal demo');
    await page.keyboard.press('Escape');
    await opened.waitFor({ state: 'detached' });
  });

  it('asks this / following / all when an occurrence of a series is dragged, and moves only this one', async () => {
    const start = new Date(tomorrow);
    start.setHours(15, 0, 0, 0);
    const series = await manager.post('/calendar/events', {
      kind: 'task',
      title: 'Weekly pipeline review',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 3600_000).toISOString(),
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      rrule: 'FREQ=WEEKLY;COUNT=3',
    });
    expect(series.status).toBe(201);
    await page.goto(`${h.baseUrl}/calendar?date=${day(tomorrow)}`);
    const block = page.locator(`[data-testid=cal-event][data-event-id="${series.body.id}"]`);
    await block.waitFor();
    await block.evaluate((e) => e.scrollIntoView({ block: 'center' }));
    const box = (await block.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 8);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + 20, { steps: 4 });
    await page.mouse.move(box.x + box.width / 2, box.y + 8 + 80, { steps: 12 });
    await page.mouse.up();
    const prompt = page.getByTestId('scope-prompt');
    await prompt.waitFor();
    await screenshot(page, 'calendar-scope-prompt');
    const patched = page.waitForResponse(
      (r) => r.url().includes(`/calendar/events/${series.body.id}`) && r.request().method() === 'PATCH',
    );
    await prompt.getByTestId('scope-this').click();
    expect((await patched).status()).toBe(200);
    const after = (await manager.get(`/calendar/events/${series.body.id}`)).body as {
      exdates: string[];
      rrule: string;
    };
    // the series keeps its rule and leaves the moved occurrence out; that one is an event of its own
    expect(after.rrule).toBe('FREQ=WEEKLY;COUNT=3');
    expect(after.exdates).toEqual([start.toISOString()]);
  });

  it('records a result with a follow-up from the notification link; the report and the next activity show', async () => {
    const call = await manager.post('/calendar/events', {
      kind: 'call',
      title: 'Price check call',
      startsAt: at(500),
      endsAt: at(2000),
      timeZone: 'Europe/Moscow',
      clientId,
      dealId,
    });
    expect(call.status).toBe(201);
    const ev = await until(
      async () => (await manager.get(`/calendar/events/${call.body.id}`)).body as { resultsDue: string[] },
      (e) => e.resultsDue.length > 0,
    );
    expect(ev.resultsDue).toHaveLength(1);
    const occurrence = ev.resultsDue[0];

    await page.goto(
      `${h.baseUrl}/calendar?event=${call.body.id}&occurrence=${encodeURIComponent(occurrence)}&result=1`,
    );
    const form = page.getByTestId('result-dialog');
    await form.getByTestId('result-outcomes').waitFor();
    await form.getByLabel('Next step agreed').check();
    await form.getByTestId('result-disposition').getByText('Answered').click();
    await form.getByTestId('result-summary').fill('Agreed on the price; send the contract');
    // the follow-up is pre-filled: a call on the same deal; it comes before the meeting
    expect(await form.getByTestId('result-next-title').inputValue()).toBe('Follow-up: Price check call');
    await form.getByTestId('result-next-start').fill(`${day(tomorrow)}T08:00`);
    await form.getByLabel('Ends', { exact: true }).fill(`${day(tomorrow)}T08:30`);
    await screenshot(page, 'calendar-result-form');
    const saved = page.waitForResponse((r) => r.url().endsWith('/result') && r.request().method() === 'POST');
    await form.getByTestId('result-save').click();
    expect((await saved).status()).toBe(201);
    await form.waitFor({ state: 'detached' });

    await page.goto(`${h.baseUrl}/deals/${dealId}`);
    const report = page.getByTestId('activity-card').getByTestId('report-item');
    await report.first().waitFor();
    expect(await report.first().textContent()).toContain('Agreed on the price; send the contract');
    expect(await report.first().textContent()).toContain('Next step agreed');
    const history = page.locator('[data-testid=history-item][data-kind=reported]');
    await history.first().waitFor();
    expect(await history.first().textContent()).toContain('reported a call');
    await screenshot(page, 'calendar-deal-page');

    await page.goto(`${h.baseUrl}/deals?pipeline=${pipelineId}`);
    const next = page.locator(`[data-testid=deal-card][data-deal-id="${dealId}"] [data-testid=next-activity]`);
    await next.waitFor();
    expect(await next.getAttribute('data-kind')).toBe('call');
    expect(await next.getAttribute('title')).toContain('Follow-up: Price check call');
    await screenshot(page, 'calendar-board-card');
  });

  it('writes a report on the reports page and filters the list by kind, in English and Russian', async () => {
    await page.goto(`${h.baseUrl}/reports`);
    const items = page.getByTestId('report-item');
    await items.first().waitFor();
    expect(await items.count()).toBe(1);
    await page.getByTestId('report-new').click();
    const dialog = page.getByTestId('report-dialog');
    await dialog.getByTestId('report-kind').selectOption('meeting');
    await dialog.getByTestId('report-outcome').selectOption({ label: 'Done, nothing further' });
    await dialog.getByTestId('report-summary').fill('Met at the fair; no need for more');
    await dialog.getByTestId('report-save').click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(2);
    await page.getByTestId('report-filter-kind').selectOption('meeting');
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(1);
    expect(await items.first().textContent()).toContain('Met at the fair; no need for more');
    await page.getByTestId('lang-ru').click();
    await page.getByRole('heading', { name: 'Отчёты' }).waitFor();
    expect(await items.first().textContent()).toContain('Встреча');
    await screenshot(page, 'calendar-reports-ru');
    await page.goto(`${h.baseUrl}/calendar?date=${day(tomorrow)}`);
    expect(await page.getByTestId('cal-legend').textContent()).toContain('Звонок');
    await page.getByTestId('cal-event').first().waitFor();
    await screenshot(page, 'calendar-week-ru');
    await page.getByTestId('lang-en').click();
    await page.getByRole('heading', { name: 'Calendar' }).waitFor();
  });

  it("shows a lead the counters per manager and the group's calendar", async () => {
    const other = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    try {
      await logIn(other, h, leadEmail);
      await other.goto(`${h.baseUrl}/calendar?date=${day(tomorrow)}`);
      const row = other.getByTestId('counters-managers').getByTestId('counter-manager');
      await row.first().waitFor();
      expect(await row.first().textContent()).toContain('Cora Calendar');
      await other.getByTestId('cal-owner').getByText('My group').click();
      await other.locator(`[data-testid=cal-event][data-event-id="${meetingId}"]`).waitFor();
      await screenshot(other, 'calendar-lead-group');
    } finally {
      await other.close();
    }
  });

  it('opens on the agenda at a phone size', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      await logIn(phone, h, managerEmail);
      await phone.goto(`${h.baseUrl}/calendar?date=${day(tomorrow)}`);
      const cal = phone.getByTestId('calendar');
      await expect.poll(() => cal.getAttribute('data-view'), { timeout: 10_000 }).toBe('listWeek');
      await cal.locator(`[data-testid=cal-event][data-event-id="${meetingId}"]`).first().waitFor();
      await screenshot(phone, 'calendar-phone-agenda');
    } finally {
      await phone.close();
    }
  });
});
