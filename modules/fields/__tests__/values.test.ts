import { describe, expect, it } from 'vitest';
import { fieldLabel, fieldOptionsProblem, fieldValueProblem, isDate } from '../types.ts';
import { DEAL_BUILT_IN_KEYS, RESERVED_DEAL_FIELD_KEYS } from '../deal-fields.ts';

describe('field values', () => {
  it('accepts a value of each type and refuses the wrong shape', () => {
    const ok: [string, unknown][] = [
      ['text', 'hello'],
      ['number', 3.5],
      ['money', { amount: '10.50', currency: 'EUR' }],
      ['date', '2026-02-28'],
      ['user', '3f2b8f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b'],
      ['client', '3F2B8F0E-1C2D-4E5F-8A9B-0C1D2E3F4A5B'],
      ['file', '3f2b8f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b'],
    ];
    for (const [type, value] of ok) expect(fieldValueProblem({ type: type as never }, value), type).toBeNull();
    expect(fieldValueProblem({ type: 'select', options: ['A', 'B'] }, 'B')).toBeNull();
    const bad: [string, unknown][] = [
      ['text', 5],
      ['text', 'x'.repeat(5001)],
      ['number', '5'],
      ['number', Number.NaN],
      ['money', { amount: '1.234', currency: 'EUR' }],
      ['money', { amount: '1', currency: 'eur' }],
      ['money', { amount: '1', currency: 'EUR', extra: 1 }],
      ['date', '2026-02-30'],
      ['date', '0999-01-01'],
      ['user', 'me'],
      ['client', 42],
      ['file', ''],
    ];
    for (const [type, value] of bad)
      expect(fieldValueProblem({ type: type as never }, value), `${type} ${JSON.stringify(value)}`).not.toBeNull();
    expect(fieldValueProblem({ type: 'select', options: ['A'] }, 'C')).toBe('expects one of: A');
  });

  it('lets any field be empty', () => {
    expect(fieldValueProblem({ type: 'money' }, null)).toBeNull();
  });

  it('checks the options of select fields only', () => {
    expect(fieldOptionsProblem('select', [])).toMatch(/at least one/);
    expect(fieldOptionsProblem('select', ['A', 'A'])).toMatch(/twice/);
    expect(fieldOptionsProblem('text', ['A'])).toMatch(/only a select/);
    expect(fieldOptionsProblem('user', undefined)).toBeNull();
  });

  it('knows real dates', () => {
    expect(isDate('2024-02-29')).toBe(true);
    expect(isDate('2023-02-29')).toBe(false);
  });

  it('labels a field in the language asked for, else as defined', () => {
    const def = { label: 'Lead source', translations: { ru: { label: 'Источник' } } };
    expect(fieldLabel(def, 'ru')).toBe('Источник');
    expect(fieldLabel(def, 'en')).toBe('Lead source');
  });

  it('reserves the built-in deal fields as custom keys', () => {
    expect(DEAL_BUILT_IN_KEYS).toEqual(['amount', 'expectedCloseDate', 'contactId']);
    for (const k of [...DEAL_BUILT_IN_KEYS, 'title', 'version']) expect(RESERVED_DEAL_FIELD_KEYS.has(k)).toBe(true);
  });
});
