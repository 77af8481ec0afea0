/**
 * Revenue plans, the deadlines and the payments, on the real Temporal server and Postgres, over HTTP: a manager with
 * no plan for the period is reminded at the submit deadline (once, also when they plan afterwards); confirmations
 * overdue are listed to the lead's lead and the administrator; a change of the plan settings is audited; a payments
 * file confirmed twice, corrected and sent again, or confirmed twice at once, records each payment once and says which
 * rows are recorded already; refunds and bad input are refused or accepted naming the row, the field and the column.
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
let head: Session;
let lead: Session;
let westLead: Session;
let mia: Session;
let olga: Session;
const id: Record<string, string> = {};
const clients: Record<string, string> = {};
let settingsVersion = 1;

const sql = async <T = Record<string, unknown>>(q: string, params: unknown[] = []) =>
  h.ctx.orm.em.fork().getConnection().execute<T[]>(q, params);
/** the month now in UTC: its submit deadline (day 0) has passed */
const thisMonth = () => new Date().toISOString().slice(0, 7);
const submitReminders = (userId: string) =>
  sql<{ key: string; data: { period: string } }>(
    `select key, data from notifications where user_id = ? and kind = 'plan_submit_due' order by id`,
    [userId],
  );
const putSettings = async (over: Record<string, unknown> = {}) => {
  const r = await admin.put('/plan-settings', {
    confirmation: true,
    submitDueDays: 0,
    reviewDueDays: 2,
    timeZone: 'UTC',
    version: settingsVersion,
    ...over,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  settingsVersion = r.body.version;
  return r;
};
const upload = (s: Session, content: string | Uint8Array<ArrayBuffer>, confirm: boolean) => {
  const form = new FormData();
  form.append('file', new Blob([content]), 'payments.csv');
  form.append('confirm', String(confirm));
  return s.request('POST', '/payments/import', form);
};

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const a = await f.user('admin', { name: 'Ada Admin' });
  const hd = await f.user('lead', { name: 'Hugo Head' });
  const top = await f.department('Sales', hd.id);
  const l = await f.user('lead', { name: 'Lena Lead' });
  const east = await f.department('Sales East', l.id, top.id);
  const wl = await f.user('lead', { name: 'Wes West' });
  const west = await f.department('Sales West', wl.id, top.id);
  const max = await f.user('manager', { name: 'Max Manager', departmentId: east.id });
  const m = await f.user('manager', { name: 'Mia Manager', departmentId: east.id });
  const o = await f.user('manager', { name: 'Olga Other', departmentId: west.id });
  const gone = await f.user('manager', { name: 'Gone Manager', departmentId: west.id });
  const member = await f.user('member', { name: 'Mo Member', departmentId: east.id });
  await sql('update users set disabled_at = now() where id = ?', [gone.id]);
  Object.assign(id, {
    admin: a.id,
    head: hd.id,
    lead: l.id,
    westLead: wl.id,
    max: max.id,
    mia: m.id,
    olga: o.id,
    gone: gone.id,
    member: member.id,
  });
  admin = await login(h, a.email);
  head = await login(h, hd.email);
  lead = await login(h, l.email);
  westLead = await login(h, wl.email);
  mia = await login(h, m.email);
  olga = await login(h, o.email);
  const maxSession = await login(h, max.email);
  for (const [name, owner] of [
    ['Acme', m.id],
    ['Globex', m.id],
    ['Initech', max.id],
  ] as const) {
    clients[name] = (await f.client(owner, name)).id;
  }
  expect(
    (await admin.put('/currency-rates', { currency: 'RUB', rates: [{ currency: 'USD', rate: '90' }], version: 0 }))
      .status,
  ).toBe(200);
  // before confirmation is on, Max has planned this month (final at once)
  const planned = await maxSession.put(`/plans/${max.id}/${thisMonth()}`, {
    lines: [{ clientId: clients.Initech, amount: '10', currency: 'RUB', expectedOn: `${thisMonth()}-01` }],
  });
  expect(planned.body.status).toBe('final');
});
afterAll(() => h?.close());

