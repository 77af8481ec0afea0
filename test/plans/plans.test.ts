/**
 * Revenue plans on the real Temporal server and Postgres, over HTTP: a manager plans a month and submits it, the lead
 * decides line by line and finalises, group and company totals show the final plan beside the plan as submitted,
 * payments entered (one by one and from a CSV file) give plan against actual; refusals leave no history; another
 * manager's plan is not found; deadline reminders are delivered once; a worker stopped mid-review loses no decision
 * and applies none twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowBundle } from '../../runtime/worker.ts';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { until } from '../support/until.ts';

let h: Harness;
let admin: Session;
let manager: Session;
let lead: Session;
let other: Session;
let managerId: string;
let manager2Id: string;
let manager2: Session;
let leadId: string;
let deptId: string;
const clients: { id: string; name: string }[] = [];
/** plans (workflow ids) whose histories are replayed at the end (and recorded as fixtures with RECORD_HISTORIES=1) */
const recorded: Record<string, string> = {};

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const sql = async <T = Record<string, unknown>>(q: string, params: unknown[] = []) =>
  h.ctx.orm.em.fork().getConnection().execute<T[]>(q, params);
const planEvents = async (planId: string) =>
  sql<{ kind: string; data: Record<string, unknown> }>(
    `select kind, data from record_events where record_type = 'plan' and record_id = ? order by id`,
    [planId],
  );
const historyLength = async (wfId: string) => {
  const hist = await h.ctx.temporal.workflow.getHandle(wfId).fetchHistory();
  return hist.events?.length ?? 0;
};
const line = (i: number, over: Record<string, unknown> = {}) => ({
  clientId: clients[i].id,
  amount: '100000.00',
  currency: 'RUB',
  expectedOn: '2026-12-15',
  comment: `line ${i}`,
  ...over,
});

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const a = await f.user('admin', { name: 'Ada Admin' });
  const head = await f.user('lead', { name: 'Hugo Head' });
  const top = await f.department('Sales', head.id);
  const l = await f.user('lead', { name: 'Lena Lead' });
  leadId = l.id;
  const dept = await f.department('Sales East', l.id, top.id);
  deptId = dept.id;
  const m = await f.user('manager', { name: 'Max Manager', departmentId: dept.id });
  managerId = m.id;
  const m2 = await f.user('manager', { name: 'Mia Manager', departmentId: dept.id });
  manager2Id = m2.id;
  const westDept = await f.department('Sales West', null, top.id);
  const o = await f.user('manager', { name: 'Olga Other', departmentId: westDept.id });
  admin = await login(h, a.email);
  manager = await login(h, m.email);
  manager2 = await login(h, m2.email);
  lead = await login(h, l.email);
  other = await login(h, o.email);
  for (const name of ['Acme', 'Globex', 'Initech']) {
    const c = await f.client(m.id, name);
    clients.push({ id: c.id, name });
  }
  const c4 = await f.client(m2.id, 'Umbrella');
  clients.push({ id: c4.id, name: 'Umbrella' });
  const rates = await admin.put('/currency-rates', {
    currency: 'RUB',
    rates: [{ currency: 'USD', rate: '90' }],
    version: 0,
  });
  expect(rates.status).toBe(200);
  const settings = await admin.put('/plan-settings', {
    confirmation: true,
    submitDueDays: 0,
    reviewDueDays: 2,
    timeZone: 'Europe/Moscow',
    version: 1,
  });
  expect(settings.status).toBe(200);
});
afterAll(() => h?.close());

