/**
 * The planning grid's rows, pure: what a user types or pastes into a cell (a client's name, an amount written as their
 * language writes it, a date or just the day of the period) read into a line's values, the problems of a row before
 * it is sent, and the lines a save sends. The server checks everything again (modules/plans/rules.ts).
 */
import { convert } from '../../../../modules/currency/rules.js';
import { addDays, dateValue, parsePeriod } from '../../../../modules/plans/periods.js';

export interface Named {
  id: string;
  name: string;
}
export interface DealRef {
  id: string;
  title: string;
  clientId: string;
}

export interface EditRow {
  /** the row's own key in the grid */
  key: string;
  /** a saved line's id */
  id?: string;
  client: string;
  clientId: string | null;
  deal: string;
  dealId: string | null;
  /** canonical ("1234.50") once read, else what was typed */
  amount: string;
  currency: string;
  /** YYYY-MM-DD once read, else what was typed */
  expectedOn: string;
  comment: string;
  status?: 'open' | 'approved' | 'doubtful';
  decisionComment?: string;
}

export const EDITABLE = ['client', 'deal', 'amount', 'currency', 'expectedOn', 'comment'] as const;
export type EditField = (typeof EDITABLE)[number];

let seq = 0;
export const newKey = () => `r${++seq}`;
export const blankRow = (currency: string): EditRow => ({
  key: newKey(),
  client: '',
  clientId: null,
  deal: '',
  dealId: null,
  amount: '',
  currency,
  expectedOn: '',
  comment: '',
});
export const isBlank = (r: EditRow) =>
  !r.id && !r.client.trim() && !r.deal.trim() && !r.amount.trim() && !r.comment.trim();

const norm = (s: string) => s.trim().toLocaleLowerCase();

/** A name typed or pasted: the one named exactly so, else the only one whose name holds it; null when none or several. */
export function matchName<T>(list: readonly T[], text: string, nameOf: (x: T) => string): T | null {
  const q = norm(text);
  if (!q) return null;
  const exact = list.filter((x) => norm(nameOf(x)) === q);
  if (exact.length === 1) return exact[0];
  if (exact.length > 1) return null;
  const part = list.filter((x) => norm(nameOf(x)).includes(q));
  return part.length === 1 ? part[0] : null;
}

