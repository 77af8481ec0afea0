/**
 * The session ends while a manager is typing: the next save says so in a dialog over the page, logging in again
 * there keeps what was typed, and the save then goes through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { PASSWORD, fixtures, login, startHarness, type Harness } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let email: string;
let dealId: string;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const pipeline = await f.pipeline(
    [
      ['Lead', 'open', [], []],
      ['Won', 'won', [], []],
    ],
    'Expiry pipeline',
  );
  const m = await f.user('manager', { name: 'Sasha Session' });
  email = m.email;
  const client = await f.client(m.id, 'Expiry Client');
  const s = await login(h, m.email);
  const d = await s.post('/deals', { title: 'Typed before expiry', clientId: client.id, pipelineId: pipeline.id });
  expect(d.status).toBe(201);
  dealId = d.body.id;
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('session expiry', () => {
  it('says the session ended and keeps the unsaved input through logging in again', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await logIn(page, h, email);
    await page.goto(`${h.baseUrl}/deals/${dealId}`);
    await page.getByTestId('deal-page').waitFor();
    await page.locator('#df-title').fill('Typed, not saved yet');
    // the session ends on the server (as when it expires): every session of the user is deleted
    await h.ctx.orm.em.getConnection().execute('delete from sessions');
    await page.getByTestId('deal-save').click();
    const dialog = page.getByTestId('session-expired');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Your session has ended');
    expect(await page.locator('#df-title').inputValue()).toBe('Typed, not saved yet');
    await screenshot(page, 'session-expired');
    await dialog.getByTestId('session-password').fill(PASSWORD);
    await dialog.getByTestId('session-login').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('#df-title').inputValue()).toBe('Typed, not saved yet');
    await page.getByTestId('deal-save').click();
    await expect.poll(() => page.getByTestId('deal-title').textContent()).toBe('Typed, not saved yet');
    await context.close();
  });
});
