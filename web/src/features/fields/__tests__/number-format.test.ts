import { describe, expect, it } from 'vitest';
import { decimalKeys, decimalOf, separatorsOf } from '../number-format.js';

describe('numbers as each language writes them', () => {
  it('groups with a space and decimals with a comma in Russian, commas and a point in English', () => {
    const ru = separatorsOf('ru');
    expect(ru.group.trim()).toBe('');
    expect(ru.decimal).toBe(',');
    expect(separatorsOf('en')).toEqual({ group: ',', decimal: '.' });
  });

  it('takes "." for the decimals in Russian, where it groups nothing, but never "," in English', () => {
    expect(decimalKeys(separatorsOf('ru'))).toEqual([',', '.']);
    expect(decimalKeys(separatorsOf('en'))).toEqual(['.']);
  });

  it('sends what was typed canonically, without a decimal point left alone at the end', () => {
    expect(decimalOf('1234.')).toBe('1234');
    expect(decimalOf('1234.5')).toBe('1234.5');
    expect(decimalOf('-')).toBe('');
    expect(decimalOf('')).toBe('');
  });
});
