/**
 * Importing a file in a real browser: from the clients page to the import page, a CSV uploaded, its columns mapped
 * as guessed from the headers, a preview naming the row a stage gate refuses, the import run with its progress bar,
 * and the result offering the failed rows as a download.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, startHarness, type Harness } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let managerEmail: string;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  managerEmail = (await f.user('manager', { name: 'Ivy Importer' })).email;
  const kind = await f.documentKind('proposal', 'Commercial proposal');
  await f.pipeline([
    ['New', 'open', [], []],
    ['Proposal', 'open', [], [kind.id]],
  ]);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const CSV =
  'Company,INN,Phone,Deal,Amount,Currency,Stage\n' +
  'Alpha LLC,7700000101,+7 495 000-00-01,Alpha supply,1000,RUB,New\n' +
  'Beta LLC,7700000102,+7 495 000-00-02,Beta supply,2000,RUB,New\n' +
  'Gamma LLC,7700000103,+7 495 000-00-03,Gamma supply,3000,RUB,Proposal\n';

/** the select of a column's field (Mantine puts the test id on the select or its wrapper) */
const select = (i: number) => page.getByTestId(`import-target-${i}`).locator('xpath=descendant-or-self::select');

describe('the import page', () => {
  it('takes a CSV from upload to result: mapping guessed, gated row shown before and after, failed rows to download', async () => {
    await logIn(page, h, managerEmail);
    await page.goto(`${h.baseUrl}/clients`);
    await page.getByTestId('clients-import').click();
    await page.getByTestId('import-upload').waitFor();
    await page
      .getByTestId('import-file')
      .setInputFiles({ name: 'deals.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });

    await page.getByTestId('import-mapping').waitFor();
    expect(await page.getByTestId('import-column').count()).toBe(7);
    expect(await select(0).inputValue()).toBe('client.name');
    expect(await select(6).inputValue()).toBe('deal.stage');
    await screenshot(page, 'import-mapping');

    await page.getByTestId('import-check').click();
    await page.getByTestId('import-preview').waitFor();
    const rows = page.getByTestId('import-preview-row');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(0).getAttribute('data-ok')).toBe('true');
    expect(await rows.nth(2).getAttribute('data-ok')).toBe('false');
    expect(await rows.nth(2).getByTestId('import-row-errors').textContent()).toContain(
      'Stage “Proposal” requires: Commercial proposal',
    );
    await screenshot(page, 'import-preview');

    await page.getByTestId('import-start').click();
    await page.locator('[data-testid="import-run"][data-status="done"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-counts').textContent()).toBe('3 of 3 rows: 2 imported, 1 failed');
    await page.getByTestId('import-failed-rows').waitFor();
    expect(await page.getByTestId('import-failed-rows').textContent()).toContain('Commercial proposal');
    await screenshot(page, 'import-result');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('import-errors-download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('deals-errors.csv');

    // the result in Russian: the refusal in the user's language
    await page.getByTestId('lang-ru').click();
    await page.getByRole('heading', { name: 'Импорт клиентов и сделок' }).waitFor();
    expect(await page.getByTestId('import-failed-rows').textContent()).toContain(
      'Стадия «Proposal» требует: Commercial proposal',
    );
    await screenshot(page, 'import-result-ru');

    await page.goto(`${h.baseUrl}/deals`);
    await page.getByText('Alpha supply').waitFor();
    expect(await page.getByText('Gamma supply').count()).toBe(0);
  });
});
