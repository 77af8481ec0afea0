/**
 * Document kinds and deal fields on the admin Pipelines page, in a real browser: create one of each through the
 * forms, see the API's 409 detail next to a form with what was typed kept, and find both among the stage
 * requirement checkboxes of the pipeline editor at once, without a page reload, then require them and save.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

let h: Harness;
let browser: Browser;
let page: Page;
let admin: Session;
let pipeline: { id: string; stages: { id: string; name: string }[] };

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  pipeline = await f.pipeline(
    [
      ['New', 'open', [], []],
      ['Contract', 'open', [], []],
      ['Won', 'won', [], []],
      ['Lost', 'lost', [], []],
    ],
    'Admin pipeline',
  );
  const a = await f.user('admin', { name: 'Ada Admin' });
  admin = await login(h, a.email);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await logIn(page, h, a.email);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('document kinds and deal fields in the admin', () => {
  it('creates them through the forms and offers them as stage requirements without a reload', async () => {
    await page.goto(`${h.baseUrl}/admin/pipelines?id=${pipeline.id}`);
    await page.getByTestId('pipeline-editor').waitFor();
    // a page reload would lose this
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42;
    });

    // a document kind: the code follows the English name until it is typed
    const kinds = page.getByTestId('document-kinds');
    await kinds.getByTestId('kind-name').fill('Signed contract');
    expect(await kinds.getByTestId('kind-code').inputValue()).toBe('signed_contract');
    await kinds.getByTestId('kind-name-ru').fill('Подписанный договор');
    await kinds.getByTestId('kind-submit').click();
    await kinds.locator('[data-testid="document-kind"][data-code="signed_contract"]').waitFor();
    expect(await kinds.getByTestId('kind-name').inputValue()).toBe('');
    expect(await kinds.getByTestId('document-kind-error').count()).toBe(0);

    // the same code again: what went wrong shows next to the form in the user's language, and what was typed stays
    await kinds.getByTestId('kind-name').fill('Signed contract (scan)');
    await kinds.getByTestId('kind-code').fill('signed_contract');
    await kinds.getByTestId('kind-submit').click();
    const kindError = kinds.getByTestId('document-kind-error');
    await kindError.waitFor();
    expect(await kindError.getByTestId('error-text').textContent()).toBe(
      'A document kind with this code exists already. Choose another code.',
    );
    // the message is the user's, never an internal code
    expect(await kindError.getByTestId('error-code').count()).toBe(0);
    expect(await kindError.textContent()).not.toMatch(/[A-Z]+_[A-Z_]+/);
    expect(await kinds.getByTestId('kind-name').inputValue()).toBe('Signed contract (scan)');
    expect(await kinds.getByTestId('kind-code').inputValue()).toBe('signed_contract');
    expect(await kinds.getByTestId('document-kind').count()).toBe(1);

    // a select field: without options it is refused before anything is sent
    const fields = page.getByTestId('deal-fields');
    await fields.getByTestId('field-label').fill('Budget approved');
    expect(await fields.getByTestId('field-key').inputValue()).toBe('budgetApproved');
    await fields.getByTestId('field-label-ru').fill('Бюджет согласован');
    await fields.getByTestId('field-type').selectOption('select');
    await fields.getByTestId('field-submit').click();
    expect(await fields.textContent()).toContain('A list needs at least one option');
    await fields.getByTestId('field-options').fill('Yes\nNo\n');
    await fields.getByTestId('field-submit').click();
    await fields.locator('[data-testid="deal-field"][data-key="budgetApproved"]').waitFor();
    expect(await fields.locator('[data-testid="deal-field"][data-key="budgetApproved"]').textContent()).toContain(
      'Yes · No',
    );

    // the same key again: 409 FIELD_KEY_TAKEN, next to the form, the input kept
    await fields.getByTestId('field-label').fill('Budget approved twice');
    await fields.getByTestId('field-key').fill('budgetApproved');
    await fields.getByTestId('field-type').selectOption('number');
    await fields.getByTestId('field-submit').click();
    const fieldError = fields.getByTestId('deal-field-error');
    await fieldError.waitFor();
    expect(await fieldError.getByTestId('error-text').textContent()).toBe(
      'A deal field with this key exists already. Choose another key.',
    );
    // the message is the user's, never an internal code
    expect(await fieldError.getByTestId('error-code').count()).toBe(0);
    expect(await fieldError.textContent()).not.toMatch(/[A-Z]+_[A-Z_]+/);
    expect(await fields.getByTestId('field-label').inputValue()).toBe('Budget approved twice');
    expect(await fields.getByTestId('field-type').inputValue()).toBe('number');
    await screenshot(page, 'admin-requirements-en');

    // the pipeline editor offers both right away
    const contract = page.getByTestId('stage-row').nth(1);
    await contract.getByTestId('stage-requirements').click();
    const field = contract.locator('[data-testid="req-field"][data-key="budgetApproved"]');
    await field.waitFor();
    expect(await field.textContent()).toBe('Budget approved');
    const kindId = (await admin.get('/document-kinds')).body.items.find(
      (k: { code: string }) => k.code === 'signed_contract',
    ).id;
    const doc = contract.locator(`[data-testid="req-doc"][data-kind-id="${kindId}"]`);
    expect(await doc.textContent()).toBe('Signed contract');
    await screenshot(page, 'admin-editor-en');

    // require both and save
    await field.locator('input').check();
    await doc.locator('input').check();
    await page.getByTestId('pipeline-save').click();
    await page.getByTestId('toast-ok').filter({ hasText: 'Pipeline saved' }).waitFor();
    const saved = await admin.get(`/pipelines/${pipeline.id}`);
    const stage = saved.body.stages.find((s: { name: string }) => s.name === 'Contract');
    expect(stage.requiredFields).toEqual(['budgetApproved']);
    expect(stage.requiredDocumentKinds).toEqual([kindId]);

    // all of it without reloading the page
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  });

  it('shows the Russian names in Russian', async () => {
    await page.goto(`${h.baseUrl}/admin/pipelines?id=${pipeline.id}`);
    await page.getByTestId('pipeline-editor').waitFor();
    await page.getByTestId('lang-ru').click();
    const contract = page.getByTestId('stage-row').nth(1);
    await contract.getByTestId('stage-requirements').click();
    await expect
      .poll(() => contract.locator('[data-testid="req-field"][data-key="budgetApproved"]').textContent())
      .toBe('Бюджет согласован');
    expect(await contract.getByTestId('req-doc').allTextContents()).toEqual(['Подписанный договор']);
    expect(await page.getByTestId('document-kinds').textContent()).toContain('Виды документов');
    expect(await page.getByTestId('deal-fields').textContent()).toContain('Выбор из списка');
    await page.getByTestId('deal-fields').getByTestId('field-key').fill('1bad');
    await page.getByTestId('deal-fields').getByTestId('field-submit').click();
    // a code taken already: said in Russian
    await page.getByTestId('document-kinds').getByTestId('kind-name').fill('Договор');
    await page.getByTestId('document-kinds').getByTestId('kind-code').fill('signed_contract');
    await page.getByTestId('document-kinds').getByTestId('kind-submit').click();
    await expect
      .poll(() => page.getByTestId('document-kind-error').getByTestId('error-text').textContent())
      .toBe('Вид документа с таким кодом уже существует. Выберите другой код.');
    await screenshot(page, 'admin-requirements-ru');
    await page.getByTestId('lang-en').click();
  });
});
