/**
 * Reading an uploaded file into a header and rows of text: CSV in UTF-8 (with or without a byte order mark),
 * UTF-16 or Windows-1251 (Russian Excel's default), with its delimiter detected; or the first sheet of an XLSX
 * workbook. Formulas are never evaluated: a formula cell is kept as "=<formula>" so the row check refuses it.
 */
import { parse as parseCsvText, type Options as CsvOptions } from 'csv-parse/sync';
import * as XLSX from '@e965/xlsx';
import { DomainError } from '../shared/errors.ts';

export const IMPORT_LIMITS = {
  /** data rows under the header */
  rows: 10_000,
  columns: 200,
  /** bytes of the file */
  bytes: 10 * 1024 * 1024,
  /** characters of one cell (Excel's own limit) */
  cell: 32_767,
};

export interface ParsedFile {
  format: 'csv' | 'xlsx';
  encoding: string | null;
  delimiter: string | null;
  columns: string[];
  rows: string[][];
}

export const ImportFailure = {
  unsupportedFile: 'IMPORT_UNSUPPORTED_FILE',
  unreadable: 'IMPORT_FILE_UNREADABLE',
  empty: 'IMPORT_FILE_EMPTY',
  tooManyRows: 'IMPORT_TOO_MANY_ROWS',
  tooManyColumns: 'IMPORT_TOO_MANY_COLUMNS',
  tooLarge: 'FILE_TOO_LARGE',
} as const;

/** The text of a CSV file and the encoding it was read in. */
export function decodeText(buf: Buffer): { text: string; encoding: string } {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf)
    return { text: new TextDecoder('utf-8').decode(buf.subarray(3)), encoding: 'utf-8-bom' };
  if (buf[0] === 0xff && buf[1] === 0xfe)
    return { text: new TextDecoder('utf-16le').decode(buf.subarray(2)), encoding: 'utf-16le' };
  if (buf[0] === 0xfe && buf[1] === 0xff)
    return { text: new TextDecoder('utf-16be').decode(buf.subarray(2)), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf), encoding: 'utf-8' };
  } catch {
    // not UTF-8: Russian Windows and Excel write CSV in Windows-1251
    return { text: new TextDecoder('windows-1251').decode(buf), encoding: 'windows-1251' };
  }
}

const DELIMITERS = [',', ';', '\t', '|'];

/**
 * The delimiter of a CSV text: of comma, semicolon, tab and bar, the one found (outside quotes) on the most of the
 * first lines, the same number of times on each; a comma when nothing tells.
 */