describe('plan deadlines', () => {
  it('reminds each active manager with no plan for the period at the submit deadline, once, also after they plan', async () => {
    expect((await admin.get('/plan-settings')).body).toMatchObject({ remindPeriod: 'month', confirmation: false });
    await putSettings();
    const month = thisMonth();
    const mias = await until(
      () => submitReminders(id.mia),
      (n) => n.length > 0,
    );
    expect(mias.map((n) => n.data.period)).toEqual([month]);
    expect(
      (
        await until(
          () => submitReminders(id.olga),
          (n) => n.length > 0,
        )
      ).map((n) => n.data.period),
    ).toEqual([month]);
    // who has a plan, is no manager, or is disabled: not reminded
    for (const who of ['max', 'member', 'gone', 'lead', 'head'])
      expect(await submitReminders(id[who]), who).toEqual([]);
    // the notification centre shows it
    const centre = await mia.get('/notifications');
    expect(centre.status).toBe(200);
    expect(JSON.stringify(centre.body)).toContain('plan_submit_due');

    // Mia plans now (a draft): her plan's own reminder for this revision is the same one, not a second
    const draft = await mia.put(`/plans/${id.mia}/${month}`, {
      lines: [{ clientId: clients.Acme, amount: '100', currency: 'RUB', expectedOn: `${month}-01` }],
    });
    expect(draft.body.status).toBe('draft');
    await until(
      () => sql<{ n: number }>('select submit_reminded as n from plans where id = ?', [draft.body.id]),
      (r) => r[0]?.n === 1,
    );
    expect(await submitReminders(id.mia)).toHaveLength(1);

    // a manager joins; the deadlines are looked at again (settings saved): only the newcomer is told
    const f = fixtures(h);
    const newcomer = await f.user('manager', { name: 'Nina New' });
    await putSettings({ reviewDueDays: 3 });
    await until(
      () => submitReminders(newcomer.id),
      (n) => n.length > 0,
    );
    expect(await submitReminders(id.mia)).toHaveLength(1);
    expect(await submitReminders(id.olga)).toHaveLength(1);

    // a worker restarted: the deadlines' workflow goes on, nobody is told twice
    await h.worker.stop();
    await h.startAnotherWorker();
    await putSettings({ reviewDueDays: 2 });
    const wf = h.ctx.temporal.workflow.getHandle(`plan-deadlines-${h.ctx.config.TEMPORAL_TASK_QUEUE}`);
    await until(
      async () => (await wf.fetchHistory()).events?.filter((e) => e.activityTaskCompletedEventAttributes).length ?? 0,
      (n) => n >= 4,
    );
    expect(await submitReminders(id.mia)).toHaveLength(1);
    expect(await submitReminders(id.olga)).toHaveLength(1);
    expect(await submitReminders(newcomer.id)).toHaveLength(1);

    // its history replays with the current code (RECORD_HISTORIES=1 commits it as a fixture)
    const json = JSON.parse(historyToJSON(await wf.fetchHistory())) as { events: { eventType: string }[] };
    const root = path.resolve(import.meta.dirname, '..', '..');
    await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(path.join(root, '.data', 'cache')) },
      historyFromJSON(json),
      'plan-deadlines-replay',
    );
    expect(json.events.map((e) => e.eventType)).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
    if (process.env.RECORD_HISTORIES === '1') {
      const file = path.join(
        root,
        'test',
        'fixtures',
        'histories',
        `plan-deadlines-woken-${new Date().toISOString().slice(0, 10)}.json`,
      );
      fs.writeFileSync(file, JSON.stringify(json, null, 1));
    }
  });

  it('lists confirmations overdue to the lead, the lead above and the administrator; nobody else', async () => {
    // October: the review deadline (the 3rd) has long passed
    const lines = [
      { clientId: clients.Acme, amount: '300', currency: 'RUB', expectedOn: '2026-10-05' },
      { clientId: clients.Globex, amount: '10', currency: 'USD', expectedOn: '2026-10-06' },
    ];
    const saved = await mia.put(`/plans/${id.mia}/2026-10`, { lines });
    expect(saved.status).toBe(200);
    expect((await mia.post(`/plans/${id.mia}/2026-10/submit`, { note: 'October' })).status).toBe(200);
    // a plan submitted for a month whose review deadline is ahead is not overdue
    await mia.put(`/plans/${id.mia}/2027-06`, { lines: [{ ...lines[0], expectedOn: '2027-06-05' }] });
    await mia.post(`/plans/${id.mia}/2027-06/submit`, {});

    for (const s of [head, admin, lead]) {
      const r = await s.get('/plans/overdue');
      expect(r.status).toBe(200);
      expect(r.body.items).toEqual([
        expect.objectContaining({
          planId: saved.body.id,
          managerId: id.mia,
          managerName: 'Mia Manager',
          period: '2026-10',
          leadId: id.lead,
          leadName: 'Lena Lead',
          dueAt: '2026-10-03T00:00:00.000Z',
          openLines: 2,
          openAmount: '1200.00',
        }),
      ]);
    }
    for (const s of [westLead, olga, mia]) expect((await s.get('/plans/overdue')).body.items).toEqual([]);

    const [a, b] = saved.body.lines.map((l: { id: string }) => l.id);
    await lead.post(`/plans/${id.mia}/2026-10/decisions`, { decisions: [{ lineId: a, decision: 'approved' }] });
    expect((await head.get('/plans/overdue')).body.items).toEqual([
      expect.objectContaining({ period: '2026-10', openLines: 1, openAmount: '900.00' }),
    ]);
    await lead.post(`/plans/${id.mia}/2026-10/decisions`, {
      decisions: [{ lineId: b, decision: 'doubtful', comment: 'not this month' }],
    });
    expect((await head.get('/plans/overdue')).body.items).toEqual([]);
  });

  it('audits every change of the plan settings with what was before', async () => {
    const before = (await admin.get('/plan-settings')).body;
    await putSettings({ remindPeriod: 'week', timeZone: 'Europe/Moscow' });
    const audit = await admin.get('/audit?kind=plans.settings_changed');
    expect(audit.status).toBe(200);
    expect(audit.body.items.length).toBeGreaterThanOrEqual(4);
    expect(audit.body.items[0]).toMatchObject({
      actorId: id.admin,
      subjectType: 'plan_settings',
      details: {
        before: { remindPeriod: 'month', timeZone: before.timeZone, confirmation: true },
        after: { remindPeriod: 'week', timeZone: 'Europe/Moscow', confirmation: true },
        changed: ['timeZone', 'remindPeriod'],
      },
    });
    // a refused change (stale version) is not audited
    const stale = await admin.put('/plan-settings', { ...before, version: before.version });
    expect(stale.status).toBe(409);
    expect((await admin.get('/audit?kind=plans.settings_changed')).body.items).toHaveLength(audit.body.items.length);
    expect((await lead.put('/plan-settings', { ...before, version: settingsVersion })).status).toBe(403);
    await putSettings({ remindPeriod: 'month', timeZone: 'UTC' });
  });
});

