import { describe, expect, it } from 'vitest';
import * as XLSX from '@e965/xlsx';
import { DomainError } from '../../shared/errors.ts';
import { decodeText, detectDelimiter, IMPORT_LIMITS, parseImportFile } from '../parse.ts';

/** Windows-1251 bytes of Cyrillic text (А–я are 0xC0–0xFF, Ё 0xA8, ё 0xB8), as Russian Excel saves CSV. */
function cp1251(text: string): Buffer {
  return Buffer.from(
    [...text].map((ch) => {
      const c = ch.codePointAt(0)!;
      if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
      if (c === 0x401) return 0xa8;
      if (c === 0x451) return 0xb8;
      if (c < 0x80) return c;
      throw new Error(`not in the test's table: ${ch}`);
    }),
  );
}

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? e.code : String(e);
  }
  return null;
};

describe('decoding a CSV file', () => {
  it('reads UTF-8 with and without a byte order mark, UTF-16 and Windows-1251', () => {
    expect(decodeText(Buffer.from('\uFEFFНазвание', 'utf8'))).toEqual({ text: 'Название', encoding: 'utf-8-bom' });
    expect(decodeText(Buffer.from('Название', 'utf8'))).toEqual({ text: 'Название', encoding: 'utf-8' });
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Ёлка', 'utf16le')]))).toEqual({
      text: 'Ёлка',
      encoding: 'utf-16le',
    });
    expect(decodeText(cp1251('Название;ИНН'))).toEqual({ text: 'Название;ИНН', encoding: 'windows-1251' });
  });

  it('detects the delimiter, ignoring the ones inside quotes', () => {
    expect(detectDelimiter('a;b;c\n1;2;3\n')).toBe(';');
    expect(detectDelimiter('a,b,c\n1,2,3\n')).toBe(',');
    expect(detectDelimiter('a\tb\n1\t2\n')).toBe('\t');
    expect(detectDelimiter('"x, y";b\n"1, 2";3\n')).toBe(';');
    expect(detectDelimiter('single\nvalue\n')).toBe(',');
  });
});

describe('reading an import file', () => {
  it('reads a semicolon CSV from Russian Excel: header, rows, quoted line breaks, blank lines dropped', () => {
    const file = cp1251('Название;ИНН;Заметка\r\nООО Ромашка;7701234567;"две\r\nстроки"\r\n\r\nИП Ёлкин;;\r\n');
    const parsed = parseImportFile(file, 'clients.csv');
    expect(parsed).toEqual({
      format: 'csv',
      encoding: 'windows-1251',
      delimiter: ';',
      columns: ['Название', 'ИНН', 'Заметка'],
      rows: [['ООО Ромашка', '7701234567', 'две\r\nстроки'], ['ИП Ёлкин']],
    });
  });

  it('reads the first sheet of an XLSX workbook: numbers plain, dates as days, formulas kept as formulas', () => {
    const ws = XLSX.utils.aoa_to_sheet([
      ['Company', 'Amount', 'Close date', 'Total'],
      ['Acme', 1234.5, new Date(Date.UTC(2026, 11, 31)), null],
    ]);
    ws.D2 = { t: 'n', v: 2469, f: 'B2*2' };
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, 'Deals');
    const buf = XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
    const parsed = parseImportFile(buf, 'deals.xlsx');
    expect(parsed.format).toBe('xlsx');
    expect(parsed.columns).toEqual(['Company', 'Amount', 'Close date', 'Total']);
    expect(parsed.rows).toEqual([['Acme', '1234.5', '2026-12-31', '=B2*2']]);
  });

  it('names blank headers by their position and strips control characters', () => {
    const parsed = parseImportFile(Buffer.from('Name,,Phone\nA\u0007cm\u001Be,x,1\n'), 'x.csv');
    expect(parsed.columns).toEqual(['Name', 'Column 2', 'Phone']);
    expect(parsed.rows).toEqual([['Acme', 'x', '1']]);
  });

  it('refuses what it cannot import, with a code that says why', () => {
    expect(codeOf(() => parseImportFile(Buffer.alloc(0), 'a.csv'))).toBe('IMPORT_FILE_EMPTY');
    expect(codeOf(() => parseImportFile(Buffer.from('Name\n'), 'a.csv'))).toBe('IMPORT_FILE_EMPTY');
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    expect(codeOf(() => parseImportFile(xls, 'old.xls'))).toBe('IMPORT_UNSUPPORTED_FILE');
    expect(codeOf(() => parseImportFile(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), 'a.csv'))).toBe(
      'IMPORT_UNSUPPORTED_FILE',
    );
    expect(codeOf(() => parseImportFile(Buffer.from('PK\u0003\u0004garbage'), 'a.xlsx'))).toBe(
      'IMPORT_FILE_UNREADABLE',
    );
    const long = `Name\n${'x\n'.repeat(IMPORT_LIMITS.rows + 1)}`;
    expect(codeOf(() => parseImportFile(Buffer.from(long), 'a.csv'))).toBe('IMPORT_TOO_MANY_ROWS');
    const wide = `${Array.from({ length: IMPORT_LIMITS.columns + 1 }, (_, i) => `c${i}`).join(',')}\n1\n`;
    expect(codeOf(() => parseImportFile(Buffer.from(wide), 'a.csv'))).toBe('IMPORT_TOO_MANY_COLUMNS');
  });
});
