/**
 * The notification centre in the browser: a reminder of an event created over the API reaches the logged-in user's
 * bell and centre without a reload (live, on the stream), shows as a desktop notification when the browser allows
 * them, links to its event in the calendar, and is marked read from the centre.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let email: string;
let api: Session;

beforeAll(async () => {
  h = await startHarness();
  const m = await fixtures(h).user('manager', { name: 'Max Manager' });
  email = m.email;
  api = await login(h, m.email);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('notification centre', () => {
  it('shows a live reminder in the bell, the centre and on the desktop, and marks it read', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      await context.grantPermissions(['notifications'], { origin: h.baseUrl });
      // records the desktop notifications the page shows (headless Chromium draws none)
      await context.addInitScript(() => {
        const Real = window.Notification;
        const shown: string[] = [];
        (window as unknown as { desktopShown: string[] }).desktopShown = shown;
        class Recording extends Real {
          constructor(title: string, options?: NotificationOptions) {
            shown.push(title);
            super(title, options);
          }
        }
        Object.defineProperty(Recording, 'permission', { get: () => Real.permission });
        Object.defineProperty(Recording, 'requestPermission', { value: Real.requestPermission.bind(Real) });
        window.Notification = Recording;
      });
      const page = await context.newPage();
      await logIn(page, h, email);
      const bell = page.getByTestId('notification-bell');
      await bell.waitFor();
      expect(await page.getByTestId('notification-count').count()).toBe(0);
      // this tab holds the browser's stream before the reminder is due; a second tab gets it relayed
      await expect.poll(() => h.ctx.live.size, { timeout: 10_000 }).toBe(1);
      const other = await context.newPage();
      await other.goto(`${h.baseUrl}/clients`);
      await other.getByTestId('notification-bell').waitFor();

      const created = await api.post('/calendar/events', {
        kind: 'call',
        title: 'Call the buyer',
        startsAt: new Date(Date.now() + 2000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        timeZone: 'Europe/Berlin',
        reminders: [0],
      });
      expect(created.status).toBe(201);
      const ev = created.body as { id: string; startsAt: string };

      await page.getByTestId('notification-count').filter({ hasText: '1' }).waitFor({ timeout: 30_000 });
      await page.waitForFunction(() => (window as unknown as { desktopShown: string[] }).desktopShown.length > 0);
      expect(await page.evaluate(() => (window as unknown as { desktopShown: string[] }).desktopShown)).toEqual([
        'Reminder: Call the buyer now',
      ]);
      // the other tab counts it too, and leaves the desktop notification to the tab holding the stream
      await other.getByTestId('notification-count').filter({ hasText: '1' }).waitFor({ timeout: 10_000 });
      expect(await other.evaluate(() => (window as unknown as { desktopShown: string[] }).desktopShown)).toEqual([]);
      expect(h.ctx.live.size).toBe(1);

      await screenshot(page, 'notification-bell');
      await bell.click();
      const centre = page.getByTestId('notification-centre');
      const item = centre.getByTestId('notification');
      await item.first().waitFor();
      expect(await item.count()).toBe(1);
      expect(await item.getAttribute('data-unread')).toBe('true');
      const link = item.getByTestId('notification-link');
      expect(await link.textContent()).toBe('Reminder: Call the buyer now');
      expect(await link.getAttribute('href')).toBe(
        `/calendar?event=${ev.id}&occurrence=${encodeURIComponent(ev.startsAt)}`,
      );
      await expect.poll(() => centre.getByText('Desktop notifications are on').count()).toBe(1);
      await screenshot(page, 'notification-centre');

      await item.getByTestId('notification-read').click();
      await page.getByTestId('notification-count').waitFor({ state: 'detached' });
      await expect.poll(() => item.getAttribute('data-unread')).toBeNull();
      expect((await api.get('/notifications/unread-count')).body).toEqual({ count: 0 });
    } finally {
      await context.close();
    }
  });
});