describe('payments', () => {
  it('records a file once: confirmed again, corrected and sent again, it says which rows are recorded already', async () => {
    const rows = [
      'Client,Amount,Currency,Date,Comment',
      'Acme,100,RUB,2026-11-02,first',
      'Acme,100,RUB,2026-11-02,same again',
      'Globex,5,USD,03.11.2026,',
      'Globex,abc,RUB,2026-11-04,',
    ];
    const file = rows.join('\n') + '\n';
    const preview = await upload(mia, file, false);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ written: 0, recorded: 0, valid: 3, invalid: 1 });
    expect(preview.body.rows.map((r: { status: string }) => r.status)).toEqual(['ready', 'ready', 'ready', 'invalid']);
    expect(preview.body.rows[3]).toMatchObject({
      row: 5,
      errors: [{ field: 'amount', column: 'Amount', message: expect.any(String) }],
    });

    const first = await upload(mia, file, true);
    expect(first.body).toMatchObject({ confirmed: true, written: 3, recorded: 0 });
    const ids = first.body.rows.slice(0, 3).map((r: { paymentId: string }) => r.paymentId);
    expect(new Set(ids).size).toBe(3);

    // the same file again: nothing written, every valid row names the payment it is
    const again = await upload(mia, file, true);
    expect(again.body).toMatchObject({ written: 0, recorded: 3, invalid: 1 });
    expect(
      again.body.rows.slice(0, 3).map((r: { status: string; paymentId: string }) => [r.status, r.paymentId]),
    ).toEqual(ids.map((p: string) => ['recorded', p]));
    expect(again.body.rows[0].recordedAt).toEqual(expect.any(String));

    // corrected (the bad row fixed, a comment changed, one more equal payment): only what is new is written
    const corrected = [
      rows[0],
      'Acme,100.00,RUB,2026-11-02,first (paid by card)',
      rows[2],
      'Acme,100,RUB,2026-11-02,a third one',
      rows[3],
      'Globex,7,RUB,2026-11-04,',
    ].join('\r\n');
    const fixedPreview = await upload(mia, '\ufeff' + corrected, false);
    expect(fixedPreview.body.rows.map((r: { status: string }) => r.status)).toEqual([
      'recorded',
      'recorded',
      'ready',
      'recorded',
      'ready',
    ]);
    const fixed = await upload(mia, '\ufeff' + corrected, true);
    expect(fixed.body).toMatchObject({ written: 2, recorded: 3, invalid: 0 });
    const [{ n }] = await sql<{ n: string }>('select count(*) as n from payments where created_by = ?', [id.mia]);
    expect(Number(n)).toBe(5);
  });

  it('two confirmations of one file at once write each payment once between them', async () => {
    const file =
      'client;amount;date\n' +
      Array.from({ length: 40 }, (_, i) => `Globex;${i + 1},50;2026-11-${String((i % 28) + 1).padStart(2, '0')}`).join(
        '\n',
      );
    const [x, y] = await Promise.all([upload(mia, file, true), upload(mia, file, true)]);
    expect([x.status, y.status]).toEqual([200, 200]);
    expect(x.body.written + y.body.written).toBe(40);
    expect(x.body.recorded + y.body.recorded).toBe(40);
    for (const r of [x, y]) expect(r.body.rows.every((row: { paymentId: string }) => row.paymentId)).toBe(true);
    const [{ n }] = await sql<{ n: string }>(
      `select count(*) as n from payments where comment = '' and amount::text like '%.50' and created_by = ?`,
      [id.mia],
    );
    expect(Number(n)).toBe(40);
  });

  it('refuses zero and negative amounts unless recorded as a refund, and counts a refund against the actual', async () => {
    const pay = (over: Record<string, unknown>) =>
      mia.post('/payments', { clientId: clients.Acme, amount: '50', currency: 'RUB', paidOn: '2026-09-10', ...over });
    for (const [over, field] of [
      [{ amount: '0' }, 'amount'],
      [{ amount: '-50' }, 'amount'],
      [{ amount: '0', refund: true }, 'amount'],
      [{ currency: 'XYZ' }, 'currency'],
      [{ paidOn: '2026-02-30' }, 'paidOn'],
    ] as const) {
      const r = await pay(over);
      expect([r.status, r.body.code], JSON.stringify(over)).toEqual([422, 'PAYMENT_INVALID']);
      expect(r.body.field ?? r.body.details?.field).toBe(field);
    }
    expect((await pay({})).status).toBe(201);
    const refund = await pay({ amount: '20', refund: true });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ amount: '-20', amountBase: '-20.00', refund: true });
    const minus = await pay({ amount: '-10', refund: true });
    expect(minus.body).toMatchObject({ amount: '-10', amountBase: '-10.00' });
    const vs = await lead.get(`/plan-vs-actual?from=2026-09&to=2026-09&managerId=${id.mia}`);
    expect(vs.body.items[0].actual).toBe('20.00');
  });

  it('reads a Windows-1251 file with a refund column and names each bad row by its line and column', async () => {
    const csv =
      'Клиент;Сумма;Валюта;Дата;Возврат\r\n' +
      'Acme;-1 500,00;RUB;01.08.2026;да\r\n' +
      'Acme;-15;RUB;02.08.2026;\r\n' +
      'Acme;15;XYZ;03.08.2026;\r\n' +
      'Acme;0;RUB;31.08.2026;\r\n' +
      'Acme;5;RUB;32.08.2026;\r\n';
    const r = await upload(mia, encode1251(csv), false);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ encoding: 'windows-1251', valid: 1, invalid: 4 });
    expect(r.body.rows[0]).toMatchObject({ row: 2, amount: '-1500.00', amountBase: '-1500.00', refund: true });
    const errs = r.body.rows
      .slice(1)
      .map((x: { row: number; errors: { field: string; column: string }[] }) => [
        x.row,
        ...x.errors.map((e) => `${e.field}/${e.column}`),
      ]);
    expect(errs).toEqual([
      [3, 'amount/Сумма'],
      [4, 'currency/Валюта'],
      [5, 'amount/Сумма'],
      [6, 'paidOn/Дата'],
    ]);
    // the same file in UTF-8, with and without a byte order mark: read alike
    for (const [text, encoding] of [
      [csv, 'utf-8'],
      ['\ufeff' + csv, 'utf-8-bom'],
    ]) {
      const same = await upload(mia, text, false);
      expect(same.body).toMatchObject({ encoding, valid: 1, invalid: 4 });
      expect(same.body.rows.map((x: { errors: { column: string }[] }) => x.errors.map((e) => e.column))).toEqual([
        [],
        ['Сумма'],
        ['Валюта'],
        ['Сумма'],
        ['Дата'],
      ]);
    }
    const cols = await upload(mia, encode1251('Клиент;Дата\r\nAcme;01.08.2026\r\n'), false);
    expect([cols.status, cols.body.code]).toEqual([422, 'PAYMENT_IMPORT_COLUMNS']);
    expect(cols.body.missing ?? cols.body.details?.missing).toEqual(['amount']);
    expect(JSON.stringify(cols.body)).toContain('Row 1');
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
