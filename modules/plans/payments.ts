/**
 * Payments received, per client and optionally deal: entered one by one, or imported from a CSV file (UTF-8 with or
 * without BOM, UTF-16, Windows-1251; delimiter detected — modules/imports/parse.ts) with a preview that checks every
 * row and names its errors (the row of the file and its column); nothing is written until the import is confirmed,
 * and then only the valid rows, in one transaction. Amounts convert to the company currency at the rate of the
 * payment's date. A payment counts for the client's owner. A refund is a payment marked as one: its amount counts
 * negative (a negative amount not marked so is refused, as is zero).
 *
 * Each imported payment keeps a key: its client, deal, date, signed amount, currency and which occurrence of that
 * payment it is in its file (a file may list the same payment twice), hashed; the key is unique. So confirming a file
 * again, confirming it twice at once, or sending a corrected copy of a file writes no payment twice: the preview and
 * the confirmation say which rows are recorded already.
 */
import { createHash, randomUUID } from 'node:crypto';
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
  /** money returned to the client: counts negative */
  refund?: boolean;
}

export interface RowProblem {
  field: string;
  message: string;
}

const AMOUNT = /^-?\d{1,16}(?:\.\d{1,2})?$/;

/** The amount as stored: a refund's negative, whichever sign it was given with; else as given. Pure. */
export const signedAmount = (amount: string, refund: boolean | undefined): string =>
  refund ? `-${amount.replace(/^-/, '')}` : amount;

/** A payment's own problems (amount, currency, date), pure. */
export function paymentProblems(
  p: Omit<PaymentInput, 'clientId' | 'dealId'>,
  c: Pick<Currencies, 'company' | 'byDay'>,
): RowProblem[] {
  const out: RowProblem[] = [];
  if (!AMOUNT.test(p.amount)) out.push({ field: 'amount', message: 'An amount is a number with at most two decimals' });
  else if (!/[1-9]/.test(p.amount)) out.push({ field: 'amount', message: 'An amount cannot be zero' });
  else if (p.amount.startsWith('-') && !p.refund)
    out.push({ field: 'amount', message: 'A negative amount is a refund: record it as a refund' });
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

/** The payment in the company currency at the rate of its date, negative for a refund. */
function signedBase(c: Currencies, p: PaymentInput): string {
  const [base] = baseAmounts(c, [{ amount: p.amount.replace(/^-/, ''), currency: p.currency, expectedOn: p.paidOn }]);
  return signedAmount(base, p.refund);
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
      amountBase: errors.length ? null : signedBase(currencies, input),
      errors,
    });
  }
  return out;
}

/**
 * Writes the rows; those with an import key already recorded (by an earlier or a concurrent confirmation) are left
 * out. Answers the id written for each row, null where it was recorded already.
 */
async function write(
  em: EntityManager,
  viewer: Viewer,
  rows: (Checked & { importKey?: string; importRow?: number })[],
): Promise<(string | null)[]> {
  const ids = rows.map(() => randomUUID());
  if (!rows.length) return ids;
  const written = await em.getConnection().execute<{ id: string }[]>(
    `insert into payments (id, client_id, deal_id, manager_id, paid_on, amount, currency, amount_base, comment, refund,
       import_key, import_row, created_by)
     select x.id, x.client_id, x.deal_id, x.manager_id, x.paid_on, x.amount, x.currency, x.amount_base, x.comment,
            x.refund, x.import_key, x.import_row, ?
       from jsonb_to_recordset(?::jsonb) as x(id uuid, client_id uuid, deal_id uuid, manager_id uuid, paid_on date,
            amount numeric, currency text, amount_base numeric, comment text, refund boolean, import_key text,
            import_row int)
     on conflict (import_key) do nothing
     returning id::text as id`,
    [
      viewer.id,
      JSON.stringify(
        rows.map((r, i) => ({
          id: ids[i],
          client_id: r.input.clientId,
          deal_id: r.input.dealId,
          manager_id: r.managerId,
          paid_on: r.input.paidOn,
          amount: signedAmount(r.input.amount, r.input.refund),
          currency: r.input.currency,
          amount_base: r.amountBase,
          comment: r.input.comment,
          refund: !!r.input.refund,
          import_key: r.importKey ?? null,
          import_row: r.importRow ?? null,
        })),
      ),
    ],
    'all',
    em.getTransactionContext(),
  );
  const done = new Set(written.map((w) => w.id));
  return ids.map((id) => (done.has(id) ? id : null));
}

/** Records one payment; 422 PAYMENT_INVALID naming the field. */
export async function recordPayment(em: EntityManager, viewer: Viewer, input: PaymentInput) {
  const [checked] = await check(em, viewer, [input]);
  if (checked.errors.length) {
    const e = checked.errors[0];
    throw new DomainError('PAYMENT_INVALID', `${e.field}: ${e.message}`, { field: e.field, errors: checked.errors });
  }
  const [id] = await write(em, viewer, [checked]);
  return {
    id: id!,
    ...input,
    amount: signedAmount(input.amount, input.refund),
    refund: !!input.refund,
    managerId: checked.managerId!,
    amountBase: checked.amountBase!,
  };
}

const HEADERS: Record<keyof PaymentInput, RegExp> = {
  clientId: /^(client|client ?id|клиент|id клиента)$/i,
  dealId: /^(deal|deal ?id|сделка|id сделки)$/i,
  amount: /^(amount|sum|сумма)$/i,
  currency: /^(currency|валюта)$/i,
  paidOn: /^(date|paid ?on|payment date|дата|дата оплаты)$/i,
  comment: /^(comment|note|комментарий|примечание)$/i,
  refund: /^(refund|is refund|возврат)$/i,
};
const YES = /^(1|y|yes|true|x|да|д|\+)$/i;

