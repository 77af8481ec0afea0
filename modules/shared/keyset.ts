import { z } from 'zod';
import { raw } from '@mikro-orm/core';
import { DomainError } from './errors.ts';

/**
 * The one keyset pagination of the API. A page is ordered by a few columns (the sort key, then the id) all in one
 * direction; the cursor is the key of the page's last row, opaque to clients (base64url JSON), and the next page is
 * the rows after it as one row comparison, `(updated_at, id) < ($1, $2)`, which an index on those columns in that
 * order answers without reading the rows before.
 */
export interface KeysetSpec<T extends z.ZodTuple, Row> {
  /** the cursor's values, checked on the way in: anything else is BAD_CURSOR */
  cursor: T;
  /** SQL expressions of the order columns, e.g. ['d.updated_at', 'd.id']; `{alias}` is replaced for ORM queries */
  columns: string[];
  /** placeholders for the cursor values in the same order, e.g. ['?', '?'] or ['lower(?::text)', '?'] */
  values?: string[];
  dir: 'asc' | 'desc';
  /** the cursor of a row: its values of the order columns */
  keyOf: (row: Row) => z.input<T>;
}

export class Keyset<T extends z.ZodTuple, Row> {
  constructor(readonly spec: KeysetSpec<T, Row>) {}

  /** The cursor's values, or null without a cursor; a cursor this API did not issue throws BAD_CURSOR. */
  decode(cursor: string | undefined | null): z.output<T> | null {
    return decodeCursor(cursor ?? undefined, this.spec.cursor);
  }

  /** `(cols) < (?, ?)` (or `>` ascending) after the cursor, with its parameters; `true` without a cursor. */
  after(cursor: z.output<T> | null, alias?: string): { sql: string; params: unknown[] } {
    if (!cursor) return { sql: 'true', params: [] };
    const cols = this.cols(alias);
    const values = this.spec.values ?? cols.map(() => '?');
    return {
      sql: `(${cols.join(', ')}) ${this.spec.dir === 'desc' ? '<' : '>'} (${values.join(', ')})`,
      params: [...cursor],
    };
  }

  /** `order by` columns, e.g. `d.updated_at desc, d.id desc` */
  orderBy(alias?: string): string {
    return this.cols(alias)
      .map((c) => `${c} ${this.spec.dir}`)
      .join(', ');
  }

  /** The same condition as an ORM filter (for routes that read through entities); {} without a cursor. */
  ormAfter(cursor: z.output<T> | null): Record<string, unknown> {
    if (!cursor) return {};
    return { [raw((alias: string) => this.after(cursor, alias).sql, [...cursor])]: [] };
  }

  /** The same order as an ORM orderBy. */
  ormOrderBy(): Record<string, 'asc' | 'desc'>[] {
    return this.spec.columns.map((c) => ({ [raw((alias: string) => c.replaceAll('{alias}', alias))]: this.spec.dir }));
  }

  /** The page of rows read with `limit + 1`: the first `limit`, and the cursor after them when there are more. */
  page<R extends Row>(rows: R[], limit: number): { items: R[]; nextCursor: string | null } {
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(this.spec.keyOf(last) as unknown[]) : null };
  }

  /** The cursor after a row, e.g. a board column's last card. */
  cursorAfter(row: Row): string {
    return encodeCursor(this.spec.keyOf(row) as unknown[]);
  }

  private cols(alias?: string) {
    return this.spec.columns.map((c) => c.replaceAll('{alias}', alias ?? ''));
  }
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** A NUL character or a UTF-16 surrogate without its partner: text Postgres cannot store (text, jsonb). */
// eslint-disable-next-line no-control-regex -- NUL is one of the characters this pattern finds
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const storable = (v: unknown): boolean =>
  typeof v === 'string' ? !BAD_TEXT.test(v) : Array.isArray(v) ? v.every(storable) : true;

/**
 * A date Postgres refuses: year 0000 (ISO 8601 allows it, Postgres does not) or a day the month does not have
 * (2025-02-30), which the ISO format check lets through.
 */
function outOfPostgresRange(v: unknown): boolean {
  const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})/.exec(v) : null;
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(2000, mo - 1, d));
  date.setUTCFullYear(y);
  return y < 1 || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d;
}

/**
 * The one way to read a cursor: its values must match the tuple the list issues (e.g. z.tuple([z.iso.datetime(), z.uuid()])),
 * else BAD_CURSOR. No cursor gives null.
 */
export function decodeCursor<T extends z.ZodTuple>(cursor: string | undefined, schema: T): z.output<T> | null {
  if (!cursor) return null;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  const r = schema.safeParse(v);
  const dates = schema.def.items.map((item) => item instanceof z.ZodISODateTime || item instanceof z.ZodISODate);
  if (r.success && storable(r.data) && !r.data.some((x, i) => dates[i] && outOfPostgresRange(x))) return r.data;
  throw new DomainError('BAD_CURSOR', 'The cursor is not one this API issued');
}
