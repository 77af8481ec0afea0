import { describe, expect, it } from 'vitest';
import {
  errorsCsv,
  groupByClient,
  guessMapping,
  isAmbiguousDate,
  looksLikeFormula,
  mappingProblems,
  parseAmount,
  parseCurrency,
  parseDate,
  pickClientMatch,
  validateRow,
  type ImportRefs,
} from '../rules.ts';
import { normaliseTaxId } from '../../clients/duplicates.ts';

describe('guessing the mapping from headers', () => {
  it('reads English headers', () => {
    const m = guessMapping([
      'Company',
      'VAT number',
      'E-mail',
      'Phone',
      'Contact person',
      'Deal name',
      'Amount',
      'Stage',
    ]);
    expect(m).toEqual({
      'client.name': 0,
      'client.taxId': 1,
      'client.email': 2,
      'client.phone': 3,
      'contact.name': 4,
      'deal.title': 5,
      'deal.amount': 6,
      'deal.stage': 7,
    });
  });

  it('reads Russian headers, with ё, case and punctuation ignored', () => {
    const m = guessMapping([
      'Название',
      'ИНН',
      'Телефон',
      'Контактное лицо',
      'Сумма сделки, руб.',
      'Этап',
      'Ответственный',
    ]);
    expect(m).toMatchObject({
      'client.name': 0,
      'client.taxId': 1,
      'client.phone': 2,
      'contact.name': 3,
      'deal.amount': 4,
      'deal.stage': 5,
      'deal.owner': 6,
    });
  });

  it('gives a column to one field only and leaves unknown headers unmapped', () => {
    const m = guessMapping(['Company', 'Company', 'Favourite colour']);
    expect(m).toEqual({ 'client.name': 0 });
  });

  it('finds custom deal fields by key or by their label in any language', () => {
    const m = guessMapping(
      ['Client', 'Источник'],
      [
        {
          key: 'source',
          label: 'Source',
          type: 'select',
          options: ['Web'],
          translations: { ru: { label: 'Источник' } },
        },
      ],
    );
    expect(m).toEqual({ 'client.name': 0, 'deal.custom.source': 1 });
  });
});

describe('a mapping', () => {
  it('needs something that names the client and columns that exist', () => {
    expect(mappingProblems({ 'deal.title': 0 }, 2)).toHaveLength(1);
    expect(mappingProblems({ 'client.name': 5 }, 2)[0]).toMatch(/no column/);
    expect(mappingProblems({ 'client.name': 0, 'nonsense.field': 1 }, 2)[0]).toMatch(/not a field/);
    expect(mappingProblems({ 'client.taxId': 0, 'deal.custom.source': 1 }, 2)).toEqual([]);
  });
});

describe('cells to values', () => {
  it('reads amounts as people write them', () => {
    expect(parseAmount('1 234 567,89')).toEqual({ amount: '1234567.89', currency: null });
    expect(parseAmount('1,234,567.89')).toEqual({ amount: '1234567.89', currency: null });
    expect(parseAmount('1\u00A0000 ₽')).toEqual({ amount: '1000', currency: 'RUB' });
    expect(parseAmount('$1,200')).toEqual({ amount: '1200', currency: 'USD' });
    expect(parseAmount('500 EUR')).toEqual({ amount: '500', currency: 'EUR' });
    expect(parseAmount('1234,5')).toEqual({ amount: '1234.5', currency: null });
    expect(parseAmount('15000 руб.')).toEqual({ amount: '15000', currency: 'RUB' });
  });

  it('refuses what is no amount', () => {
    for (const v of ['-100', 'abc', '12.345', '1e5', '10 apples', '']) expect(parseAmount(v), v).toBeNull();
  });

  it('reads currencies as codes, signs and words', () => {
    expect(parseCurrency('rub')).toBe('RUB');
    expect(parseCurrency('RUR')).toBe('RUB');
    expect(parseCurrency('руб.')).toBe('RUB');
    expect(parseCurrency('₽')).toBe('RUB');
    expect(parseCurrency('$')).toBe('USD');
    expect(parseCurrency('евро')).toBe('EUR');
    expect(parseCurrency('money')).toBeNull();
  });

  it('reads dates, and says when day and month cannot be told apart', () => {
    expect(parseDate('2026-12-31')).toBe('2026-12-31');
    expect(parseDate('31.12.2026')).toBe('2026-12-31');
    expect(parseDate('31/12/2026')).toBe('2026-12-31');
    expect(parseDate('12/31/2026')).toBe('2026-12-31');
    expect(parseDate('2026-12-31 10:00:00')).toBe('2026-12-31');
    expect(parseDate('03/04/2026')).toBeNull();
    expect(isAmbiguousDate('03/04/2026')).toBe(true);
    expect(isAmbiguousDate('04/04/2026')).toBe(false);
    expect(parseDate('31.02.2026')).toBeNull();
    expect(parseDate('tomorrow')).toBeNull();
  });

  it('tells formulas from phones and negative numbers', () => {
    for (const v of ['=1+1', '=HYPERLINK("http://x","y")', '@SUM(A1)', "+cmd|' /C calc'!A0", '-HYPERLINK(1)'])
      expect(looksLikeFormula(v), v).toBe(true);
    for (const v of ['+7 (495) 123-45-67', '-5', '=', 'Ромашка', 'a=b']) expect(looksLikeFormula(v), v).toBe(false);
  });
});

