/**
 * Axe-core, injected into the page, on the login, board, deal, clients and admin pages (the audit log included) (English and the board in
 * Russian): no serious or critical violations — contrast included (column totals, overdue chip, green badge).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fixtures, login, startHarness, type Harness } from '../support/harness.ts';
import { launch, logIn, screenshot } from './browser.ts';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let h: Harness;
let browser: Browser;
let page: Page;
let adminEmail: string;
let dealId: string;
let clientId: string;
let pipelineId: string;
const calendarDay = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const pipeline = await f.pipeline(
    [
      ['Lead', 'open', [], []],
      ['Proposal', 'open', ['amount'], []],
      ['Won', 'won', [], []],
      ['Lost', 'lost', [], []],
    ],
    'Axe pipeline',
  );
  pipelineId = pipeline.id;
  const admin = await f.user('admin', { name: 'Ada Admin' });
  adminEmail = admin.email;
  const client = await f.client(admin.id, 'Axe Client');
  clientId = client.id;
  const s = await login(h, admin.email);
  // an overdue deal (the red chip) and a won one (the green badge)
  const overdue = await s.post('/deals', {
    title: 'Overdue deal',
    clientId,
    pipelineId,
    amount: '1200.00',
    currency: 'EUR',
    expectedCloseDate: '2024-01-15',
  });
  expect(overdue.status).toBe(201);
  dealId = overdue.body.id;
  const won = await s.post('/deals', { title: 'Won deal', clientId, pipelineId, amount: '800.00', currency: 'EUR' });
  expect((await s.post(`/deals/${won.body.id}/stage`, { stageId: pipeline.stages[2].id })).status).toBe(200);
  // an event of each kind tomorrow (the calendar's colours), on the overdue deal
  for (const [i, kind] of ['call', 'meeting', 'email', 'task'].entries()) {
    const start = new Date(`${calendarDay}T${String(9 + i * 2).padStart(2, '0')}:00:00Z`);
    const r = await s.post('/calendar/events', {
      kind,
      title: `Axe ${kind}`,
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 3600_000).toISOString(),
      timeZone: 'UTC',
      clientId,
      dealId,
    });
    expect(r.status).toBe(201);
  }
  browser = await launch();
  // bypassCSP: the app's Content-Security-Policy (script-src 'self') would refuse the injected axe-core script
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function axe(name: string) {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const r = await (
      window as unknown as {
        axe: {
          run: (o: object) => Promise<{
            violations: { id: string; impact: string; nodes: { target: string[]; failureSummary: string }[] }[];
          }>;
        };
      }
    ).axe.run({ resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.nodes
            .slice(0, 3)
            .map((n) => `${n.target.join(' ')} — ${n.failureSummary}`)
            .join(' | ')}`,
      );
  });
  await screenshot(page, `axe-${name}`);
  expect(violations, name).toEqual([]);
}

describe('accessibility (axe-core)', () => {
  it('login page', async () => {
    await page.goto(`${h.baseUrl}/login`);
    await page.getByTestId('login-email').waitFor();
    await axe('login');
  });

  it('board, in English and in Russian', async () => {
    await logIn(page, h, adminEmail);
    await page.goto(`${h.baseUrl}/deals?pipeline=${pipelineId}`);
    await page.getByTestId('overdue').waitFor();
    await axe('board');
    await page.getByTestId('lang-ru').click();
    await page.getByText('Сделки', { exact: true }).first().waitFor();
    await axe('board-ru');
    await page.getByTestId('lang-en').click();
  });

  it('deal page', async () => {
    await page.goto(`${h.baseUrl}/deals/${dealId}`);
    await page.getByTestId('deal-page').waitFor();
    await axe('deal');
  });

  it('clients pages', async () => {
    await page.goto(`${h.baseUrl}/clients`);
    await page.getByText('Axe Client').first().waitFor();
    await axe('clients');
    await page.goto(`${h.baseUrl}/clients/${clientId}`);
    await page.getByText('Overdue deal').first().waitFor();
    await axe('client');
  });

  it('calendar and reports', async () => {
    await page.goto(`${h.baseUrl}/calendar?date=${calendarDay}`);
    await page.getByTestId('cal-event').first().waitFor();
    await axe('calendar');
    await page.goto(`${h.baseUrl}/reports`);
    await page.getByTestId('report-filters').waitFor();
    await axe('reports');
  });

  it('admin pages', async () => {
    await page.goto(`${h.baseUrl}/admin/pipelines?id=${pipelineId}`);
    await page.getByTestId('pipeline-editor').waitFor();
    await axe('admin-pipelines');
    await page.goto(`${h.baseUrl}/admin/users`);
    await page.getByText('Ada Admin').first().waitFor();
    await axe('admin-users');
    await page.goto(`${h.baseUrl}/admin/audit`);
    await page.getByTestId('audit-row').first().waitFor();
    await axe('admin-audit');
  });
});
