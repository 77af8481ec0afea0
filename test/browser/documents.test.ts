/**
 * The document catalog in a real browser: a folder open to one department, a PDF and a text file uploaded into it at
 * once (with progress), the PDF found by a word inside it with the match marked and shown by PDF.js; a colleague of
 * another department finds nothing and cannot open the file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, startHarness, type Harness } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';
import { makePdf } from '../documents/pdf.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let other: Page;
let users: { owner: { email: string }; colleague: { email: string } };

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const sales = await f.department('Sales');
  const support = await f.department('Support');
  users = {
    owner: await f.user('manager', { departmentId: sales.id, name: 'Olga Owner' }),
    colleague: await f.user('manager', { departmentId: support.id, name: 'Carl Colleague' }),
  };
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await logIn(page, h, users.owner.email);
  other = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
  await logIn(other, h, users.colleague.email);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

let documentId = '';

describe('the document catalog', () => {
  it('uploads a PDF into a department folder and finds it by a word inside it', async () => {
    await page.goto(`${h.baseUrl}/documents`);
    await page.getByTestId('new-folder').click();
    const dialog = page.getByTestId('folder-dialog');
    await dialog.getByTestId('folder-name').fill('Sales regulations');
    await dialog.getByTestId('access-kind').selectOption('department');
    await dialog
      .getByTestId('access-department')
      .locator('option', { hasText: 'Sales' })
      .waitFor({ state: 'attached' });
    await dialog.getByTestId('access-department').selectOption({ label: 'Sales' });
    await dialog.getByTestId('folder-save').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('folder-tree').getByText('Sales regulations').click();
    await expect.poll(() => page.getByTestId('documents-heading').textContent()).toBe('Sales regulations');

    // two files at once, as dropped or chosen together
    await page.getByTestId('documents-file-input').setInputFiles([
      {
        name: 'wholesale-policy.pdf',
        mimeType: 'application/pdf',
        buffer: makePdf('Wholesale discounts need the approval of the sales director'),
      },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Meeting notes about the price list') },
    ]);
    await page.getByTestId('documents-table').getByText('wholesale-policy.pdf').waitFor();
    await page.getByTestId('documents-table').getByText('notes.txt').waitFor();
    await screenshot(page, 'documents-folder');

    // the word is inside the PDF only (its text is extracted after the upload): search until it is found
    await expect
      .poll(
        async () => {
          await page.getByTestId('documents-search').fill('');
          await page.getByTestId('documents-search').fill('approval');
          await page.waitForTimeout(400);
          return page.getByTestId('document-highlight').locator('mark').allTextContents();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toContain('approval');
    const rows = page.getByTestId('document-row');
    await expect.poll(() => rows.count()).toBe(1);
    await screenshot(page, 'documents-search');

    await rows.first().getByRole('button', { name: 'wholesale-policy.pdf' }).click();
    const doc = page.getByTestId('document-dialog');
    await expect
      .poll(() => doc.getByTestId('pdf-preview').getAttribute('data-state'), { timeout: 20_000 })
      .toBe('ready');
    expect(await doc.locator('canvas.pdf-page').count()).toBe(1);
    await screenshot(page, 'documents-preview');
    const href = await doc.getByTestId('document-versions').locator('a').first().getAttribute('href');
    documentId = href!.split('/')[4];
    const download = await page.request.get(`${h.baseUrl}${href}`);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toBe('application/pdf');
  });

  it('refuses a file whose content does not match its name, saying so', async () => {
    await page.keyboard.press('Escape');
    await page.getByTestId('document-dialog').waitFor({ state: 'detached' });
    await page.getByTestId('documents-search').fill('');
    await page
      .getByTestId('documents-file-input')
      .setInputFiles([{ name: 'fake.pdf', mimeType: 'application/pdf', buffer: Buffer.from('this is only text') }]);
    await expect
      .poll(() => page.getByTestId('upload-list').getByRole('alert').textContent())
      .toBe("The file's content does not match its name.");
    await screenshot(page, 'documents-refused');
  });

  it('a colleague of another department neither finds nor opens it', async () => {
    await other.goto(`${h.baseUrl}/documents`);
    await other.getByTestId('folder-tree').waitFor();
    expect(await other.getByTestId('folder-tree').textContent()).not.toContain('Sales regulations');
    await other.getByTestId('documents-search').fill('approval');
    await other.getByText('Nothing matches your search').waitFor();
    await screenshot(other, 'documents-colleague');
    expect((await other.request.get(`${h.baseUrl}/api/v1/documents/${documentId}`)).status()).toBe(404);
    expect(
      (await other.request.get(`${h.baseUrl}/api/v1/documents/${documentId}/versions/1/content?inline=true`)).status(),
    ).toBe(404);
  });
});
