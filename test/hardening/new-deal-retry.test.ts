/**
 * The New deal dialog in a real browser sends an Idempotency-Key: when the answer to Create is lost (here the deal is
 * created, and the browser is told 503), pressing Create again sends the same key and gets the same deal, never a
 * second one. A new opening of the dialog uses a new key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn } from '../browser/browser.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let manager: Session;
let pipelineId: string;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  pipelineId = (
    await f.pipeline(
      [
        ['New', 'open', [], []],
        ['Won', 'won', [], []],
      ],
      'Retry pipeline',
    )
  ).id;
  const m = await f.user('manager', { name: 'Rita Retry' });
  await f.client(m.id, 'Retry Buyer GmbH');
  manager = await login(h, m.email);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, h, m.email);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function fillNewDeal(title: string) {
  await page.getByTestId('new-deal').click();
  const dialog = page.getByTestId('new-deal-dialog');
  await dialog.waitFor();
  await page.getByTestId('new-deal-title').fill(title);
  await page.getByTestId('client-search').fill('Retry Buyer');
  await page.getByTestId('client-option').filter({ hasText: 'Retry Buyer GmbH' }).click();
  await page.getByTestId('client-picked').waitFor();
  return dialog;
}

const dealsTitled = async (title: string) =>
  (await manager.get(`/deals?pipelineId=${pipelineId}&q=${encodeURIComponent(title)}`)).body.items as {
    id: string;
    title: string;
  }[];

describe('New deal dialog', () => {
  it('retries a create whose answer was lost with the same Idempotency-Key, creating one deal', async () => {
    const keys: (string | undefined)[] = [];
    let firstCreated: { id: string } | null = null;
    await page.route(
      (url) => url.pathname === '/api/v1/deals',
      async (route) => {
        const request = route.request();
        if (request.method() !== 'POST') return route.continue();
        keys.push(request.headers()['idempotency-key']);
        if (keys.length > 1) return route.continue();
        // the first attempt reaches the server and creates the deal; its answer is replaced by a 503
        const response = await route.fetch();
        firstCreated = await response.json();
        return route.fulfill({
          status: 503,
          contentType: 'application/problem+json',
          headers: { 'retry-after': '5' },
          body: JSON.stringify({
            type: 'about:blank',
            title: 'Service Unavailable',
            status: 503,
            code: 'SERVICE_UNAVAILABLE',
            detail: 'try again shortly',
          }),
        });
      },
    );
    await page.goto(`${h.baseUrl}/deals?pipeline=${pipelineId}`);
    const dialog = await fillNewDeal('Lost answer deal');
    await page.getByTestId('new-deal-submit').click();
    await dialog.getByTestId('error').waitFor();
    expect(keys).toHaveLength(1);
    await page.getByTestId('new-deal-submit').click();
    await dialog.waitFor({ state: 'detached' });
    await page.unroute((url) => url.pathname === '/api/v1/deals');

    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
    const deals = await dealsTitled('Lost answer deal');
    expect(deals).toHaveLength(1);
    expect(deals[0].id).toBe(firstCreated!.id);
    await page.getByTestId('deal-card').filter({ hasText: 'Lost answer deal' }).first().waitFor();

    // a new opening of the dialog is a new deal, with a new key
    const next: (string | undefined)[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/deals')
        next.push(r.headers()['idempotency-key']);
    });
    const again = await fillNewDeal('Second deal');
    await page.getByTestId('new-deal-submit').click();
    await again.waitFor({ state: 'detached' });
    expect(next).toHaveLength(1);
    expect(next[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(next[0]).not.toBe(keys[0]);
    expect(await dealsTitled('Second deal')).toHaveLength(1);
  });
});
