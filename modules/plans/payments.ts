/**
 * Payments received, per client and optionally deal: entered one by one, or imported from a CSV file (UTF-8 with or
 * without BOM, UTF-16, Windows-1251; delimiter detected — modules/imports/parse.ts) with a preview that checks every
 * row and names its errors; nothing is written until the import is confirmed, and then only the valid rows, in one
 * transaction. Amounts convert to the company currency at the rate of the payment's date. A payment counts for the
 * client's owner.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidArray, type Viewer } from '../access/visibility.ts';
import { parseCsv } from '../imports/parse.ts';
import { DomainError } from '../shared/errors.ts';
import { mayAccessPlansOf } from './commands.ts';
import { baseAmounts, loadCurrencies, type Currencies } from './money.ts';
import { dateValue } from './periods.ts';

export interface PaymentInput {
  clientId: string;
  dealId: string | null;
  amount: string;
  currency: string;
  paidOn: string;
  comment: string;
}

export interface RowProblem {
  field: string;
  message: string;
}

const AMOUNT = /^\d{1,16}(?:\.\d{1,2})?$/;

/** A payment's own problems (amount, currency, date), pure. */
export function paymentProblems(
  p: Omit<PaymentInput, 'clientId' | 'dealId'>,
  c: Pick<Currencies, 'company' | 'byDay'>,
): RowProblem[] {
  const out: RowProblem[] = [];
  if (!AMOUNT.test(p.amount)) out.push({ field: 'amount', message: 'An amount is a number with at most two decimals' });
  else if (!/[1-9]/.test(p.amount)) out.push({ field: 'amount', message: 'An amount must be above zero' });
  if (!c.company) out.push({ field: 'currency', message: 'The company currency is not set' });
  else if (p.currency !== c.company && !c.byDay[p.currency])
    out.push({
      field: 'currency',
      message: `Unknown currency ${p.currency}: it is not the company currency and has no rate`,
    });
  if (dateValue(p.paidOn) === null) out.push({ field: 'paidOn', message: 'Not a date (YYYY-MM-DD or DD.MM.YYYY)' });
  return out;
}

interface ClientRef {
  id: string;
  ownerId: string;
}

/** The clients (and their owners) and deals the rows name, in two reads. */
async function references(em: EntityManager, clientIds: string[], dealIds: string[]) {
  const run = <T>(sql: string, ids: string[]) =>
    ids.length ? em.getConnection().execute<T[]>(sql, [uuidArray(ids)]) : Promise.resolve([] as T[]);
  const clients = await run<{ id: string; owner_id: string }>(
    'select id, owner_id from clients where id = any(?::uuid[])',
    clientIds,
  );
  const deals = await run<{ id: string; client_id: string | null }>(
    'select id, client_id from deals where id = any(?::uuid[])',
    dealIds,
  );
  return {
    clients: new Map(clients.map((c): [string, ClientRef] => [c.id, { id: c.id, ownerId: c.owner_id }])),
    deals: new Map(deals.map((d) => [d.id, d.client_id])),
  };
}

interface Checked {
  input: PaymentInput;
  managerId: string | null;
  amountBase: string | null;
  errors: RowProblem[];
}

async function check(em: EntityManager, viewer: Viewer, rows: PaymentInput[]): Promise<Checked[]> {
  const currencies = await loadCurrencies(em);
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const refs = await references(
    em,
    [...new Set(rows.map((r) => r.clientId).filter((id) => uuid.test(id)))],
    [...new Set(rows.map((r) => r.dealId).filter((id): id is string => !!id && uuid.test(id)))],
  );
  const out: Checked[] = [];
  for (const input of rows) {
    const errors = paymentProblems(input, currencies);
    const client = refs.clients.get(input.clientId);
    if (!client || !(await mayAccessPlansOf(em, viewer, client.ownerId)))
      errors.push({ field: 'clientId', message: 'No such client' });
    if (input.dealId && refs.deals.get(input.dealId) !== input.clientId)
      errors.push({ field: 'dealId', message: 'No such deal of this client' });
    out.push({
      input,
      managerId: client?.ownerId ?? null,
      amountBase: errors.length ? null : baseAmounts(currencies, [{ ...input, expectedOn: input.paidOn }])[0],
      errors,
    });
  }
  return out;
}

async function write(em: EntityManager, viewer: Viewer, rows: Checked[]): Promise<string[]> {
  const ids = rows.map(() => randomUUID());
  if (!rows.length) return ids;
  await em.getConnection().execute(
    `insert into payments (id, client_id, deal_id, manager_id, paid_on, amount, currency, amount_base, comment, created_by)
     select x.id, x.client_id, x.deal_id, x.manager_id, x.paid_on, x.amount, x.currency, x.amount_base, x.comment, ?
       from jsonb_to_recordset(?::jsonb) as x(id uuid, client_id uuid, deal_id uuid, manager_id uuid, paid_on date,
            amount numeric, currency text, amount_base numeric, comment text)`,
    [
      viewer.id,
      JSON.stringify(
        rows.map((r, i) => ({
          id: ids[i],
          client_id: r.input.clientId,
          deal_id: r.input.dealId,
          manager_id: r.managerId,
          paid_on: r.input.paidOn,
          amount: r.input.amount,
          currency: r.input.currency,
          amount_base: r.amountBase,
          comment: r.input.comment,
        })),
      ),
    ],
  );
  return ids;
}

