/**
 * The deal list as a CSV file: the same filters and visibility as GET /deals, the columns the user chose, read page
 * by page along the list's keyset (a page of rows in memory at a time, whatever the number of deals) and written as
 * the client takes it.
 *
 * The file opens in Excel as it is: UTF-8 with a byte order mark, `;` between cells and a decimal comma for Russian
 * (Excel's list separator there), `,` and a decimal point for English. A cell that starts with = + - @ (or a tab or
 * carriage return) is prefixed with ' so that a spreadsheet shows it as text instead of running it as a formula.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/postgresql';
import { stringify } from 'csv-stringify/sync';
import { translated, type Translations } from '../shared/translations.ts';
import type { Viewer } from '../access/visibility.ts';
import { listDeals, type DealFilters, type DealSort, type DealView } from './queries.ts';

export const BUILT_IN_EXPORT_COLUMNS = [
  'title',
  'client',
  'contact',
  'stage',
  'owner',
  'amount',
  'currency',
  'expectedCloseDate',
  'createdAt',
  'updatedAt',
] as const;
type BuiltInColumn = (typeof BUILT_IN_EXPORT_COLUMNS)[number];
/** a built-in column, or `custom.<key>` for a custom deal field */
export type ExportColumn = BuiltInColumn | `custom.${string}`;
export const DEFAULT_EXPORT_COLUMNS: BuiltInColumn[] = ['title', 'client', 'stage', 'owner', 'amount', 'currency'];

const HEADERS: Record<'en' | 'ru', Record<BuiltInColumn, string>> = {
  en: {
    title: 'Deal',
    client: 'Client',
    contact: 'Contact',
    stage: 'Stage',
    owner: 'Owner',
    amount: 'Amount',
    currency: 'Currency',
    expectedCloseDate: 'Expected close',
    createdAt: 'Created (UTC)',
    updatedAt: 'Updated (UTC)',
  },
  ru: {
    title: 'Сделка',
    client: 'Клиент',
    contact: 'Контакт',
    stage: 'Этап',
    owner: 'Ответственный',
    amount: 'Сумма',
    currency: 'Валюта',
    expectedCloseDate: 'Ожидаемое закрытие',
    createdAt: 'Создана (UTC)',
    updatedAt: 'Изменена (UTC)',
  },
};

/** A cell a spreadsheet would read as a formula (= + - @, or a tab or CR before one) is kept as text. */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** `;` and a decimal comma in Russian, `,` and a decimal point otherwise. */
export const csvFormatOf = (locale: string) =>
  locale === 'ru' ? { delimiter: ';', decimal: ',' } : { delimiter: ',', decimal: '.' };

const timestamp = (iso: string) => iso.slice(0, 19).replace('T', ' ');

interface Names {
  stages: Map<string, string>;
  fields: Map<string, string>;
}

async function namesIn(em: EntityManager, locale: string): Promise<Names> {
  const conn = em.getConnection();
  const [stages, fields] = await Promise.all([
    conn.execute<{ id: string; name: string; translations: Translations | null }[]>(
      'select id, name, translations from stages',
    ),
    conn.execute<{ key: string; label: string; translations: Translations<'label'> | null }[]>(
      'select key, label, translations from deal_fields',
    ),
  ]);
  return {
    stages: new Map(stages.map((s) => [s.id, translated(s, 'name', locale)])),
    fields: new Map(fields.map((f) => [f.key, translated(f, 'label', locale)])),
  };
}

/** Custom deal field keys that exist; other `custom.` columns are dropped. */
export async function knownColumns(em: EntityManager, columns: string[]): Promise<ExportColumn[]> {
  const keys = new Set(
    (await em.getConnection().execute<{ key: string }[]>('select key from deal_fields')).map((r) => r.key),
  );
  const out: ExportColumn[] = [];
  for (const c of columns) {
    if ((BUILT_IN_EXPORT_COLUMNS as readonly string[]).includes(c)) out.push(c as BuiltInColumn);
    else if (c.startsWith('custom.') && keys.has(c.slice(7))) out.push(c as `custom.${string}`);
  }
  return [...new Set(out)];
}

function cellOf(d: DealView, column: ExportColumn, names: Names, decimal: string): string {
  const amount = (v: string) => (decimal === '.' ? v : v.replace('.', decimal));
  switch (column) {
    case 'title':
      return d.title;
    case 'client':
      return d.clientName;
    case 'contact':
      return d.contactName ?? '';
    case 'stage':
      return names.stages.get(d.stageId) ?? '';
    case 'owner':
      return d.ownerName;
    case 'amount':
      return d.amount === null ? '' : amount(d.amount);
    case 'currency':
      return d.currency ?? '';
    case 'expectedCloseDate':
      return d.expectedCloseDate ?? '';
    case 'createdAt':
      return timestamp(d.createdAt);
    case 'updatedAt':
      return timestamp(d.updatedAt);
  }
  const v = d.custom[column.slice(7)];
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return amount(String(v));
  if (typeof v === 'object') {
    const m = v as { amount?: unknown; currency?: unknown };
    const text = (x: unknown) => (typeof x === 'string' || typeof x === 'number' ? String(x) : '');
    return `${amount(text(m.amount))} ${text(m.currency)}`.trim();
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Rows read from Postgres per page: one page in memory at a time. */
export const EXPORT_PAGE = 500;

export interface ExportOptions {
  columns: ExportColumn[];
  locale: string;
  sort?: DealSort;
  /** true once the client has gone away: the export stops after the page it is writing */
  stopped?: () => boolean;
}

/**
 * Writes the CSV of the deals the viewer sees under the filters to `out` (not ended here) and returns how many deal
 * rows were written. Waits for `out` to drain between pages, so a slow client holds the reads back.
 */
export async function writeDealsCsv(
  em: EntityManager,
  viewer: Viewer,
  filters: DealFilters,
  opts: ExportOptions,
  out: Writable,
): Promise<number> {
  const { delimiter, decimal } = csvFormatOf(opts.locale);
  const names = await namesIn(em, opts.locale);
  const headers = HEADERS[opts.locale === 'ru' ? 'ru' : 'en'];
  const header = opts.columns.map((c) =>
    c.startsWith('custom.') ? (names.fields.get(c.slice(7)) ?? c.slice(7)) : headers[c as BuiltInColumn],
  );
  const format = { delimiter, record_delimiter: 'windows' as const, cast: { string: neutralise } };
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
  };
  await write(stringify([header], { ...format, bom: true }));
  let rows = 0;
  let cursor: string | null = null;
  do {
    const page = await listDeals(em, viewer, filters, EXPORT_PAGE, cursor, opts.sort);
    if (page.items.length) {
      await write(
        stringify(
          page.items.map((d) => opts.columns.map((c) => cellOf(d, c, names, decimal))),
          format,
        ),
      );
      rows += page.items.length;
    }
    cursor = page.nextCursor;
  } while (cursor && !opts.stopped?.() && !out.destroyed);
  return rows;
}