const P = '00000000-0000-4000-8000-000000000001';
const refs: ImportRefs = {
  pipelines: [
    {
      id: P,
      name: 'Sales',
      names: ['Продажи'],
      stages: [
        { id: '00000000-0000-4000-8000-0000000000a1', name: 'New', kind: 'open', names: ['Новая'] },
        { id: '00000000-0000-4000-8000-0000000000a2', name: 'Lost', kind: 'lost', names: [] },
      ],
    },
  ],
  owners: [{ id: 'me', email: 'me@example.test', name: 'Me' }],
  users: [
    { id: 'me', email: 'me@example.test', name: 'Me' },
    { id: 'other', email: 'other@example.test', name: 'Other' },
  ],
  fields: [{ key: 'source', label: 'Source', type: 'select', options: ['Web', 'Phone'] }],
  importerId: 'me',
};
const columns = [
  'Company',
  'Tax id',
  'Email',
  'Contact',
  'Deal',
  'Amount',
  'Currency',
  'Stage',
  'Owner',
  'Close',
  'Source',
];
const mapping = {
  'client.name': 0,
  'client.taxId': 1,
  'client.email': 2,
  'contact.name': 3,
  'deal.title': 4,
  'deal.amount': 5,
  'deal.currency': 6,
  'deal.stage': 7,
  'deal.owner': 8,
  'deal.expectedCloseDate': 9,
  'deal.custom.source': 10,
};
const row = (over: Record<number, string> = {}) => {
  const cells = [
    'Romashka',
    '7701234567',
    'info@romashka.ru',
    'Ivan',
    'Supply',
    '1 000,50',
    'руб',
    'новая',
    '',
    '31.12.2026',
    'web',
  ];
  for (const [i, v] of Object.entries(over)) cells[Number(i)] = v;
  return cells;
};