describe('revenue plans', () => {
  it('refuses bad periods and lines, naming the line and field, and writes nothing', async () => {
    expect((await manager.put(`/plans/${managerId}/2026-13`, { lines: [line(0)] })).body.code).toBe(
      'PLAN_PERIOD_INVALID',
    );
    const cases: [Record<string, unknown>, string][] = [
      [{ amount: '0' }, 'lines.1.amount'],
      [{ amount: '-5.00' }, 'lines.1.amount'],
      [{ expectedOn: '2027-01-01' }, 'lines.1.expectedOn'],
      [{ currency: 'XYZ' }, 'lines.1.currency'],
    ];
    for (const [over, field] of cases) {
      const r = await manager.put(`/plans/${managerId}/2026-12`, { lines: [line(0), line(1, over)] });
      expect(r.status, field).toBe(422);
      expect(r.body.code).toBe('PLAN_LINE_INVALID');
      expect(r.body.errors ?? r.body.details?.errors).toBeDefined();
      expect(JSON.stringify(r.body)).toContain(field);
    }
    const [{ n }] = await sql<{ n: string }>('select count(*) as n from plans');
    expect(Number(n)).toBe(0);
  });

  it('a manager plans a month for three clients and submits; the lead approves two and doubts one; totals show both figures; payments give plan vs actual', async () => {
    const saved = await manager.put(`/plans/${managerId}/2026-12`, {
      lines: [
        line(0),
        line(1, { amount: '50000' }),
        line(2, { amount: '1000', currency: 'USD', expectedOn: '2026-12-20' }),
      ],
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ status: 'draft', periodKind: 'month', startsAt: '2026-11-30T21:00:00.000Z' });
    expect(saved.body.lines.map((l: { amountBase: string }) => l.amountBase)).toEqual([
      '100000.00',
      '50000.00',
      '90000.00',
    ]);
    const planId = saved.body.id;
    const wfId = `plan-${managerId}-2026-12`;
    recorded['submitted-reviewed-finalised-reopened'] = wfId;

    const submitted = await manager.post(`/plans/${managerId}/2026-12/submit`, { note: 'December as agreed' });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({
      status: 'submitted',
      submission: { number: 1, note: 'December as agreed', total: '240000.00' },
    });
    const [a, b, c] = submitted.body.lines.map((l: { id: string }) => l.id);

    // the lead decides: two approved at once, one doubtful with a comment
    const decided = await lead.post(`/plans/${managerId}/2026-12/decisions`, {
      decisions: [
        { lineId: a, decision: 'approved' },
        { lineId: b, decision: 'approved', comment: 'fine' },
      ],
    });
    expect(decided.status).toBe(200);
    expect(decided.body.canReview).toBe(true);
    const doubted = await lead.post(`/plans/${managerId}/2026-12/decisions`, {
      decisions: [{ lineId: c, decision: 'doubtful', comment: 'No budget before spring' }],
    });
    expect(doubted.status).toBe(200);
    expect(doubted.body.lines.map((l: { status: string }) => l.status)).toEqual(['approved', 'approved', 'doubtful']);
    expect(doubted.body.totals).toEqual({
      submitted: '240000.00',
      confirmed: '150000.00',
      doubtful: '90000.00',
      pending: '0.00',
    });

    // refusals: by the manager (not a lead), on a closed line, a doubt without a reason: 4xx and no history
    const events = (await planEvents(planId)).length;
    const hist = await historyLength(wfId);
    const byManager = await manager.post(`/plans/${managerId}/2026-12/decisions`, {
      decisions: [{ lineId: c, decision: 'approved' }],
    });
    expect([byManager.status, byManager.body.code]).toEqual([403, 'PLAN_NOT_REVIEWER']);
    const closed = await lead.post(`/plans/${managerId}/2026-12/decisions`, {
      decisions: [{ lineId: a, decision: 'doubtful', comment: 'changed my mind' }],
    });
    expect([closed.status, closed.body.code]).toEqual([409, 'PLAN_LINE_CLOSED']);
    expect(closed.body.lines ?? closed.body.details?.lines ?? JSON.stringify(closed.body)).toContain(a);
    const noReason = await lead.post(`/plans/${managerId}/2026-12/decisions`, {
      decisions: [{ lineId: c, decision: 'doubtful' }],
    });
    expect(noReason.status).toBe(400);
    // another manager's plan is not found, for reading and for every command
    expect((await other.get(`/plans/${managerId}/2026-12`)).status).toBe(404);
    expect((await other.put(`/plans/${managerId}/2026-12`, { lines: [line(0)] })).status).toBe(404);
    expect(
      (await other.post(`/plans/${managerId}/2026-12/decisions`, { decisions: [{ lineId: a, decision: 'approved' }] }))
        .status,
    ).toBe(404);
    expect((await other.get(`/plans/${managerId}/2026-12/history`)).status).toBe(404);
    expect((await planEvents(planId)).length).toBe(events);
    expect(await historyLength(wfId)).toBe(hist);

    const final = await lead.post(`/plans/${managerId}/2026-12/finalise`, {});
    expect(final.status).toBe(200);
    expect(final.body.status).toBe('final');

    // a decision on the locked plan: refused, no history
    const eventsFinal = (await planEvents(planId)).length;
    const histFinal = await historyLength(wfId);
    const locked = await lead.post(`/plans/${managerId}/2026-12/decisions`, {
      decisions: [{ lineId: c, decision: 'approved' }],
    });
    expect([locked.status, locked.body.code]).toEqual([409, 'PLAN_LOCKED']);
    expect((await planEvents(planId)).length).toBe(eventsFinal);
    expect(await historyLength(wfId)).toBe(histFinal);

    // the timeline: created, submitted, two reviews, finalised
    const timeline = await manager.get(`/plans/${managerId}/2026-12/history`);
    expect(timeline.body.items.map((e: { kind: string }) => e.kind)).toEqual([
      'created',
      'submitted',
      'reviewed',
      'reviewed',
      'finalised',
    ]);

    // company totals (administrators): by group, the final plan without the doubtful line, beside the submitted
    const company = await admin.get('/plan-totals?period=2026-12&by=group');
    expect(company.status).toBe(200);
    expect(company.body.total).toMatchObject({
      submitted: '240000.00',
      approved: '150000.00',
      doubtful: '90000.00',
      pending: '0.00',
    });
    expect(company.body.items).toEqual([
      expect.objectContaining({ key: deptId, name: 'Sales East', approved: '150000.00', submitted: '240000.00' }),
    ]);
    expect((await manager.get('/plan-totals?period=2026-12&by=group')).status).toBe(403);
    // drill-down: group → manager → client → line
    const group = await lead.get(`/plan-totals?period=2026-12&by=manager&departmentId=${deptId}`);
    expect(group.body.items).toEqual([
      expect.objectContaining({ key: managerId, name: 'Max Manager', approved: '150000.00', doubtful: '90000.00' }),
    ]);
    const byClient = await lead.get(`/plan-totals?period=2026-12&by=client&managerId=${managerId}`);
    expect(byClient.body.items.map((i: { name: string; approved: string }) => [i.name, i.approved])).toEqual([
      ['Acme', '100000.00'],
      ['Globex', '50000.00'],
      ['Initech', '0.00'],
    ]);
    const byLine = await lead.get(
      `/plan-totals?period=2026-12&by=line&managerId=${managerId}&clientId=${clients[2].id}`,
    );
    expect(byLine.body.items).toEqual([expect.objectContaining({ key: c, doubtful: '90000.00', approved: '0.00' })]);
    expect((await other.get(`/plan-totals?period=2026-12&by=client&managerId=${managerId}`)).status).toBe(404);
    // the plans of the month: the lead sees the group's, another manager none of them
    const listed = await lead.get('/plans?period=2026-12');
    expect(listed.body.items).toEqual([
      expect.objectContaining({ managerId, status: 'final', lines: 3, approved: '150000.00', doubtful: '90000.00' }),
    ]);
    expect((await other.get('/plans?period=2026-12')).body.items).toEqual([]);
    expect((await admin.get('/plans?period=2026-Q4')).body.items).toHaveLength(1);
    // a quarter sums the month plans
    const quarter = await admin.get('/plan-totals?period=2026-Q4&by=group');
    expect(quarter.body.total.approved).toBe('150000.00');

    // payments: one entered, then a CSV file in Windows-1251 previewed (nothing written) and confirmed
    const paid = await manager.post('/payments', {
      clientId: clients[0].id,
      amount: '60000',
      currency: 'RUB',
      paidOn: '2026-12-10',
    });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ managerId, amountBase: '60000.00' });
    const bad = await manager.post('/payments', {
      clientId: clients[0].id,
      amount: '0',
      currency: 'RUB',
      paidOn: '2026-12-10',
    });
    expect([bad.status, bad.body.code]).toEqual([422, 'PAYMENT_INVALID']);
    const csv =
      'Клиент;Сумма;Валюта;Дата;Комментарий\r\nGlobex;40 000,50;RUB;12.12.2026;аванс\r\nNobody;10;RUB;2026-12-12;\r\nAcme;100;USD;2026-12-20;\r\n';
    const file = encode1251(csv);
    const upload = (confirm: boolean) => {
      const form = new FormData();
      form.append('file', new Blob([file]), 'payments.csv');
      form.append('confirm', String(confirm));
      return manager.request('POST', '/payments/import', form);
    };
    const preview = await upload(false);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ encoding: 'windows-1251', delimiter: ';', written: 0, valid: 2, invalid: 1 });
    expect(preview.body.rows[0]).toMatchObject({
      row: 2,
      amount: '40000.50',
      paidOn: '2026-12-12',
      comment: 'аванс',
      errors: [],
    });
    expect(preview.body.rows[1].errors.map((e: { field: string }) => e.field)).toEqual(['clientId']);
    expect(preview.body.rows[2].amountBase).toBe('9000.00');
    const [{ n: before }] = await sql<{ n: string }>('select count(*) as n from payments');
    expect(Number(before)).toBe(1);
    const confirmed = await upload(true);
    expect(confirmed.body).toMatchObject({ written: 2, confirmed: true });

    const vs = await lead.get(`/plan-vs-actual?from=2026-10&to=2026-12&managerId=${managerId}`);
    expect(vs.status).toBe(200);
    expect(vs.body.items).toEqual([
      { period: '2026-10', submitted: '0.00', approved: '0.00', doubtful: '0.00', actual: '0.00', percent: null },
      { period: '2026-11', submitted: '0.00', approved: '0.00', doubtful: '0.00', actual: '0.00', percent: null },
      {
        period: '2026-12',
        submitted: '240000.00',
        approved: '150000.00',
        doubtful: '90000.00',
        actual: '109000.50',
        percent: 72.7,
      },
    ]);
    const companyVs = await admin.get('/plan-vs-actual?from=2026-12&to=2026-12');
    expect(companyVs.body.items).toEqual([expect.objectContaining({ period: '2026-12', actual: '109000.50' })]);
    expect((await manager.get('/plan-vs-actual?from=2026-12&to=2026-12')).status).toBe(403);
    const companyActual = await admin.get('/plan-totals?period=2026-12&by=group');
    expect(companyActual.body.total.actual).toBe('109000.50');

    // changing the final plan opens a new revision that goes through confirmation again
    const current = (await manager.get(`/plans/${managerId}/2026-12`)).body;
    const revised = await manager.put(`/plans/${managerId}/2026-12`, {
      lines: current.lines.map((l: Record<string, unknown>) => ({
        id: l.id,
        clientId: l.clientId,
        amount: l.id === c ? '500' : l.amount,
        currency: l.currency,
        expectedOn: l.expectedOn,
        comment: l.comment,
      })),
      version: current.version,
    });
    expect(revised.status).toBe(200);
    expect(revised.body).toMatchObject({ status: 'draft', revision: 2 });
    expect(revised.body.lines.every((l: { status: string }) => l.status === 'open')).toBe(true);
    expect((await planEvents(planId)).at(-1)?.kind).toBe('reopened');
  });

  it('under review a manager revises a doubtful line and resubmits; approved lines stay fixed', async () => {
    const r = await manager2.put(`/plans/${manager2Id}/2026-W50`, {
      lines: [
        { clientId: clients[3].id, amount: '100', currency: 'RUB', expectedOn: '2026-12-07' },
        { clientId: clients[3].id, amount: '200', currency: 'RUB', expectedOn: '2026-12-08' },
      ],
    });
    expect(r.status).toBe(200);
    await manager2.post(`/plans/${manager2Id}/2026-W50/submit`, {});
    const [x, y] = r.body.lines.map((l: { id: string }) => l.id);
    await lead.post(`/plans/${manager2Id}/2026-W50/decisions`, {
      decisions: [
        { lineId: x, decision: 'approved' },
        { lineId: y, decision: 'doubtful', comment: 'too much' },
      ],
    });
    const body = (amounts: [string, string]) => ({
      lines: [
        { id: x, clientId: clients[3].id, amount: amounts[0], currency: 'RUB', expectedOn: '2026-12-07' },
        { id: y, clientId: clients[3].id, amount: amounts[1], currency: 'RUB', expectedOn: '2026-12-08' },
      ],
    });
    const touchApproved = await manager2.put(`/plans/${manager2Id}/2026-W50`, body(['150', '200']));
    expect([touchApproved.status, touchApproved.body.code]).toEqual([409, 'PLAN_UNDER_REVIEW']);
    const fixDoubtful = await manager2.put(`/plans/${manager2Id}/2026-W50`, body(['100', '120']));
    expect(fixDoubtful.status).toBe(200);
    expect(fixDoubtful.body.lines[1]).toMatchObject({ status: 'doubtful', revised: true });
    const again = await manager2.post(`/plans/${manager2Id}/2026-W50/submit`, { note: 'cut to 120' });
    expect(again.body).toMatchObject({ status: 'submitted', submission: { number: 2, total: '220.00' } });
    expect(again.body.lines.map((l: { status: string }) => l.status)).toEqual(['approved', 'open']);
    const head = await lead.post(`/plans/${manager2Id}/2026-W50/decisions`, {
      decisions: [{ lineId: y, decision: 'approved' }],
    });
    expect(head.body.totals).toMatchObject({ submitted: '220.00', confirmed: '220.00' });
    // a week roll-up sums the week plans
    const week = await admin.get(`/plan-totals?period=2026-W50&by=manager&departmentId=${deptId}`);
    expect(week.body.items.find((i: { key: string }) => i.key === manager2Id)).toMatchObject({
      approved: '220.00',
      submitted: '220.00',
    });
  });

  it('reminds a manager who has not submitted and a lead who has not reviewed, once each', async () => {
    // a past day: both deadlines have passed
    recorded['reminded-to-submit-and-review'] = `plan-${manager2Id}-2026-11-20`;
    const r = await manager2.put(`/plans/${manager2Id}/2026-11-20`, {
      lines: [{ clientId: clients[3].id, amount: '10', currency: 'RUB', expectedOn: '2026-11-20' }],
    });
    expect(r.status).toBe(200);
    const notes = (userId: string) =>
      sql<{ kind: string; key: string }>(
        'select kind, key from notifications where user_id = ? and record_id = ? order by id',
        [userId, r.body.id],
      );
    expect(
      (
        await until(
          () => notes(manager2Id),
          (n) => n.length > 0,
        )
      ).map((n) => n.kind),
    ).toEqual(['plan_submit_due']);
    await manager2.post(`/plans/${manager2Id}/2026-11-20/submit`, {});
    expect(
      (
        await until(
          () => notes(leadId),
          (n) => n.length > 0,
        )
      ).map((n) => n.kind),
    ).toEqual(['plan_review_due']);
    await new Promise((res) => setTimeout(res, 1000));
    expect(await notes(manager2Id)).toHaveLength(1);
    expect(await notes(leadId)).toHaveLength(1);
  });

  it('a worker stopped mid-review and restarted loses no decision and applies none twice', async () => {
    const lines = [0, 1, 2].map((i) => ({
      clientId: clients[3].id,
      amount: String(1000 * (i + 1)),
      currency: 'RUB',
      expectedOn: '2027-01-1' + i,
    }));
    const saved = await manager2.put(`/plans/${manager2Id}/2027-01`, { lines });
    expect(saved.status).toBe(200);
    await manager2.post(`/plans/${manager2Id}/2027-01/submit`, {});
    const [a, b, c] = saved.body.lines.map((l: { id: string }) => l.id);
    const first = await lead.post(`/plans/${manager2Id}/2027-01/decisions`, {
      decisions: [{ lineId: a, decision: 'approved' }],
    });
    expect(first.status).toBe(200);

    recorded['reviewed-across-a-worker-restart'] = `plan-${manager2Id}-2027-01`;
    await h.worker.stop();
    const during = lead.post(`/plans/${manager2Id}/2027-01/decisions`, {
      decisions: [{ lineId: b, decision: 'approved' }],
    });
    await new Promise((r) => setTimeout(r, 1500));
    await h.startAnotherWorker();
    const answered = await during;
    expect([200, 503], JSON.stringify(answered.body)).toContain(answered.status);
    const plan = await until(
      () => lead.get(`/plans/${manager2Id}/2027-01`),
      (p) => p.body.lines[1].status === 'approved',
    );
    expect(plan.body.lines.map((l: { status: string }) => l.status)).toEqual(['approved', 'approved', 'open']);
    const last = await lead.post(`/plans/${manager2Id}/2027-01/decisions`, {
      decisions: [{ lineId: c, decision: 'doubtful', comment: 'later' }],
    });
    expect(last.status).toBe(200);
    const again = await lead.post(`/plans/${manager2Id}/2027-01/decisions`, {
      decisions: [{ lineId: b, decision: 'approved' }],
    });
    expect(again.body.code).toBe('PLAN_LINE_CLOSED');
    const reviewed = (await planEvents(saved.body.id)).filter((e) => e.kind === 'reviewed');
    const decidedIds = reviewed.flatMap((e) => (e.data.decisions as { lineId: string }[]).map((d) => d.lineId));
    expect(decidedIds.sort()).toEqual([a, b, c].sort());
    const [{ n }] = await sql<{ n: string }>(
      `select count(*) as n from record_events where record_type = 'plan' and record_id = ? and kind = 'reviewed'`,
      [saved.body.id],
    );
    expect(Number(n)).toBe(3);
    expect(last.body.totals).toMatchObject({ submitted: '6000.00', confirmed: '3000.00', doubtful: '3000.00' });
  });

  it('with confirmation off a saved plan is final at once, and submitting is refused', async () => {
    const settings = (await admin.get('/plan-settings')).body;
    expect((await admin.put('/plan-settings', { ...settings, confirmation: false })).status).toBe(200);
    try {
      const r = await manager2.put(`/plans/${manager2Id}/2027-02`, {
        lines: [{ clientId: clients[3].id, amount: '700', currency: 'RUB', expectedOn: '2027-02-03' }],
      });
      expect(r.body).toMatchObject({ status: 'final', confirmation: false, totals: { confirmed: '700.00' } });
      expect(r.body.lines[0].status).toBe('approved');
      const submit = await manager2.post(`/plans/${manager2Id}/2027-02/submit`, {});
      expect([submit.status, submit.body.code]).toEqual([409, 'PLAN_CONFIRMATION_OFF']);
      const totals = await admin.get(`/plan-totals?period=2027-02&by=manager&departmentId=${deptId}`);
      expect(totals.body.total).toMatchObject({ submitted: '700.00', approved: '700.00' });
    } finally {
      const now = (await admin.get('/plan-settings')).body;
      await admin.put('/plan-settings', { ...now, confirmation: true });
    }
  });

  it('reads a CSV of payments in UTF-8 with a byte order mark, and names a missing column', async () => {
    const upload = (text: string) => {
      const form = new FormData();
      form.append('file', new Blob(['\ufeff' + text]), 'payments.csv');
      return manager.request('POST', '/payments/import', form);
    };
    const ok = await upload('client,amount,date\nAcme,10.5,2027-03-01\n');
    expect(ok.body).toMatchObject({ encoding: 'utf-8-bom', valid: 1, written: 0 });
    const missing = await upload('client,date\nAcme,2027-03-01\n');
    expect([missing.status, missing.body.code]).toEqual([422, 'PAYMENT_IMPORT_COLUMNS']);
  });

  it('replays the histories this run recorded with the current workflow code', async () => {
    const bundle = await workflowBundle(path.join(ROOT, '.data', 'cache'));
    const stamp = new Date().toISOString().slice(0, 10);
    for (const [name, wfId] of Object.entries(recorded)) {
      const history = await h.ctx.temporal.workflow.getHandle(wfId).fetchHistory();
      const json = JSON.parse(historyToJSON(history)) as { events: { eventType: string }[] };
      await Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON(json), `plan-replay-${name}`);
      const types = json.events.map((e) => e.eventType);
      expect(types).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED');
      expect(types).toContain('EVENT_TYPE_MARKER_RECORDED');
      if (name === 'reminded-to-submit-and-review') expect(types).toContain('EVENT_TYPE_ACTIVITY_TASK_COMPLETED');
      if (process.env.RECORD_HISTORIES === '1') {
        const file = path.join(ROOT, 'test', 'fixtures', 'histories', `plan-${name}-${stamp}.json`);
        fs.writeFileSync(file, JSON.stringify(json, null, 1));
      }
    }
  });

  it("keeps every plan's totals equal to its lines, whatever wrote them", async () => {
    const drift = await sql(
      `select p.id from plans p
         left join (select plan_id, count(*) as n, sum(amount_base) as t,
                      coalesce(sum(amount_base) filter (where status = 'approved'), 0) as a,
                      coalesce(sum(amount_base) filter (where status = 'doubtful'), 0) as d,
                      coalesce(sum(amount_base) filter (where status = 'open'), 0) as o
                      from plan_lines group by plan_id) l on l.plan_id = p.id
        where p.line_count <> coalesce(l.n, 0) or p.total_base <> coalesce(l.t, 0) or p.approved_base <> coalesce(l.a, 0)
           or p.doubtful_base <> coalesce(l.d, 0) or p.open_base <> coalesce(l.o, 0)`,
    );
    expect(drift).toEqual([]);
    const [{ n }] = await sql<{ n: string }>('select count(*) as n from plans where line_count > 0');
    expect(Number(n)).toBeGreaterThanOrEqual(4);
  });
});

/** Windows-1251 bytes of a text (Cyrillic and ASCII). */
function encode1251(text: string): Uint8Array<ArrayBuffer> {
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else if (code >= 0x410 && code <= 0x44f) out.push(code - 0x410 + 0xc0);
    else if (code === 0x401) out.push(0xa8);
    else if (code === 0x451) out.push(0xb8);
    else out.push(0x3f);
  }
  return new Uint8Array(out);
}
