/**
 * The edge's shared helpers, one of each: LIKE escaping, cursor decoding against a tuple schema, the text check,
 * and the deal value formats that the API schemas and validateChanges share.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeCursor, encodeCursor, findUnstorableText, likePattern } from '../../api/http.ts';
import { CURRENCY, DATE, DECIMAL, isDate } from '../../modules/deals/fields.ts';

describe('likePattern', () => {
  it('matches anywhere and takes %, _ and \\ literally', () => {
    expect(likePattern('abc')).toBe('%abc%');
    expect(likePattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});

describe('decodeCursor', () => {
  const tuple = z.tuple([z.iso.datetime(), z.uuid()]);
  const id = '8d2f0c3e-6b1a-4c5d-9e7f-0a1b2c3d4e5f';

  it('returns the typed values of a cursor it issued, null for none', () => {
    const at = new Date().toISOString();
    const v = decodeCursor(encodeCursor([at, id]), tuple);
    expect(v).toEqual([at, id]);
    expect(decodeCursor(undefined, tuple)).toBeNull();
    expect(decodeCursor('', tuple)).toBeNull();
  });

  it('throws 400 BAD_CURSOR for anything else', () => {
    for (const v of [
      ['x', 'y'],
      [1, 2],
      [{}, null],
      [new Date().toISOString(), id, 1],
      ['2026-01-01T00:00:00Z\u0000', id],
    ]) {
      expect(() => decodeCursor(encodeCursor(v), tuple)).toThrow(
        expect.objectContaining({ status: 400, code: 'BAD_CURSOR' }),
      );
    }
    expect(() => decodeCursor('%%%', tuple)).toThrow(expect.objectContaining({ code: 'BAD_CURSOR' }));
    expect(() => decodeCursor(encodeCursor(['a\u0000', id]), z.tuple([z.string(), z.uuid()]))).toThrow(
      expect.objectContaining({ code: 'BAD_CURSOR' }),
    );
  });
});

describe('findUnstorableText', () => {
  it('names the path of a NUL or a lone surrogate, in values and keys', () => {
    expect(findUnstorableText({ a: [1, { b: 'ok' }, { c: ['x', '\ud800'] }] })).toEqual(['a', 2, 'c', 1]);
    expect(findUnstorableText({ ok: 1, ['k\u0000']: 1 })).toEqual(['k\u0000']);
    expect(findUnstorableText('\udc00x')).toEqual([]);
    expect(findUnstorableText('x\ud83d')).toEqual([]);
    expect(findUnstorableText({ a: ['\ud83d\ude00', 'ä', null, true, 3] })).toBeNull();
  });
});

describe('deal value formats', () => {
  it('accept dates in the years 1000 to 9999 only, and real days', () => {
    for (const d of ['1000-01-01', '2024-02-29', '9999-12-31']) expect(isDate(d), d).toBe(true);
    for (const d of ['0000-01-01', '0999-12-31', '10000-01-01', '2023-02-29', '2024-13-01', '2024-1-1', '+02024-01-01'])
      expect(isDate(d), d).toBe(false);
    expect(DATE.test('0000-01-01')).toBe(false);
  });

  it('decimals and currency codes', () => {
    expect(DECIMAL.test('1234567890123456.12')).toBe(true);
    expect(DECIMAL.test('1.123')).toBe(false);
    expect(CURRENCY.test('EUR')).toBe(true);
    expect(CURRENCY.test('eur')).toBe(false);
  });
});
