import { describe, expect, it } from 'vitest';
import { addCompanyTotals, addTotals, companyTotal, convert, ratesProblem, weigh } from '../rules.ts';

describe('conversion to the company currency', () => {
  it('multiplies by the rate and rounds half up to the cent', () => {
    expect(convert('100.00', '92.5')).toBe('9250.00');
    expect(convert('0.01', '0.5')).toBe('0.01');
    expect(convert('0.01', '0.49')).toBe('0.00');
    expect(convert('1234567890123.45', '1.00000001')).toBe('1234567902469.13');
  });

  it('sums the company currency as it is and converted currencies at their rate', () => {
    const t = companyTotal(
      [
        { currency: 'EUR', amount: '100.00' },
        { currency: 'RUB', amount: '500.50' },
        { currency: 'USD', amount: '10.00' },
      ],
      'RUB',
      { EUR: '100', USD: '90.125' },
      null,
    );
    expect(t).toEqual({ currency: 'RUB', amount: '11401.75', weighted: null, unconverted: [] });
  });

  it('keeps a currency without a rate apart instead of dropping it', () => {
    const t = companyTotal(
      [
        { currency: 'EUR', amount: '100.00' },
        { currency: 'GBP', amount: '7.00' },
        { currency: 'CHF', amount: '3.00' },
      ],
      'EUR',
      {},
      null,
    );
    expect(t.amount).toBe('100.00');
    expect(t.unconverted).toEqual([
      { currency: 'CHF', amount: '3.00' },
      { currency: 'GBP', amount: '7.00' },
    ]);
  });

  it('ignores the empty sum of deals without an amount', () => {
    expect(companyTotal([{ currency: '', amount: '0' }], 'EUR', {}, null).unconverted).toEqual([]);
  });
});

describe('weighted totals', () => {
  it('multiply by the win probability', () => {
    expect(weigh('1000.00', 30)).toBe('300.00');
    expect(weigh('0.05', 50)).toBe('0.03');
    expect(weigh('999.99', 0)).toBe('0.00');
    expect(weigh('999.99', 100)).toBe('999.99');
  });

  it('weigh the converted column total when the stage has a probability', () => {
    const t = companyTotal([{ currency: 'USD', amount: '200.00' }], 'EUR', { USD: '0.9' }, 25);
    expect(t.amount).toBe('180.00');
    expect(t.weighted).toBe('45.00');
  });
});

describe('the rates an administrator sets', () => {
  it('are positive, one per currency, and never the company currency', () => {
    expect(ratesProblem('EUR', [{ currency: 'USD', rate: '0.92' }])).toBeNull();
    expect(ratesProblem('eur', [])).toMatch(/^currency:/);
    expect(ratesProblem('EUR', [{ currency: 'EUR', rate: '1' }])).toMatch(/company currency/);
    expect(
      ratesProblem('EUR', [
        { currency: 'USD', rate: '1' },
        { currency: 'USD', rate: '2' },
      ]),
    ).toMatch(/twice/);
    expect(ratesProblem('EUR', [{ currency: 'USD', rate: '0' }])).toMatch(/positive/);
    expect(ratesProblem('EUR', [{ currency: 'USD', rate: '1.123456789' }])).toMatch(/8 places/);
  });
});

describe('adding totals up', () => {
  it('adds per currency exactly', () => {
    expect(
      addTotals([
        { currency: 'USD', amount: '0.10' },
        { currency: 'EUR', amount: '1.05' },
        { currency: 'USD', amount: '0.20' },
      ]),
    ).toEqual([
      { currency: 'EUR', amount: '1.05' },
      { currency: 'USD', amount: '0.30' },
    ]);
  });

  it('adds company totals with the weighted sum of the stages that have a probability', () => {
    const a = companyTotal([{ currency: 'EUR', amount: '100.00' }], 'EUR', {}, 50);
    const b = companyTotal(
      [
        { currency: 'GBP', amount: '5.00' },
        { currency: 'EUR', amount: '10.00' },
      ],
      'EUR',
      {},
      null,
    );
    expect(addCompanyTotals('EUR', [a, b])).toEqual({
      currency: 'EUR',
      amount: '110.00',
      weighted: '50.00',
      unconverted: [{ currency: 'GBP', amount: '5.00' }],
    });
    expect(addCompanyTotals('EUR', [b]).weighted).toBeNull();
  });
});
