import { describe, expect, it } from 'vitest';
import { headlineParts, judgeType, looksLikeText, normaliseTags, searchableText } from '../file-types.ts';

describe('file types judged by content', () => {
  it('takes a file whose name agrees with its content', () => {
    expect(judgeType('offer.pdf', 'application/pdf', false)).toEqual({ ok: true, contentType: 'application/pdf' });
    expect(judgeType('photo.JPG', 'image/jpeg', false)).toEqual({ ok: true, contentType: 'image/jpeg' });
    expect(judgeType('notes.txt', null, true)).toEqual({ ok: true, contentType: 'text/plain' });
    expect(judgeType('list.csv', null, true)).toEqual({ ok: true, contentType: 'text/csv' });
    expect(judgeType('README', null, true)).toEqual({ ok: true, contentType: 'text/plain' });
    expect(judgeType('scan', 'image/png', false)).toEqual({ ok: true, contentType: 'image/png' });
  });

  it('refuses a name that says another type than the content', () => {
    expect(judgeType('invoice.pdf', 'application/x-msdownload', false)).toMatchObject({ ok: false });
    expect(judgeType('invoice.pdf', null, true)).toMatchObject({ ok: false, code: 'DOCUMENT_TYPE_MISMATCH' });
    expect(judgeType('photo.png', 'application/pdf', false)).toMatchObject({
      ok: false,
      code: 'DOCUMENT_TYPE_MISMATCH',
    });
    expect(judgeType('page.html', 'application/pdf', false)).toMatchObject({
      ok: false,
      code: 'DOCUMENT_TYPE_MISMATCH',
    });
  });

  it('refuses content of a type the catalog does not take', () => {
    expect(judgeType('tool.exe', 'application/x-msdownload', false)).toMatchObject({
      ok: false,
      code: 'DOCUMENT_TYPE_NOT_ALLOWED',
    });
    expect(judgeType('blob.bin', null, false)).toMatchObject({ ok: false, code: 'DOCUMENT_TYPE_NOT_ALLOWED' });
  });

  it('reads UTF-8 without NUL as text, a cut multi-byte character included', () => {
    expect(looksLikeText(new TextEncoder().encode('Регламент продаж'))).toBe(true);
    expect(looksLikeText(new TextEncoder().encode('Привет').subarray(0, 3))).toBe(true);
    expect(looksLikeText(new Uint8Array([0x25, 0x00, 0x41]))).toBe(false);
    expect(looksLikeText(new Uint8Array([0xff, 0xfe, 0x41]))).toBe(false);
  });
});

describe('metadata and search text', () => {
  it('keeps tags trimmed and once each', () => {
    expect(normaliseTags([' sales ', 'Sales', '', 'price  list'])).toEqual(['sales', 'price list']);
  });

  it('keeps text searchable: no control characters, bounded', () => {
    expect(searchableText('a\u0000b\u0002c\nd')).toBe('a b c\nd');
    expect(searchableText('x'.repeat(300_000))).toHaveLength(200_000);
  });

  it('splits a headline into text and matches', () => {
    expect(headlineParts('the \u0002price\u0003 list and \u0002prices\u0003')).toEqual([
      { text: 'the ', match: false },
      { text: 'price', match: true },
      { text: ' list and ', match: false },
      { text: 'prices', match: true },
    ]);
    expect(headlineParts('\u0002Offer\u0003 text')[0]).toEqual({ text: 'Offer', match: true });
  });
});