/** Records one payment; 422 PAYMENT_INVALID naming the field. */
export async function recordPayment(em: EntityManager, viewer: Viewer, input: PaymentInput) {
  const [checked] = await check(em, viewer, [input]);
  if (checked.errors.length) {
    const e = checked.errors[0];
    throw new DomainError('PAYMENT_INVALID', `${e.field}: ${e.message}`, { field: e.field, errors: checked.errors });
  }
  const [id] = await write(em, viewer, [checked]);
  return { id, ...input, managerId: checked.managerId!, amountBase: checked.amountBase! };
}

const HEADERS: Record<keyof PaymentInput, RegExp> = {
  clientId: /^(client|client ?id|клиент|id клиента)$/i,
  dealId: /^(deal|deal ?id|сделка|id сделки)$/i,
  amount: /^(amount|sum|сумма)$/i,
  currency: /^(currency|валюта)$/i,
  paidOn: /^(date|paid ?on|payment date|дата|дата оплаты)$/i,
  comment: /^(comment|note|комментарий|примечание)$/i,
};

/** "1 234,50" → "1234.50"; DD.MM.YYYY → YYYY-MM-DD. */
const normAmount = (s: string) => s.replace(/[\s\u00a0\u202f']/g, '').replace(',', '.');
const normDate = (s: string) => {
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(s.trim());
  return m ? `${m[3]}-${m[2]}-${m[1]}` : s.trim();
};

/**
 * A CSV file of payments: each row checked (client by id or exact name, deal by id or title of that client), with
 * its errors; `confirm` writes the valid rows in one transaction, else nothing is written (the preview).
 */
export async function importPayments(em: EntityManager, viewer: Viewer, buf: Buffer, confirm: boolean) {
  const file = parseCsv(buf);
  const col = Object.fromEntries(
    (Object.keys(HEADERS) as (keyof PaymentInput)[]).map((k) => [
      k,
      file.columns.findIndex((c) => HEADERS[k].test(c.trim())),
    ]),
  ) as Record<keyof PaymentInput, number>;
  const missing = (['clientId', 'amount', 'paidOn'] as const).filter((k) => col[k] < 0);
  if (missing.length) {
    throw new DomainError('PAYMENT_IMPORT_COLUMNS', `The file lacks the columns: ${missing.join(', ')}`, {
      missing,
      columns: file.columns,
    });
  }
  const currencies = await loadCurrencies(em);
  const cell = (r: string[], k: keyof PaymentInput) => (col[k] >= 0 ? (r[col[k]] ?? '').trim() : '');
  // client and deal names: exact (case-insensitive) matches
  const names = [...new Set(file.rows.map((r) => cell(r, 'clientId')).filter(Boolean))];
  const byName = new Map<string, string[]>();
  if (names.length) {
    const found = await em
      .getConnection()
      .execute<{ id: string; name: string }[]>(
        `select id::text as id, name from clients where lower(name) = any(?::text[]) or id::text = any(?::text[])`,
        [
          `{${names.map((n) => `"${n.toLowerCase().replace(/["\\]/g, '\\$&')}"`).join(',')}}`,
          `{${names.map((n) => `"${n.replace(/["\\]/g, '\\$&')}"`).join(',')}}`,
        ],
      );
    for (const f of found) {
      for (const k of [f.id, f.name.toLowerCase()]) byName.set(k, [...(byName.get(k) ?? []), f.id]);
    }
  }
  const rows: PaymentInput[] = [];
  const pre: RowProblem[][] = [];
  for (const r of file.rows) {
    const errors: RowProblem[] = [];
    const clientText = cell(r, 'clientId');
    const matches = [...new Set(byName.get(clientText) ?? byName.get(clientText.toLowerCase()) ?? [])];
    if (!clientText) errors.push({ field: 'clientId', message: 'The client is empty' });
    else if (matches.length > 1) errors.push({ field: 'clientId', message: `Several clients are named ${clientText}` });
    const clientId = matches.length === 1 ? matches[0] : '';
    let dealId: string | null = cell(r, 'dealId') || null;
    if (dealId && clientId && !/^[0-9a-f-]{36}$/i.test(dealId)) {
      const [d] = await em
        .getConnection()
        .execute<{ id: string }[]>('select id from deals where client_id = ? and lower(title) = lower(?) limit 2', [
          clientId,
          dealId,
        ]);
      dealId = d?.id ?? dealId;
    }
    rows.push({
      clientId: clientId || '00000000-0000-0000-0000-000000000000',
      dealId,
      amount: normAmount(cell(r, 'amount')),
      currency: (cell(r, 'currency') || currencies.company || '').toUpperCase(),
      paidOn: normDate(cell(r, 'paidOn')),
      comment: cell(r, 'comment'),
    });
    pre.push(errors);
  }
  const checked = await check(em, viewer, rows);
  checked.forEach((c, i) => {
    if (pre[i].length) c.errors = [...pre[i], ...c.errors.filter((e) => e.field !== 'clientId')];
  });
  const valid = checked.filter((c) => !c.errors.length);
  let written = 0;
  if (confirm && valid.length) {
    await em.transactional((tem) => write(tem, viewer, valid));
    written = valid.length;
  }
  return {
    encoding: file.encoding,
    delimiter: file.delimiter,
    confirmed: confirm,
    written,
    valid: valid.length,
    invalid: checked.length - valid.length,
    rows: checked.map((c, i) => ({
      row: i + 2,
      clientId: c.errors.some((e) => e.field === 'clientId') ? null : c.input.clientId,
      dealId: c.input.dealId,
      amount: c.input.amount,
      currency: c.input.currency,
      paidOn: c.input.paidOn,
      amountBase: c.amountBase,
      comment: c.input.comment,
      errors: c.errors,
    })),
  };
}
