/**
 * Importing clients, contacts and deals from files through the HTTP API, with the real worker: mapping guessed from
 * the headers, a preview that writes nothing, rows all or nothing (a row aimed at a gated stage is refused with the
 * gate's reasons and leaves no client behind), existing clients matched, XLSX and Windows-1251 files, hostile input,
 * and a worker stopped mid-import that resumes without writing anything twice.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as XLSX from '@e965/xlsx';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { startWorker } from '../../runtime/worker.ts';
import { createActivities } from '../../activities/index.ts';
import { IMPORT_BATCH_ROWS } from '../../workflows/import-contract.ts';
import { importRow } from '../../activities/import-row.ts';
import { ImportJob } from '../../modules/imports/entities.ts';
import { loadRefs } from '../../modules/imports/refs.ts';
import { Gates, rowKeys } from '../../modules/imports/rows.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

let h: Harness;
interface Progress {
  total: number;
  imported: number;
  failed: number;
  pending: number;
}
interface RowErr {
  code: string;
  field: string | null;
  column: string | null;
  details?: Record<string, unknown>;
}
/** What the tests read of the API's answers (imports, previews, failed rows, audit pages, problems) */
interface Body {
  id: string;
  version: number;
  status: string;
  code: string;
  fileName: string;
  format: string;
  encoding: string | null;
  delimiter: string | null;
  columns: string[];
  rowCount: number;
  suggestedMapping: Record<string, number>;
  progress: Progress;
  items: {
    rowNumber: number;
    cells: string[];
    errors: RowErr[];
    kind: string;
    subjectId: string;
    details: Record<string, unknown>;
  }[];
  rows: {
    errors: RowErr[];
    client: { action: string; id: string | null; name: string | null; matchedOn: string[] } | null;
    deal: { amount: string | null; currency: string | null; stageName: string } | null;
  }[];
  checked: number;
  withErrors: number;
  total: number;
}
interface Res<T = Body> {
  status: number;
  body: T;
  headers: Headers;
}
/** A logged-in user's calls with typed answers */
class Api {
  constructor(private readonly s: Session) {}
  get = async (url: string) => (await this.s.get(url)) as Res;
  post = async (url: string, body?: unknown) => (await this.s.post(url, body)) as Res;
  put = async (url: string, body: unknown) => (await this.s.put(url, body)) as Res;
  request = async (method: string, url: string, body?: unknown) => (await this.s.request(method, url, body)) as Res;
  text = async (url: string) => (await this.s.get(url)) as Res<string>;
}

let manager: Api;
let admin: Api;
let other: Api;
let managerId: string;
let pipelineId: string;
let proposalKind: { id: string; name: string };
let existingClientId: string;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const m = await f.user('manager', { name: 'Maria Manager' });
  managerId = m.id;
  const a = await f.user('admin');
  const o = await f.user('manager');
  proposalKind = await f.documentKind('proposal', 'Commercial proposal');
  const p = await f.pipeline([
    ['New', 'open', [], []],
    ['Proposal', 'open', ['amount'], [proposalKind.id]],
    ['Won', 'won', [], []],
  ]);
  pipelineId = p.id;
  manager = new Api(await login(h, m.email));
  admin = new Api(await login(h, a.email));
  other = new Api(await login(h, o.email));
  const existing = await manager.post('/clients', { name: 'Existing Co', taxId: '7700000001' });
  expect(existing.status).toBe(201);
  existingClientId = existing.body.id;
});
/** workers a test started itself, stopped before the harness closes */
const onClose: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of onClose) await fn();
  await h?.close();
});

const sql = async <T = Record<string, unknown>>(q: string, params: unknown[] = []) =>
  h.ctx.orm.em.fork().getConnection().execute<T[]>(q, params);

function fileForm(content: Buffer | string, name: string) {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(typeof content === 'string' ? Buffer.from(content) : content)]), name);
  return form;
}

async function upload(s: Api, content: Buffer | string, name: string) {
  return s.request('POST', '/imports', fileForm(content, name));
}

