import { describe, expect, it } from 'vitest';
import { matchedOn, normaliseName, normalisePhone, normaliseProbe, normaliseTaxId } from '../duplicates.ts';

describe('duplicate check', () => {
  it('compares names without case, spaces, punctuation and quotes', () => {
    expect(normaliseName('ООО «Ромашка»')).toBe(normaliseName('ооо ромашка'));
    expect(normaliseName('Acme, Inc.')).toBe(normaliseName('ACME inc'));
    expect(normaliseName('Acme')).not.toBe(normaliseName('Acme Two'));
  });

  it('compares tax ids on letters and digits and phones on their last ten digits', () => {
    expect(normaliseTaxId('77-07 083893')).toBe('7707083893');
    expect(normalisePhone('+7 (495) 123-45-67')).toBe(normalisePhone('8 495 1234567'));
    expect(normalisePhone('12-34')).toBe('');
  });

  it('says on which fields a client matches, and ignores empty fields', () => {
    const existing = { name: 'Acme Ltd', taxId: 'DE 123', email: 'Sales@Acme.test', phone: null };
    expect(matchedOn(existing, { name: 'acme ltd.', email: ' sales@acme.test ' })).toEqual(['name', 'email']);
    expect(matchedOn(existing, { taxId: 'de123', phone: '' })).toEqual(['taxId']);
    expect(matchedOn(existing, { name: 'Other' })).toEqual([]);
    expect(normaliseProbe({ name: ' ', phone: '+1' })).toEqual({});
  });
});