export function detectDelimiter(text: string): string {
  const lines: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < Math.min(text.length, 65_536) && lines.length < 20; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (ch === '\n' || ch === '\r') {
      if (cur.trim()) lines.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() && lines.length < 20) lines.push(cur);
  let best = ',';
  let bestScore = 0;
  for (const d of DELIMITERS) {
    const counts = lines.map((l) => l.split(d).length - 1);
    if (!counts.length || counts[0] === 0) continue;
    const consistent = counts.filter((c) => c === counts[0]).length;
    const score = consistent * 1000 + counts[0];
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

/** Text Postgres can store and a person can read: no NUL or other control characters but tab and line breaks. */
const clean = (v: string) =>
  v
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed here
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
    .slice(0, IMPORT_LIMITS.cell);

/** The header (first non-empty row; blank names become "Column N") and the non-empty rows under it. */
function shape(table: string[][], format: 'csv' | 'xlsx', encoding: string | null, delimiter: string | null) {
  const rows = table
    .map((r) => r.map((c) => clean(c)))
    .map((r) => {
      let end = r.length;
      while (end > 0 && !r[end - 1].trim()) end--;
      return r.slice(0, end);
    })
    .filter((r) => r.length > 0);
  if (!rows.length) throw new DomainError(ImportFailure.empty, 'The file holds no rows');
  const header = rows[0];
  const width = Math.max(...rows.map((r) => r.length));
  if (width > IMPORT_LIMITS.columns) {
    throw new DomainError(ImportFailure.tooManyColumns, `A file may have at most ${IMPORT_LIMITS.columns} columns`, {
      max: IMPORT_LIMITS.columns,
    });
  }
  const data = rows.slice(1);
  if (data.length > IMPORT_LIMITS.rows) {
    throw new DomainError(ImportFailure.tooManyRows, `A file may have at most ${IMPORT_LIMITS.rows} rows`, {
      max: IMPORT_LIMITS.rows,
    });
  }
  if (!data.length) throw new DomainError(ImportFailure.empty, 'The file holds a header but no rows under it');
  const columns = Array.from({ length: width }, (_, i) => header[i]?.trim() || `Column ${i + 1}`);
  return { format, encoding, delimiter, columns, rows: data } satisfies ParsedFile;
}

export function parseCsv(buf: Buffer): ParsedFile {
  const { text, encoding } = decodeText(buf);
  const delimiter = detectDelimiter(text);
  let table: string[][];
  try {
    const options: CsvOptions = {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    };
    table = parseCsvText(text, options);
  } catch (e) {
    throw new DomainError(ImportFailure.unreadable, `The file could not be read as CSV: ${(e as Error).message}`);
  }
  return shape(table, 'csv', encoding, delimiter);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** SheetJS's number-format helpers, typed for the two this file uses. */
const SSF = XLSX.SSF as {
  is_date(format: string): boolean;
  parse_date_code(serial: number): { y: number; m: number; d: number } | null;
};

/** A cell of a sheet as text: dates as YYYY-MM-DD, numbers without grouping, formulas as "=<formula>". */
function cellText(cell: XLSX.CellObject | undefined): string {
  if (!cell) return '';
  if (cell.f) return `=${cell.f}`;
  switch (cell.t) {
    case 'n': {
      const v = cell.v as number;
      if (typeof cell.z === 'string' && SSF.is_date(cell.z)) {
        const d = SSF.parse_date_code(v);
        if (d) return `${d.y}-${pad2(d.m)}-${pad2(d.d)}`;
      }
      return String(v);
    }
    case 'b':
      return cell.v ? 'TRUE' : 'FALSE';
    case 'd': {
      const d = cell.v as Date;
      return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
    }
    case 'e':
      return cell.w ?? '#ERROR';
    case 'z':
      return '';
    default:
      return String(cell.v ?? '');
  }
}

/** rows of a sheet read at most: the limit, the header and some blank rows */
const SHEET_ROWS = IMPORT_LIMITS.rows + 100;

export function parseXlsx(buf: Buffer): ParsedFile {
  let wb: XLSX.WorkBook;
  try {
    wb = XLSX.read(buf, {
      type: 'buffer',
      cellFormula: true,
      cellDates: false,
      cellNF: true,
      cellHTML: false,
      cellStyles: false,
      dense: true,
      // rows beyond the limit are not parsed: the file is refused as too long
      sheetRows: SHEET_ROWS,
      WTF: false,
    });
  } catch (e) {
    throw new DomainError(ImportFailure.unreadable, `The file could not be read as XLSX: ${(e as Error).message}`);
  }
  const sheet = wb.SheetNames.length ? wb.Sheets[wb.SheetNames[0]] : undefined;
  if (!sheet || !sheet['!ref']) throw new DomainError(ImportFailure.empty, 'The workbook holds no rows');
  const declared = XLSX.utils.decode_range((sheet['!fullref'] as string | undefined) ?? sheet['!ref']);
  if (declared.e.r - declared.s.r >= SHEET_ROWS) {
    throw new DomainError(ImportFailure.tooManyRows, `A file may have at most ${IMPORT_LIMITS.rows} rows`, {
      max: IMPORT_LIMITS.rows,
    });
  }
  const range = XLSX.utils.decode_range(sheet['!ref']);
  const data = (sheet['!data'] ?? []) as (XLSX.CellObject[] | undefined)[];
  const table: string[][] = [];
  for (let r = range.s.r; r <= range.e.r; r++) {
    const row = data[r] ?? [];
    const cells: string[] = [];
    for (let c = range.s.c; c <= Math.min(range.e.c, range.s.c + IMPORT_LIMITS.columns); c++)
      cells.push(cellText(row[c]));
    table.push(cells);
  }
  return shape(table, 'xlsx', null, null);
}

const isZip = (b: Buffer) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
const isOle = (b: Buffer) => b.length >= 8 && b.readUInt32BE(0) === 0xd0cf11e0 && b.readUInt32BE(4) === 0xa1b11ae1;

/** Reads an upload as CSV or XLSX, by its content (the name's extension only breaks a tie). */
export function parseImportFile(buf: Buffer, fileName: string): ParsedFile {
  if (buf.length > IMPORT_LIMITS.bytes) {
    throw new DomainError(
      ImportFailure.tooLarge,
      `An import file may be at most ${IMPORT_LIMITS.bytes / 1024 / 1024} MB`,
      {
        maxBytes: IMPORT_LIMITS.bytes,
      },
    );
  }
  if (!buf.length) throw new DomainError(ImportFailure.empty, 'The file is empty');
  if (isZip(buf)) return parseXlsx(buf);
  if (isOle(buf) || /\.(xls|xlsb|ods|numbers)$/i.test(fileName)) {
    throw new DomainError(ImportFailure.unsupportedFile, 'Save the spreadsheet as .xlsx or .csv and upload it again');
  }
  const head = buf.subarray(0, 8192);
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  if (!utf16 && head.includes(0)) {
    throw new DomainError(ImportFailure.unsupportedFile, 'The file is neither CSV text nor an XLSX workbook');
  }
  return parseCsv(buf);
}