describe('checking a row', () => {
  it('plans the client, contact and deal of a good row, names matched ignoring case and language', () => {
    const { plan, errors } = validateRow(row(), columns, mapping, {}, refs);
    expect(errors).toEqual([]);
    expect(plan).toEqual({
      client: {
        name: 'Romashka',
        taxId: '7701234567',
        email: 'info@romashka.ru',
        phone: null,
        website: null,
        address: null,
      },
      contact: { name: 'Ivan', position: null, email: null, phone: null },
      deal: {
        title: 'Supply',
        amount: '1000.50',
        currency: 'RUB',
        pipelineId: P,
        stageId: '00000000-0000-4000-8000-0000000000a1',
        stageKind: 'open',
        ownerId: 'me',
        expectedCloseDate: '2026-12-31',
        lostReason: null,
        custom: { source: 'Web' },
      },
    });
  });

  it('lists every problem of a row with the column it came from', () => {
    const { plan, errors } = validateRow(
      row({ 2: 'not-an-email', 5: 'lots', 7: 'Nowhere', 8: 'other@example.test', 9: '03/04/2026', 10: 'Fax' }),
      columns,
      mapping,
      {},
      refs,
    );
    expect(plan).toBeNull();
    expect(errors.map((e) => [e.code, e.column])).toEqual([
      ['INVALID_EMAIL', 'Email'],
      ['UNKNOWN_STAGE', 'Stage'],
      ['INVALID_AMOUNT', 'Amount'],
      ['AMBIGUOUS_DATE', 'Close'],
      ['OWNER_NOT_ALLOWED', 'Owner'],
      ['INVALID_FIELD_VALUE', 'Source'],
    ]);
  });

  it('refuses formula cells and says so', () => {
    const { errors } = validateRow(row({ 0: '=HYPERLINK("http://evil","Click")' }), columns, mapping, {}, refs);
    expect(errors).toEqual([expect.objectContaining({ code: 'FORMULA', field: 'client.name', column: 'Company' })]);
  });

  it('needs a currency for an amount, from the row or the default', () => {
    const noCurrency = { ...mapping } as Record<string, number>;
    delete noCurrency['deal.currency'];
    expect(validateRow(row(), columns, noCurrency, {}, refs).errors.map((e) => e.code)).toEqual(['CURRENCY_REQUIRED']);
    expect(validateRow(row(), columns, noCurrency, { currency: 'EUR' }, refs).plan?.deal?.currency).toBe('EUR');
  });

  it('takes a client-only row, and needs a title when the row says anything of a deal', () => {
    const cells = row({ 4: '', 5: '', 6: '', 7: '', 9: '', 10: '' });
    expect(validateRow(cells, columns, mapping, {}, refs).plan?.deal).toBeNull();
    expect(validateRow(row({ 4: '' }), columns, mapping, {}, refs).errors.map((e) => e.code)).toEqual(['REQUIRED']);
  });

  it('needs a reason for a deal in a lost stage, and an unknown owner is not one you may not assign', () => {
    const lostMapping = { ...mapping, 'deal.lostReason': 11 };
    const cells = [...row({ 7: 'Lost', 8: 'nobody@example.test' }), ''];
    expect(validateRow(cells, [...columns, 'Why'], lostMapping, {}, refs).errors.map((e) => e.code)).toEqual([
      'UNKNOWN_OWNER',
      'LOST_REASON_REQUIRED',
    ]);
  });

  it('needs a client name or something to find one by', () => {
    const { errors } = validateRow(['', '', '', 'Ivan'], columns, { 'client.name': 0, 'contact.name': 3 }, {}, refs);
    expect(errors.map((e) => e.code)).toEqual(['REQUIRED']);
  });
});

describe('matching an existing client', () => {
  const c = (id: string, taxId: string | null, matchedOn: string[]) => ({ id, taxId, matchedOn });
  it('prefers the tax id, then email, then phone', () => {
    const candidates = [c('phone', null, ['phone']), c('email', null, ['email']), c('tax', '7701', ['taxId'])];
    expect(pickClientMatch(candidates, { taxId: '7701' }, normaliseTaxId)?.id).toBe('tax');
    expect(pickClientMatch(candidates.slice(0, 2), { taxId: null }, normaliseTaxId)?.id).toBe('email');
  });

  it('never takes a client whose tax id differs from the row’s', () => {
    expect(pickClientMatch([c('other', '9999', ['email'])], { taxId: '7701' }, normaliseTaxId)).toBeNull();
    expect(pickClientMatch([c('same', '77 01', ['email'])], { taxId: '7701' }, normaliseTaxId)?.id).toBe('same');
  });
});

describe('rows imported side by side', () => {
  it('keeps rows that may mean one client together, also through each other, in file order', () => {
    const rows = [
      ['ООО «Ромашка»', '7701', ''],
      ['Acme', '', 'a@acme.test'],
      ['ооо ромашка', '', 'r@romashka.test'],
      ['Other', '', ''],
      ['Romashka branch', '', 'R@Romashka.test'],
    ].map((cells, i) => ({ rowNumber: i + 1, cells }));
    const groups = groupByClient(rows, { 'client.name': 0, 'client.taxId': 1, 'client.email': 2 });
    expect(groups.map((g) => g.map((r) => r.rowNumber))).toEqual([[1, 3, 5], [2], [4]]);
  });
});

describe('the errors file', () => {
  it('keeps the file’s columns, adds row and errors, quotes and neutralises formulas', () => {
    const csv = errorsCsv(
      ['Name', 'Note'],
      [
        {
          rowNumber: 3,
          cells: ['=cmd()', 'a "quoted", text'],
          errors: [{ code: 'FORMULA', field: 'client.name', column: 'Name', message: 'a formula' }],
        },
      ],
    );
    expect(csv).toBe('\uFEFFName,Note,Row,Errors\r\n\'=cmd(),"a ""quoted"", text",3,a formula\r\n');
  });
});