/** "1 234,50" → "1234.50"; DD.MM.YYYY → YYYY-MM-DD. */
const normAmount = (s: string) => s.replace(/[\s\u00a0\u202f']/g, '').replace(',', '.');
const normDate = (s: string) => {
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(s.trim());
  return m ? `${m[3]}-${m[2]}-${m[1]}` : s.trim();
};

/** The key of an imported payment: what it is and its occurrence among the file's equal payments. Pure. */
export function importKey(p: PaymentInput, occurrence: number): string {
  const amount = signedAmount(Number(p.amount.replace(/^-/, '')).toFixed(2), p.refund);
  return createHash('sha256')
    .update([p.clientId, p.dealId ?? '', p.paidOn, amount, p.currency, occurrence].join('|'))
    .digest('base64url');
}

export type ImportRowStatus = 'invalid' | 'ready' | 'written' | 'recorded';

/**
 * A CSV file of payments: each row checked (client by id or exact name, deal by id or title of that client), with
 * its errors naming the field and the file's column; `confirm` writes the valid rows not recorded yet in one
 * transaction, else nothing is written (the preview). Each row says whether it is ready, written now, or recorded
 * already (by an earlier confirmation of the same payment).
 */
export async function importPayments(em: EntityManager, viewer: Viewer, buf: Buffer, confirm: boolean) {
  const file = parseCsv(buf);
  const fields = Object.keys(HEADERS) as (keyof PaymentInput)[];
  const col = Object.fromEntries(
    fields.map((k) => [k, file.columns.findIndex((c) => HEADERS[k].test(c.trim()))]),
  ) as Record<keyof PaymentInput, number>;
  const missing = (['clientId', 'amount', 'paidOn'] as const).filter((k) => col[k] < 0);
  if (missing.length) {
    throw new DomainError(
      'PAYMENT_IMPORT_COLUMNS',
      `Row 1 (the header) lacks the columns: ${missing.join(', ')}; it has ${file.columns.join(', ')}`,
      { row: 1, missing, columns: file.columns },
    );
  }
  const columnOf = (field: string) => {
    const k = field as keyof PaymentInput;
    return k in col && col[k] >= 0 ? file.columns[col[k]].trim() : null;
  };
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
      refund: YES.test(cell(r, 'refund')),
    });
    pre.push(errors);
  }
  const checked = await check(em, viewer, rows);
  checked.forEach((c, i) => {
    if (pre[i].length) c.errors = [...pre[i], ...c.errors.filter((e) => e.field !== 'clientId')];
  });
  // the key of each valid row: equal payments in one file are told apart by their occurrence
  const seen = new Map<string, number>();
  const keys = checked.map((c) => {
    if (c.errors.length) return null;
    const base = importKey(c.input, 0);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return importKey(c.input, n);
  });
  const recordedBy = async (tem: EntityManager) => {
    const ks = keys.filter((k): k is string => !!k);
    const found = ks.length
      ? await tem
          .getConnection()
          .execute<{ id: string; key: string; at: Date }[]>(
            `select id::text as id, import_key as key, created_at as at from payments where import_key = any(?::text[])`,
            [`{${ks.join(',')}}`],
            'all',
            tem.getTransactionContext(),
          )
      : [];
    return new Map(found.map((f) => [f.key, f]));
  };
  const status: ImportRowStatus[] = checked.map((c) => (c.errors.length ? 'invalid' : 'ready'));
  const paymentIds: (string | null)[] = checked.map(() => null);
  const recordedAt: (string | null)[] = checked.map(() => null);
  const markRecorded = (known: Map<string, { id: string; at: Date }>) =>
    keys.forEach((k, i) => {
      const f = k ? known.get(k) : undefined;
      if (f && status[i] !== 'written') {
        status[i] = 'recorded';
        paymentIds[i] = f.id;
        recordedAt[i] = new Date(f.at).toISOString();
      }
    });
  if (!confirm) {
    markRecorded(await recordedBy(em));
  } else {
    await em.transactional(async (tem) => {
      const todo = checked
        .map((c, i) => ({ ...c, importKey: keys[i]!, importRow: i + 2, i }))
        .filter((c) => !c.errors.length);
      const ids = await write(tem, viewer, todo);
      todo.forEach((t, j) => {
        if (ids[j]) {
          status[t.i] = 'written';
          paymentIds[t.i] = ids[j];
        }
      });
      // rows another confirmation recorded (before, or at the same time: it committed first)
      if (ids.some((id) => !id)) markRecorded(await recordedBy(tem));
    });
  }
  const count = (s: ImportRowStatus) => status.filter((x) => x === s).length;
  return {
    encoding: file.encoding,
    delimiter: file.delimiter,
    confirmed: confirm,
    written: count('written'),
    recorded: count('recorded'),
    valid: checked.length - count('invalid'),
    invalid: count('invalid'),
    rows: checked.map((c, i) => ({
      row: i + 2,
      status: status[i],
      paymentId: paymentIds[i],
      recordedAt: recordedAt[i],
      clientId: c.errors.some((e) => e.field === 'clientId') ? null : c.input.clientId,
      dealId: c.input.dealId,
      amount: c.errors.length ? c.input.amount : signedAmount(c.input.amount, c.input.refund),
      currency: c.input.currency,
      paidOn: c.input.paidOn,
      amountBase: c.amountBase,
      refund: !!c.input.refund,
      comment: c.input.comment,
      errors: c.errors.map((e) => ({ ...e, column: columnOf(e.field) })),
    })),
  };
}