/** An amount as the user's language writes it ("1 234 567,89", "1,234,567.89") in canonical form, or null. */
export function readAmount(text: string, locale: 'en' | 'ru'): string | null {
  let s = text.replace(/[\s\u00a0\u202f'’]/g, '');
  if (!s) return null;
  if (locale === 'ru' || (/,\d{1,2}$/.test(s) && !s.includes('.')))
    s = s.replace(/\.(?=\d{3}(\D|$))/g, '').replace(',', '.');
  else s = s.replace(/,/g, '');
  if (!/^\d{1,16}(\.\d{1,2})?$/.test(s)) return null;
  const [whole, frac = ''] = s.split('.');
  return `${BigInt(whole).toString()}.${frac.padEnd(2, '0')}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A date typed into a period's line: 2026-12-15, 15.12.2026, 12/15/2026 (English), 15.12 (the period's year) or
 * just 15 (the day of the period with that number); null when it is none.
 */
export function readDate(text: string, periodKey: string, locale: 'en' | 'ru'): string | null {
  const s = text.trim();
  const p = parsePeriod(periodKey);
  const year = p ? Number(p.start.slice(0, 4)) : new Date().getFullYear();
  let m: RegExpExecArray | null;
  let iso: string | null = null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) iso = s;
  else if ((m = /^(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?$/.exec(s))) iso = `${m[3] ?? year}-${pad(+m[2])}-${pad(+m[1])}`;
  else if ((m = /^(\d{1,2})\/(\d{1,2})(?:\/(\d{4}))?$/.exec(s)))
    iso =
      locale === 'en' ? `${m[3] ?? year}-${pad(+m[1])}-${pad(+m[2])}` : `${m[3] ?? year}-${pad(+m[2])}-${pad(+m[1])}`;
  else if ((m = /^(\d{1,2})$/.exec(s)) && p) {
    for (let d = p.start; d < p.end; d = addDays(d, 1)) if (Number(d.slice(8)) === Number(m[1])) return d;
    return null;
  }
  return iso && dateValue(iso) !== null ? iso : null;
}

/** A date moved into a period: itself when inside, else the nearest day of the period. */
export function clampDate(date: string | null, periodKey: string): string {
  const p = parsePeriod(periodKey)!;
  if (!date || date < p.start) return p.start;
  if (date >= p.end) return addDays(p.end, -1);
  return date;
}

export type RowProblem =
  | 'clientUnknown'
  | 'clientRequired'
  | 'dealUnknown'
  | 'amountInvalid'
  | 'currencyUnknown'
  | 'dateInvalid'
  | 'dateOutside';

/** What is wrong with a row, by field, before it is sent. */
export function rowProblems(
  r: EditRow,
  periodKey: string,
  currencies: readonly string[],
): Partial<Record<EditField, RowProblem>> {
  const out: Partial<Record<EditField, RowProblem>> = {};
  if (isBlank(r)) return out;
  if (!r.client.trim()) out.client = 'clientRequired';
  else if (!r.clientId) out.client = 'clientUnknown';
  if (r.deal.trim() && !r.dealId) out.deal = 'dealUnknown';
  if (!/^\d{1,16}\.\d{2}$/.test(r.amount) || !/[1-9]/.test(r.amount)) out.amount = 'amountInvalid';
  if (currencies.length && !currencies.includes(r.currency)) out.currency = 'currencyUnknown';
  const p = parsePeriod(periodKey);
  if (dateValue(r.expectedOn) === null) out.expectedOn = 'dateInvalid';
  else if (p && (r.expectedOn < p.start || r.expectedOn >= p.end)) out.expectedOn = 'dateOutside';
  return out;
}

/** A row in the company currency at today's rates (the server converts at the rate of the line's date). */
export function baseOf(r: EditRow, company: string | null, rates: Record<string, string>): number {
  if (!/^\d+\.\d{2}$/.test(r.amount)) return 0;
  if (!company || r.currency === company) return Number(r.amount);
  const rate = rates[r.currency];
  return rate ? Number(convert(r.amount, rate)) : 0;
}

/** The lines a save sends: every row but blank ones, in order. */
export function linesOf(rows: readonly EditRow[]) {
  return rows
    .filter((r) => !isBlank(r))
    .map((r) => ({
      ...(r.id ? { id: r.id } : {}),
      clientId: r.clientId!,
      dealId: r.dealId,
      amount: r.amount,
      currency: r.currency,
      expectedOn: r.expectedOn,
      comment: r.comment.trim(),
    }));
}

/** A cell's new text read into the row: a client or deal resolved by name, an amount or a date read. */
export function setCell(
  r: EditRow,
  field: EditField,
  text: string,
  ctx: { clients: readonly Named[]; deals: readonly DealRef[]; period: string; locale: 'en' | 'ru' },
): EditRow {
  const v = text.trim();
  switch (field) {
    case 'client': {
      const c = matchName(ctx.clients, v, (x) => x.name);
      const keepDeal = c && r.dealId && ctx.deals.find((d) => d.id === r.dealId)?.clientId === c.id;
      return {
        ...r,
        client: c ? c.name : v,
        clientId: c?.id ?? null,
        ...(keepDeal ? {} : { deal: '', dealId: null }),
      };
    }
    case 'deal': {
      if (!v) return { ...r, deal: '', dealId: null };
      const pool = r.clientId ? ctx.deals.filter((d) => d.clientId === r.clientId) : ctx.deals;
      const d = matchName(pool, v, (x) => x.title);
      if (!d) return { ...r, deal: v, dealId: null };
      const c = r.clientId ? null : ctx.clients.find((x) => x.id === d.clientId);
      return { ...r, deal: d.title, dealId: d.id, ...(c ? { client: c.name, clientId: c.id } : {}) };
    }
    case 'amount':
      return { ...r, amount: readAmount(v, ctx.locale) ?? v };
    case 'currency':
      return { ...r, currency: v.toUpperCase() };
    case 'expectedOn':
      return { ...r, expectedOn: readDate(v, ctx.period, ctx.locale) ?? v };
    case 'comment':
      return { ...r, comment: text };
  }
}
