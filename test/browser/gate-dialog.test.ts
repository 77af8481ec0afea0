/**
 * The stage dialog in a real browser against the real app: drag a deal onto a gated stage, fill exactly what the
 * stage asks for (the amount and a commercial proposal), press Move, and the deal lands there with its history.
 * The web app must be built first (npm test does it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PASSWORD, fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { mouseDrag } from './browser.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WEB_INDEX = path.resolve(import.meta.dirname, '..', '..', 'dist', 'web', 'index.html');

let h: Harness;
let browser: Browser;
let page: Page;
let manager: Session;
let managerEmail: string;
let proposalKindId: string;
let pipeline: { id: string; stages: { id: string; name: string }[] };
let clientId: string;
const stage = (name: string) => pipeline.stages.find((s) => s.name === name)!.id;

beforeAll(async () => {
  if (!fs.existsSync(WEB_INDEX)) throw new Error('dist/web is not built: run `npm test` (or vite build) first');
  h = await startHarness();
  const f = fixtures(h);
  proposalKindId = (await f.documentKind(`proposal_${Date.now()}`, 'Commercial proposal')).id;
  pipeline = await f.pipeline(
    [
      ['New', 'open', [], []],
      ['Proposal sent', 'open', ['amount'], [proposalKindId]],
      ['Won', 'won', ['amount'], []],
      ['Lost', 'lost', [], []],
    ],
    'Browser pipeline',
  );
  const m = await f.user('manager', { name: 'Mila Manager' });
  managerEmail = m.email;
  clientId = (await f.client(m.id, 'Acme Browser Ltd')).id;
  manager = await login(h, m.email);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('stage dialog in the browser', () => {
  it('asks for exactly what the gated stage lacks, uploads it and moves the dropped card there', async () => {
    const created = await manager.post('/deals', { title: 'Browser deal', clientId, pipelineId: pipeline.id });
    expect(created.status).toBe(201);
    const dealId: string = created.body.id;

    // log in through the form
    await page.goto(`${h.baseUrl}/login`);
    await page.getByTestId('login-email').fill(managerEmail);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor();
    expect(await page.getByTestId('current-user').textContent()).toContain('Mila Manager');

    // the board of our pipeline
    await page.goto(`${h.baseUrl}/deals?pipeline=${pipeline.id}`);
    const column = (stageId: string) => page.locator(`[data-testid="stage-column"][data-stage-id="${stageId}"]`);
    const card = page.locator(`[data-testid="deal-card"][data-deal-id="${dealId}"]`);
    await column(stage('New')).locator(`[data-deal-id="${dealId}"]`).waitFor();

    // drag the card onto the gated stage: the stage dialog lists exactly the amount and the commercial proposal
    await mouseDrag(page, card, column(stage('Proposal sent')));
    const dialog = page.getByTestId('gate-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('gate-item-label').allTextContents()).toEqual(['Amount', 'Commercial proposal']);

    await dialog.getByTestId('gate-field-amount').fill('2500.50');
    expect(await dialog.getByTestId('gate-currency-amount').inputValue()).toBe('EUR');
    await dialog.getByTestId(`gate-file-${proposalKindId}`).setInputFiles({
      name: 'proposal.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n% Dealflow test proposal\n%%EOF\n'),
    });
    await dialog.getByTestId('gate-move').click();
    await dialog.waitFor({ state: 'detached' });

    // the card is now in the gated column, with its amount
    const moved = column(stage('Proposal sent')).locator(`[data-testid="deal-card"][data-deal-id="${dealId}"]`);
    await moved.waitFor();
    expect(await column(stage('New')).locator(`[data-deal-id="${dealId}"]`).count()).toBe(0);
    expect(await moved.getByTestId('deal-card-amount').textContent()).toContain('2,500.50');

    // the deal page shows the move in the stage history
    await moved.getByTestId('deal-card-title').click();
    await page.getByTestId('deal-page').waitFor();
    const move = page.locator('[data-testid="history-item"][data-kind="stage_changed"]');
    await move.first().waitFor();
    expect(await move.count()).toBe(1);
    const moveText = await move.getByTestId('history-move').textContent();
    expect(moveText).toContain('New');
    expect(moveText).toContain('Proposal sent');
    expect(await move.textContent()).toContain('Mila Manager');
    expect(await page.getByTestId('attachment').allTextContents()).toEqual([expect.stringContaining('proposal.pdf')]);

    // and the API agrees
    const detail = await manager.get(`/deals/${dealId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.stageId).toBe(stage('Proposal sent'));
    expect(Number(detail.body.amount)).toBe(2500.5);
    expect(detail.body.currency).toBe('EUR');
    expect(detail.body.attachments).toHaveLength(1);
    expect(detail.body.attachments[0]).toMatchObject({ documentKindId: proposalKindId, fileName: 'proposal.pdf' });
    const moves = detail.body.history.filter((e: { kind: string }) => e.kind === 'stage_changed');
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({ fromStageId: stage('New'), toStageId: stage('Proposal sent') });
  });

  it('leaves the deal where it was when the dialog is cancelled', async () => {
    const created = await manager.post('/deals', { title: 'Cancelled move', clientId, pipelineId: pipeline.id });
    const dealId: string = created.body.id;
    await page.goto(`${h.baseUrl}/deals?pipeline=${pipeline.id}`);
    const column = (stageId: string) => page.locator(`[data-testid="stage-column"][data-stage-id="${stageId}"]`);
    const card = column(stage('New')).locator(`[data-testid="deal-card"][data-deal-id="${dealId}"]`);
    await card.waitFor();

    // the keyboard/click alternative: "Move to…" on the card
    await card.getByTestId('deal-card-menu').click();
    await page
      .getByTestId('move-menu')
      .locator(`[data-testid="move-to"][data-stage-id="${stage('Proposal sent')}"]`)
      .click();
    const dialog = page.getByTestId('gate-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('gate-field-amount').fill('100');
    await dialog.getByTestId('gate-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    await card.waitFor();
    const detail = await manager.get(`/deals/${dealId}`);
    expect(detail.body.stageId).toBe(stage('New'));
    expect(detail.body.amount).toBeNull();
    expect(detail.body.attachments).toHaveLength(0);
  });
});
