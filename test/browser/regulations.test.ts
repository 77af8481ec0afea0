/**
 * Regulations in a real browser: a process owner opens a BPMN file in the modeler and publishes it — a file that
 * cannot run is refused with a marker on each element the server names — then a seller starts it, a lawyer (another
 * department) sees the task counted in the navigation, claims it and completes its form (a wrong value is refused by
 * the form), the seller completes the next task, and the instance page shows the diagram with the done elements marked.
 * The modeler's pickers offer users and departments by name. A regulation started from a deal's page writes its
 * output to the deal, whose history shows its steps.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

/** polls wait for the server and the worker on a shared machine: this is no measure of speed */
const WAIT = { timeout: 30_000 };
const FIXTURES = path.resolve(import.meta.dirname, 'fixtures');
let h: Harness;
let browser: Browser;
let emails: { owner: string; seller: string; lawyer: string };
let sellerId: string;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const legal = await f.department('Legal');
  const sales = await f.department('Sales');
  const sam = await f.user('manager', { name: 'Sam Seller', departmentId: sales.id });
  sellerId = sam.id;
  emails = {
    owner: (await f.user('process_owner', { name: 'Olga Owner' })).email,
    seller: sam.email,
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

  it('starts a regulation from a deal page and shows its outputs on the deal', async () => {
    const f = fixtures(h);
    const pipeline = await f.pipeline([['New', 'open', [], []]]);
    const client = await f.client(sellerId);
    const api = await login(h, emails.seller);
    const deal = (
      await api.post('/deals', {
        title: 'Chillers',
        clientId: client.id,
        pipelineId: pipeline.id,
        amount: '1',
        currency: 'EUR',
      })
    ).body as { id: string };
    const owner = await login(h, emails.owner);
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:dealflow="https://dealflow.dev/schema/bpmn/1.0" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="quote_deal" name="Quote the deal" isExecutable="true">
    <bpmn:extensionElements>
      <dealflow:field name="price" type="number" direction="output" dealField="amount" />
      <zeebe:userTaskForm id="quote-form">{"type":"default","id":"quote-form","components":[{"type":"number","key":"price","label":"Price","validate":{"required":true}}]}</zeebe:userTaskForm>
    </bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="quote" />
    <bpmn:userTask id="quote" name="Quote it" dealflow:candidateGroups="Sales" dealflow:formKey="quote-form">
      <bpmn:extensionElements><dealflow:produces names="price" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="quote" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
    expect((await owner.post('/regulations', { xml })).status).toBe(201);

    // the seller starts it on the deal's page: the instance page opens
    const seller = await as(emails.seller);
    await seller.page.goto(`${h.baseUrl}/deals/${deal.id}`);
    await seller.page.getByTestId('deal-regulation-pick').selectOption('quote_deal');
    await seller.page.getByTestId('deal-regulation-start').click();
    // (a file without a drawing: the page shows no diagram, its state and trail all the same)
    await expect
      .poll(() => seller.page.getByTestId('instance-status').getAttribute('data-status'), WAIT)
      .toBe('running');

    // its task is done from the inbox with its form
    await seller.page
      .locator('.nav')
      .getByRole('link', { name: /^Tasks/ })
      .click();
    const task = seller.page.getByTestId('tasks-group').getByTestId('task-row');
    await task.getByRole('button', { name: 'Quote it' }).click();
    await task.getByLabel('Price').fill('2500');
    await task.getByTestId('task-complete').click();
    await expect.poll(() => seller.page.getByTestId('task-row').count(), WAIT).toBe(0);

    // the deal shows the output in its amount, and the regulation's steps in its history
    await seller.page.goto(`${h.baseUrl}/deals/${deal.id}`);
    await expect
      .poll(async () => {
        await seller.page.reload();
        await seller.page.locator('#df-amount').waitFor();
        return (await seller.page.locator('#df-amount').inputValue()).replace(/[^0-9]/g, '');
      }, WAIT)
      .toMatch(/^2500/);
    await expect
      .poll(() => seller.page.getByTestId('deal-page').textContent(), WAIT)
      .toContain('regulation “Quote the deal” finished');
    await screenshot(seller.page, 'regulation-deal');
    await seller.context.close();
  }, 240_000);
});
