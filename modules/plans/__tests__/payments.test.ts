import { describe, expect, it } from 'vitest';
import { paymentProblems } from '../payments.ts';

const c = { company: 'RUB', byDay: { USD: [{ day: '2026-11-01', rate: '90' }] } };

describe('payment rules', () => {
  it('accepts a payment in the company currency or one with a rate', () => {
    expect(paymentProblems({ amount: '10.50', currency: 'RUB', paidOn: '2026-12-01', comment: '' }, c)).toEqual([]);
    expect(paymentProblems({ amount: '10', currency: 'USD', paidOn: '2026-12-01', comment: '' }, c)).toEqual([]);
  });

  it('names the field of each problem', () => {
    const fields = (p: { amount: string; currency: string; paidOn: string }) =>
      paymentProblems({ ...p, comment: '' }, c).map((x) => x.field);
    expect(fields({ amount: '0', currency: 'RUB', paidOn: '2026-12-01' })).toEqual(['amount']);
    expect(fields({ amount: '1.234', currency: 'RUB', paidOn: '2026-12-01' })).toEqual(['amount']);
    expect(fields({ amount: '5', currency: 'EUR', paidOn: '2026-12-01' })).toEqual(['currency']);
    expect(fields({ amount: '5', currency: 'RUB', paidOn: '31.12.2026' })).toEqual(['paidOn']);
  });
});
