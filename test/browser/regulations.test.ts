/**
 * Regulations in a real browser: a process owner opens a BPMN file in the modeler and publishes it — a file that
 * cannot run is refused with a marker on each element the server names — then a seller starts it, a lawyer (another
 * department) sees the task counted in the navigation, claims it and completes its form (a wrong value is refused by
 * the form), the seller completes the next task, and the instance page shows the diagram with the done elements marked.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fixtures, startHarness, type Harness } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

/** polls wait for the server and the worker on a shared machine: this is no measure of speed */
const WAIT = { timeout: 30_000 };
const FIXTURES = path.resolve(import.meta.dirname, 'fixtures');
let h: Harness;
let browser: Browser;
let emails: { owner: string; seller: string; lawyer: string };

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const legal = await f.department('Legal');
  const sales = await f.department('Sales');
  emails = {
    owner: (await f.user('process_owner', { name: 'Olga Owner' })).email,
    seller: (await f.user('manager', { name: 'Sam Seller', departmentId: sales.id })).email,
    lawyer: (await f.user('member', { name: 'Lena Lawyer', departmentId: legal.id })).email,
  };
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function as(email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await logIn(page, h, email);
  return { context, page };
}

describe('regulations in the browser', () => {
  it('publishes from the modeler, runs across two departments and shows the instance on its diagram', async () => {
    // the process owner: a file that cannot run is marked where it fails, the good one is published
    const owner = await as(emails.owner);
    await owner.page.getByRole('link', { name: 'Regulations' }).click();
    await owner.page.getByTestId('regulation-new').click();
    await owner.page.getByTestId('modeler-canvas').locator('.djs-element').first().waitFor();
    await owner.page.getByTestId('modeler-import').setInputFiles(path.join(FIXTURES, 'discount-approval-broken.bpmn'));
    await owner.page.locator('[data-element-id="stray"]').first().waitFor();
    await owner.page.getByTestId('modeler-publish').click();
    await owner.page.getByTestId('modeler-problems').waitFor();
    await expect
      .poll(
        () =>
          owner.page
            .getByTestId('modeler-problems')
            .locator('li')
            .evaluateAll((els) => els.map((e) => e.getAttribute('data-element'))),
        WAIT,
      )
      .toEqual(expect.arrayContaining(['opinion', 'stray']));
    expect(await owner.page.locator('.djs-element.df-problem[data-element-id="opinion"]').count()).toBe(1);
    expect(await owner.page.getByTestId('problem-marker').count()).toBeGreaterThanOrEqual(2);
    // the linter flags them while drawing too
    expect(await owner.page.locator('.bjsl-overlay').count()).toBeGreaterThan(0);
    await screenshot(owner.page, 'regulation-modeler-problems');

    await owner.page.getByTestId('modeler-import').setInputFiles(path.join(FIXTURES, 'discount-approval.bpmn'));
    await owner.page.locator('[data-element-id="confirm"]').first().waitFor();
    await expect.poll(() => owner.page.getByTestId('problem-marker').count(), WAIT).toBe(0);
    // the properties panel shows the task's Dealflow attributes
    await owner.page.locator('.djs-element[data-element-id="opinion"]').first().click();
    await expect.poll(() => owner.page.getByTestId('prop-groups').inputValue(), WAIT).toBe('Legal');
    expect(await owner.page.getByTestId('prop-form-key').inputValue()).toBe('legal-opinion');
    // assignees and groups are picked by name from the directory, not typed as ids
    const options = (testId: string) => owner.page.getByTestId(testId).locator('option').allTextContents();
    await expect.poll(() => options('prop-assignee-pick'), WAIT).toEqual(expect.arrayContaining(['Lena Lawyer']));
    await owner.page.getByTestId('prop-assignee-kind').selectOption('department');
    await expect.poll(() => options('prop-assignee-pick'), WAIT).toEqual(expect.arrayContaining(['Legal', 'Sales']));
    expect(await options('prop-groups-add')).toEqual(expect.arrayContaining(['Legal', 'Sales']));
    await screenshot(owner.page, 'regulation-modeler');
    await owner.page.getByTestId('modeler-publish').click();
    await owner.page.getByTestId('modeler-published').waitFor();
    expect(await owner.page.getByTestId('modeler-published').textContent()).toContain('version 1');
    await owner.context.close();

    // the seller starts it with its input
    const seller = await as(emails.seller);
    await seller.page.getByRole('link', { name: 'Regulations' }).click();
    await seller.page
      .locator('[data-testid="regulation-row"][data-key="discount_approval"]')
      .getByTestId('regulation-start')
      .click();
    await seller.page.getByTestId('start-input-customer').fill('Contoso');
    await seller.page.getByTestId('start-submit').click();
    await seller.page.getByTestId('instance-diagram').locator('[data-element-id="opinion"]').first().waitFor();
    await expect
      .poll(() => seller.page.getByTestId('instance-diagram').getAttribute('data-active'), WAIT)
      .toBe('opinion');
    const instanceUrl = seller.page.url();

    // the lawyer: the task is counted in the navigation, claimed, and done with its form
    const lawyer = await as(emails.lawyer);
    await expect.poll(() => lawyer.page.getByTestId('nav-task-count').textContent(), WAIT).toBe('1');
    await lawyer.page
      .locator('.nav')
      .getByRole('link', { name: /^Tasks/ })
      .click();
    const row = lawyer.page.getByTestId('tasks-group').getByTestId('task-row');
    await row.getByTestId('task-claim').click();
    const mine = lawyer.page.getByTestId('tasks-mine').getByTestId('task-row');
    await mine.getByRole('button', { name: 'Give a legal opinion' }).click();
    await mine.getByLabel('Opinion').waitFor();
    await mine.getByLabel('Approved').check();
    await mine.getByLabel('Opinion').fill('Fine by us');
    await screenshot(lawyer.page, 'regulation-inbox');
    await mine.getByTestId('task-complete').click();
    await expect.poll(() => lawyer.page.getByTestId('task-row').count(), WAIT).toBe(0);
    await expect.poll(() => lawyer.page.getByTestId('nav-task-count').count(), WAIT).toBe(0);
    await lawyer.context.close();

    // the seller confirms; the instance completes, marked on its diagram
    await seller.page
      .locator('.nav')
      .getByRole('link', { name: /^Tasks/ })
      .click();
    const confirm = seller.page.getByTestId('tasks-group').getByTestId('task-row');
    await confirm.getByRole('button', { name: 'Confirm to the customer' }).click();
    await confirm.getByLabel('Confirmation note').fill('Told them');
    await confirm.getByTestId('task-complete').click();
    await expect.poll(() => seller.page.getByTestId('task-row').count(), WAIT).toBe(0);
    await seller.page.goto(instanceUrl);
    await expect
      .poll(() => seller.page.getByTestId('instance-status').getAttribute('data-status'), WAIT)
      .toBe('completed');
    const done = seller.page.locator('[data-testid="instance-diagram"] .djs-element.df-done');
    await expect
      .poll(() => done.evaluateAll((els) => els.map((e) => e.getAttribute('data-element-id'))), WAIT)
      .toEqual(expect.arrayContaining(['opinion', 'confirm']));
    expect(await seller.page.getByTestId('instance-outputs').textContent()).toContain('true');
    expect(await seller.page.getByTestId('instance-trail').textContent()).toContain('Lena Lawyer');
    await screenshot(seller.page, 'regulation-instance');
    await seller.context.close();
  }, 240_000);
});