async function waitDone(s: Api, id: string, ms = 90_000) {
  const until = Date.now() + ms;
  for (;;) {
    const r = await s.get(`/imports/${id}`);
    expect(r.status).toBe(200);
    if (r.body.status === 'done') return r.body;
    if (Date.now() > until) throw new Error(`import not done: ${JSON.stringify(r.body.progress)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** Uploads, saves the mapping as guessed (plus extra), starts, and waits for the end. */
async function runImport(s: Api, content: Buffer | string, name: string, extra: Record<string, unknown> = {}) {
  const up = await upload(s, content, name);
  expect(up.status, JSON.stringify(up.body)).toBe(201);
  const mapped = await s.put(`/imports/${up.body.id}/mapping`, {
    mapping: up.body.suggestedMapping,
    defaults: { pipelineId, ...extra },
    version: up.body.version,
  });
  expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
  const started = await s.post(`/imports/${up.body.id}/start`);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  return { upload: up.body, done: await waitDone(s, up.body.id) };
}

const count = async (table: string, where = 'true', params: unknown[] = []) =>
  (await sql<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`, params))[0].n;

describe('a CSV import of three rows, one aimed at a gated stage', () => {
  const csv =
    'Company,INN,Contact,Deal,Amount,Currency,Stage\n' +
    'Existing Co,7700000001,Anna Existing,Deal A,1000,RUB,New\n' +
    'Fresh LLC,7700000002,Boris Fresh,Deal B,"2 000,50",RUB,New\n' +
    'Gated Inc,7700000003,Clara Gated,Deal C,3000,RUB,Proposal\n';
  let id: string;

  it('guesses the mapping and previews per-row errors without writing anything', async () => {
    const up = await upload(manager, csv, 'deals.csv');
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    id = up.body.id;
    expect(up.body).toMatchObject({
      fileName: 'deals.csv',
      format: 'csv',
      encoding: 'utf-8',
      delimiter: ',',
      columns: ['Company', 'INN', 'Contact', 'Deal', 'Amount', 'Currency', 'Stage'],
      rowCount: 3,
      status: 'uploaded',
      progress: { total: 3, imported: 0, failed: 0, pending: 3 },
    });
    expect(up.body.suggestedMapping).toEqual({
      'client.name': 0,
      'client.taxId': 1,
      'contact.name': 2,
      'deal.title': 3,
      'deal.amount': 4,
      'deal.currency': 5,
      'deal.stage': 6,
    });
    const before = { clients: await count('clients'), deals: await count('deals'), contacts: await count('contacts') };
    const preview = await manager.post(`/imports/${id}/preview`, {
      mapping: up.body.suggestedMapping,
      defaults: { pipelineId },
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const [a, b, c] = preview.body.rows;
    expect(a.errors).toEqual([]);
    expect(a.client).toMatchObject({ action: 'match', id: existingClientId, matchedOn: ['taxId'] });
    expect(b.client).toMatchObject({ action: 'create', name: 'Fresh LLC' });
    expect(b.deal).toMatchObject({ amount: '2000.50', currency: 'RUB', stageName: 'New' });
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]).toMatchObject({
      code: 'STAGE_REQUIREMENTS_UNMET',
      column: 'Stage',
      details: {
        stageName: 'Proposal',
        missing: { fields: [], documentKinds: [{ id: proposalKind.id, name: 'Commercial proposal' }] },
      },
    });
    expect(preview.body).toMatchObject({ checked: 3, withErrors: 1, total: 3 });
    expect({ clients: await count('clients'), deals: await count('deals'), contacts: await count('contacts') }).toEqual(
      before,
    );
  });

  it('imports two rows through the deal command and refuses the gated one, leaving no client of it behind', async () => {
    const up = await manager.get(`/imports/${id}`);
    const mapped = await manager.put(`/imports/${id}/mapping`, {
      mapping: up.body.suggestedMapping,
      defaults: { pipelineId },
      version: up.body.version,
    });
    expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
    const started = await manager.post(`/imports/${id}/start`);
    expect(started.status).toBe(202);
    expect(['queued', 'running', 'done']).toContain(started.body.status);
    // starting it again changes nothing
    expect((await manager.post(`/imports/${id}/start`)).status).toBe(202);
    const done = await waitDone(manager, id);
    expect(done.progress).toEqual({ total: 3, imported: 2, failed: 1, pending: 0 });

    const deals = await sql<{ title: string; client_id: string; contact_id: string; amount: string; owner_id: string }>(
      `select title, client_id, contact_id, amount::text, owner_id from deals order by title`,
    );
    expect(deals.map((d) => d.title)).toEqual(['Deal A', 'Deal B']);
    expect(deals[0].client_id).toBe(existingClientId);
    expect(deals.every((d) => d.owner_id === managerId && d.contact_id)).toBe(true);
    expect(deals[1].amount).toBe('2000.50');
    expect(await count('clients', `name = 'Existing Co'`)).toBe(1);
    expect(await count('clients', `name = 'Fresh LLC'`)).toBe(1);
    expect(await count('clients', `name = 'Gated Inc'`)).toBe(0);
    expect(await count('contacts', `name = 'Clara Gated'`)).toBe(0);
    expect(await count('contacts', `name = 'Anna Existing' and client_id = ?`, [existingClientId])).toBe(1);
    // the new client is announced on its timeline like any other; the refused row's never was
    expect(
      await count(
        'record_events e join clients c on c.id = e.record_id',
        `e.record_type = 'client' and e.kind = 'created' and c.name = 'Fresh LLC'`,
      ),
    ).toBe(1);
    // each deal went through the deal workflow: created with its event
    expect(await count('record_events', `record_type = 'deal' and kind = 'created'`)).toBe(2);

    const errors = await manager.get(`/imports/${id}/errors`);
    expect(errors.body.items).toEqual([
      {
        rowNumber: 3,
        cells: ['Gated Inc', '7700000003', 'Clara Gated', 'Deal C', '3000', 'RUB', 'Proposal'],
        errors: [expect.objectContaining({ code: 'STAGE_REQUIREMENTS_UNMET' })],
      },
    ]);
    const file = await manager.text(`/imports/${id}/errors.csv`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(file.headers.get('content-disposition')).toContain('deals-errors.csv');
    const lines = file.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('Company,INN,Contact,Deal,Amount,Currency,Stage,Row,Errors');
    expect(lines[1]).toMatch(/^Gated Inc,7700000003,Clara Gated,Deal C,3000,RUB,Proposal,3,.*Commercial proposal/);
    expect(lines).toHaveLength(2);
  });

  it('is audited, visible to its owner and administrators only, and cannot be remapped once started', async () => {
    const audit = await admin.get('/audit?kind=import.uploaded,import.started,import.finished');
    const mine = (audit.body.items as { kind: string; subjectId: string; details: Record<string, unknown> }[]).filter(
      (e) => e.subjectId === id,
    );
    expect(mine.map((e) => e.kind).sort()).toEqual(['import.finished', 'import.started', 'import.uploaded']);
    expect(mine.find((e) => e.kind === 'import.finished')?.details).toMatchObject({ imported: 2, failed: 1 });
    expect((await other.get(`/imports/${id}`)).status).toBe(404);
    expect((await other.get(`/imports/${id}/errors.csv`)).status).toBe(404);
    expect((await admin.get(`/imports/${id}`)).status).toBe(200);
    const again = await manager.put(`/imports/${id}/mapping`, { mapping: { 'client.name': 0 }, version: 99 });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('IMPORT_ALREADY_STARTED');
  });
});

describe('a deal refused after its row passed the checks', () => {
  it('takes back the client and contact the row had written, and tells nobody of them', async () => {
    const p = await fixtures(h).pipeline([['Open', 'open', [], []]], 'Race');
    const up = await upload(manager, 'Company,Contact,Deal\nRace Co,Rita Race,Race deal\n', 'race.csv');
    const mapped = await manager.put(`/imports/${up.body.id}/mapping`, {
      mapping: up.body.suggestedMapping,
      defaults: { pipelineId: p.id },
      version: up.body.version,
    });
    expect(mapped.status).toBe(200);
    const em = h.ctx.orm.em.fork();
    const job = await em.findOneOrFail(ImportJob, { id: up.body.id });
    const viewer = { id: managerId, role: 'manager' };
    const refs = await loadRefs(em, viewer);
    const gates = new Gates(em);
    // the row is checked against the stage as it was; an administrator then makes it require an amount
    await gates.get(p.stages[0].id);
    await sql(`update stages set required_fields = '["amount"]'::jsonb where id = ?`, [p.stages[0].id]);
    const deps = { orm: h.ctx.orm, temporal: h.ctx.temporal, taskQueue: h.taskQueue };
    const outcome = await importRow(
      deps,
      job,
      viewer,
      { rowNumber: 1, cells: ['Race Co', 'Rita Race', 'Race deal'] },
      refs,
      gates,
    );
    expect(outcome).toMatchObject({ status: 'failed', errors: [{ code: 'STAGE_REQUIREMENTS_UNMET' }] });
    expect(await count('clients', `name = 'Race Co'`)).toBe(0);
    expect(await count('contacts', `name = 'Rita Race'`)).toBe(0);
    expect(await count('deals', `title = 'Race deal'`)).toBe(0);
    const keys = rowKeys(job.id, 1);
    expect(await count('record_events', 'record_id in (?, ?)', [keys.clientId, keys.contactId])).toBe(0);
    expect((await manager.get(`/imports/${job.id}/errors`)).body.items[0].errors[0].code).toBe(
      'STAGE_REQUIREMENTS_UNMET',
    );
  });
});

describe('importing the same people again', () => {
  it('reuses the clients (by tax id) and their contacts (by name) of an earlier import instead of duplicating them', async () => {
    const before = { clients: await count('clients'), contacts: await count('contacts') };
    const { done } = await runImport(
      manager,
      'Company,INN,Contact,Deal\nFresh Again,7700000002,boris fresh,Deal B2\n',
      'again.csv',
    );
    expect(done.progress).toMatchObject({ imported: 1, failed: 0 });
    expect({ clients: await count('clients'), contacts: await count('contacts') }).toEqual(before);
    const [deal] = await sql<{ client: string; contact: string }>(
      `select c.name as client, k.name as contact from deals d join clients c on c.id = d.client_id
       join contacts k on k.id = d.contact_id where d.title = 'Deal B2'`,
    );
    expect(deal).toEqual({ client: 'Fresh LLC', contact: 'Boris Fresh' });
  });
});

describe('one new client on several rows of a file', () => {
  it('is created once, by its first row, and the next rows find it', async () => {
    const csv = 'Company,INN,Deal\nTwice Co,7700000555,T1\nSomeone,,S1\nTWICE CO.,7700000555,T2\n';
    const { done } = await runImport(manager, csv, 'twice.csv');
    expect(done.progress).toMatchObject({ imported: 3, failed: 0 });
    expect(await count('clients', `tax_id = '7700000555'`)).toBe(1);
    expect(
      await count('deals d join clients c on c.id = d.client_id', `c.tax_id = '7700000555' and d.title like 'T%'`),
    ).toBe(2);
  });
});

describe('other files', () => {
  it('imports an XLSX workbook; a formula cell refuses its row and the others go in', async () => {
    const ws = XLSX.utils.aoa_to_sheet([
      ['Company name', 'Email', 'Deal title', 'Deal value', 'Close date'],
      ['Xlsx One', 'one@xlsx.test', 'X1', 1500, '2026-12-31'],
      ['Xlsx Two', 'two@xlsx.test', 'X2', null, null],
      ['Xlsx Three', 'three@xlsx.test', 'X3', 10, null],
    ]);
    ws.D3 = { t: 'n', v: 20, f: 'D2*2' };
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, 'Sheet1');
    const buf = XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
    const { upload: up, done } = await runImport(manager, buf, 'deals.xlsx', { currency: 'EUR' });
    expect(up.format).toBe('xlsx');
    expect(up.suggestedMapping).toEqual({
      'client.name': 0,
      'client.email': 1,
      'deal.title': 2,
      'deal.amount': 3,
      'deal.expectedCloseDate': 4,
    });
    expect(done.progress).toMatchObject({ imported: 2, failed: 1 });
    const deals = await sql<{ title: string; amount: string; currency: string; expected_close_date: string | null }>(
      `select title, amount::text, currency, expected_close_date::text from deals where title like 'X%' order by title`,
    );
    expect(deals).toEqual([
      { title: 'X1', amount: '1500.00', currency: 'EUR', expected_close_date: '2026-12-31' },
      { title: 'X3', amount: '10.00', currency: 'EUR', expected_close_date: null },
    ]);
    const errors = await manager.get(`/imports/${up.id}/errors`);
    expect(errors.body.items[0]).toMatchObject({
      rowNumber: 2,
      errors: [{ code: 'FORMULA', column: 'Deal value', field: 'deal.amount' }],
    });
    expect(await count('clients', `name = 'Xlsx Two'`)).toBe(0);
  });

  it('reads a Windows-1251 CSV with semicolons, as Russian Excel saves it, and guesses the Russian headers', async () => {
    const text = 'Название;ИНН;Телефон;Контактное лицо\r\nООО «Ёлочка»;7700000099;+7 (495) 123-45-67;Пётр Иванов\r\n';
    const bytes = Buffer.from(
      [...text].map((ch) => {
        const c = ch.codePointAt(0)!;
        if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
        if (c === 0x401) return 0xa8;
        if (c === 0x451) return 0xb8;
        if (ch === '«') return 0xab;
        if (ch === '»') return 0xbb;
        return c;
      }),
    );
    const { upload: up, done } = await runImport(manager, bytes, 'клиенты.csv');
    expect(up).toMatchObject({ encoding: 'windows-1251', delimiter: ';', fileName: 'клиенты.csv' });
    expect(up.columns).toEqual(['Название', 'ИНН', 'Телефон', 'Контактное лицо']);
    expect(up.suggestedMapping).toEqual({ 'client.name': 0, 'client.taxId': 1, 'client.phone': 2, 'contact.name': 3 });
    expect(done.progress).toMatchObject({ imported: 1, failed: 0 });
    const [client] = await sql<{ id: string; phone: string }>(
      `select id, phone from clients where name = 'ООО «Ёлочка»'`,
    );
    expect(client.phone).toBe('+7 (495) 123-45-67');
    expect(await count('contacts', `name = 'Пётр Иванов' and client_id = ?`, [client.id])).toBe(1);
  });
});

describe('hostile input', () => {
  it('refuses a file over the upload limit, a binary file and an old .xls, and keeps nothing of them', async () => {
    const before = await count('imports');
    const big = await upload(manager, 'Company\n' + 'x'.repeat(1024 * 1024 + 10), 'big.csv');
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('FILE_TOO_LARGE');
    const png = await upload(manager, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]), 'a.csv');
    expect(png.status).toBe(415);
    expect(png.body.code).toBe('IMPORT_UNSUPPORTED_FILE');
    const xls = await upload(manager, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 1, 2]), 'old.xls');
    expect(xls.body.code).toBe('IMPORT_UNSUPPORTED_FILE');
    const missing = await manager.request('POST', '/imports', new FormData());
    expect(missing.body.code).toBe('FILE_MISSING');
    expect(await count('imports')).toBe(before);
  });

  it('refuses rows with wrong types, formulas and bad emails row by row, imports the rest, and loses none of them', async () => {
    const csv =
      'Company;Email;Deal;Amount;Currency;Close date;Stage\n' +
      'Good One;good@one.test;G1;100;USD;2026-01-31;New\n' +
      'Bad Amount;;B1;a lot;USD;;New\n' +
      'Bad Date;;B2;5;USD;31.02.2026;New\n' +
      '=HYPERLINK("http://evil.test","Click");;B3;;;;New\n' +
      'Bad Email;not-an-email;B4;;;;New\n' +
      'Bad Stage;;B5;;;;Nowhere\n' +
      'Good Two;;G2;;;;Won\n';
    const { upload: up, done } = await runImport(manager, csv, 'evil\u202Egpj.csv');
    expect(up.fileName).toBe('evilgpj.csv');
    expect(done.progress).toEqual({ total: 7, imported: 2, failed: 5, pending: 0 });
    const errors = await manager.get(`/imports/${up.id}/errors`);
    expect(
      errors.body.items.map((r: { rowNumber: number; errors: { code: string }[] }) => [r.rowNumber, r.errors[0].code]),
    ).toEqual([
      [2, 'INVALID_AMOUNT'],
      [3, 'INVALID_DATE'],
      [4, 'FORMULA'],
      [5, 'INVALID_EMAIL'],
      [6, 'UNKNOWN_STAGE'],
    ]);
    const [won] = await sql<{ stage: string }>(
      `select s.name as stage from deals d join stages s on s.id = d.stage_id where d.title = 'G2'`,
    );
    expect(won.stage).toBe('Won');
    // the errors file keeps every refused row, the formula written so a spreadsheet shows it as text
    const file = (await manager.text(`/imports/${up.id}/errors.csv`)).body;
    expect(file).toContain(`'=HYPERLINK(""http://evil.test"",""Click"")`);
    expect(file.trim().split('\r\n')).toHaveLength(6);
    expect(await count('clients', `name like 'Bad %' or name like '=%'`)).toBe(0);
  });

  it('refuses a mapping that names no client or columns that do not exist', async () => {
    const up = await upload(manager, 'A,B\n1,2\n', 'x.csv');
    const r = await manager.put(`/imports/${up.body.id}/mapping`, {
      mapping: { 'deal.title': 0, 'client.name': 7 },
      version: up.body.version,
    });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('IMPORT_MAPPING_INVALID');
    expect((await manager.post(`/imports/${up.body.id}/start`)).body.code).toBe('IMPORT_NOT_MAPPED');
  });
});

