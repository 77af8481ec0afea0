/**
 * The calendar feeds panel in a real browser: a lead creates a group feed and sees its link, webcal link and QR code
 * once; the link serves the calendar; revoking asks first and then the link answers 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let lead: Session;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const l = await f.user('lead', { name: 'Lena Lead' });
  lead = await login(h, l.email);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await logIn(page, h, l.email);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('calendar feeds panel', () => {
  it('creates a group feed shown once with its links and QR code, and revokes it after confirmation', async () => {
    await page.goto(`${h.baseUrl}/calendar/feeds`);
    await page.getByTestId('feed-new').click();
    // the name is required
    await page.getByTestId('feed-create').click();
    await page.getByText('Give the link a name.').waitFor();
    await page.getByTestId('feed-name').fill('Team on my phone');
    await page.getByTestId('feed-scope-group').check();
    await page.getByTestId('feed-create').click();

    const url = await page.getByTestId('feed-url').inputValue();
    expect(url).toMatch(new RegExp(`^${h.baseUrl}/ical/[A-Za-z0-9_-]{32}\\.ics$`));
    expect(await page.getByTestId('feed-webcal').getAttribute('href')).toBe(url.replace(/^http:/, 'webcal:'));
    expect(await page.getByTestId('feed-qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    await screenshot(page, 'calendar-feed-created');
    const feed = await fetch(url);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain('X-WR-CALNAME:Team on my phone');
    await page.getByTestId('feed-done').click();

    const row = page.getByTestId('feed-row').filter({ hasText: 'Team on my phone' });
    await row.getByText("My group's events").waitFor();
    // the link is not shown again
    expect(await page.content()).not.toContain(url);
    expect((await lead.get('/calendar/feeds')).body.items).toHaveLength(1);

    await row.getByTestId('feed-revoke').click();
    await page.getByTestId('feed-revoke-confirm').click();
    await page.getByText('No feed links yet.').waitFor();
    expect((await fetch(url)).status).toBe(404);
  });
});
