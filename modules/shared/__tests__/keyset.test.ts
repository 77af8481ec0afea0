import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Keyset, encodeCursor } from '../keyset.ts';

const byUpdate = new Keyset({
  cursor: z.tuple([z.iso.datetime(), z.uuid()]),
  columns: ['{alias}.updated_at', '{alias}.id'],
  dir: 'desc',
  keyOf: (r: { at: string; id: string }) => [r.at, r.id],
});
const id = '6f1c1a52-0e4f-4c8e-9f59-2b6a3f0c9d11';

describe('keyset pages', () => {
  it('continue after the cursor as one row comparison in the order of the index', () => {
    expect(byUpdate.after(null, 'd')).toEqual({ sql: 'true', params: [] });
    expect(byUpdate.after(['2026-11-30T10:00:00.000Z', id], 'd')).toEqual({
      sql: '(d.updated_at, d.id) < (?, ?)',
      params: ['2026-11-30T10:00:00.000Z', id],
    });
    expect(byUpdate.orderBy('d')).toBe('d.updated_at desc, d.id desc');
    const byName = new Keyset({
      cursor: z.tuple([z.string(), z.uuid()]),
      columns: ['lower({alias}.name)', '{alias}.id'],
      values: ['lower(?::text)', '?'],
      dir: 'asc',
      keyOf: (r: { name: string; id: string }) => [r.name, r.id],
    });
    expect(byName.after(['Acme', id], 'c').sql).toBe('(lower(c.name), c.id) > (lower(?::text), ?)');
  });

  it('hand out a cursor only when there are more rows than the page', () => {
    const rows = [1, 2, 3].map((i) => ({ at: `2026-11-30T10:00:0${i}.000Z`, id }));
    expect(byUpdate.page(rows, 3)).toEqual({ items: rows, nextCursor: null });
    const page = byUpdate.page(rows, 2);
    expect(page.items).toEqual(rows.slice(0, 2));
    expect(byUpdate.decode(page.nextCursor)).toEqual([rows[1].at, id]);
  });

  it('refuse cursors it did not issue', () => {
    expect(byUpdate.decode(undefined)).toBeNull();
    for (const bad of [
      encodeCursor(['x', id]),
      encodeCursor([1, 2]),
      '%%%',
      encodeCursor(['2026-11-30T10:00:00.000Z\u0000', id]),
    ]) {
      expect(() => byUpdate.decode(bad)).toThrow(expect.objectContaining({ code: 'BAD_CURSOR' }));
    }
  });
});