describe('a worker stopped mid-import', () => {
  it('resumes on the next worker where the rows say, and writes no row twice', async () => {
    const rows = IMPORT_BATCH_ROWS * 2 + 10;
    const csv = `Company,Deal\n${Array.from({ length: rows }, (_, i) => `Resume ${i},RD ${i}`).join('\n')}\n`;
    const up = await upload(manager, csv, 'resume.csv');
    await manager.put(`/imports/${up.body.id}/mapping`, {
      mapping: up.body.suggestedMapping,
      defaults: { pipelineId },
      version: up.body.version,
    });
    expect((await manager.post(`/imports/${up.body.id}/start`)).status).toBe(202);
    for (let i = 0; ; i++) {
      const r = await manager.get(`/imports/${up.body.id}`);
      if (r.body.progress.imported >= 3) break;
      if (i > 600) throw new Error('no progress');
      await new Promise((res) => setTimeout(res, 100));
    }
    await h.worker.stop();
    const stopped = (await manager.get(`/imports/${up.body.id}`)).body;
    expect(stopped.status).not.toBe('done');
    expect(stopped.progress.pending).toBeGreaterThan(0);

    const restarted = await startWorker({
      temporalAddress: inject('temporalAddress'),
      namespace: 'default',
      taskQueue: h.taskQueue,
      orm: h.ctx.orm,
      storage: h.ctx.storage,
      cacheDir: path.join(ROOT, '.data', 'cache'),
    });
    onClose.push(() => restarted.stop());
    const done = await waitDone(manager, up.body.id, 120_000);
    expect(done.progress).toEqual({ total: rows, imported: rows, failed: 0, pending: 0 });
    expect(await count('deals', `title like 'RD %'`)).toBe(rows);
    expect(await count('clients', `name like 'Resume %'`)).toBe(rows);

    // a row whose writes committed but whose settling was lost is imported again: it finds its client and deal
    await sql(
      `update import_rows set status = 'pending', finished_at = null where import_id = ? and row_number in (1, 7)`,
      [up.body.id],
    );
    const acts = createActivities({ orm: h.ctx.orm, storage: h.ctx.storage, temporal: h.ctx.temporal });
    const again = await acts.importBatch({ importId: up.body.id, size: 10, taskQueue: h.taskQueue });
    expect(again).toEqual({ processed: 2, remaining: 0 });
    expect(await count('deals', `title like 'RD %'`)).toBe(rows);
    expect(await count('clients', `name like 'Resume %'`)).toBe(rows);
    expect((await manager.get(`/imports/${up.body.id}`)).body.progress).toMatchObject({ imported: rows, failed: 0 });
  });
});
