import { describe, expect, it } from 'vitest';
import { importKey, paymentProblems, signedAmount } from '../payments.ts';

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

describe('refunds and the key of an imported payment', () => {
  it('takes a negative amount only as a refund, and never zero', () => {
    const fields = (amount: string, refund?: boolean) =>
      paymentProblems({ amount, currency: 'RUB', paidOn: '2026-12-01', comment: '', refund }, c).map((x) => x.message);
    expect(fields('-500')).toEqual(['A negative amount is a refund: record it as a refund']);
    expect(fields('-500', true)).toEqual([]);
    expect(fields('500', true)).toEqual([]);
    expect(fields('0.00', true)).toEqual(['An amount cannot be zero']);
    expect(signedAmount('500', true)).toBe('-500');
    expect(signedAmount('-500', true)).toBe('-500');
    expect(signedAmount('500', false)).toBe('500');
  });

  it('keys a payment by what it is and its occurrence in the file, not by its comment or how its amount is written', () => {
    const p = {
      clientId: 'c',
      dealId: null,
      amount: '100',
      currency: 'RUB',
      paidOn: '2026-12-01',
      comment: 'a',
    };
    expect(importKey(p, 1)).toBe(importKey({ ...p, amount: '100.00', comment: 'b' }, 1));
    expect(importKey(p, 1)).not.toBe(importKey(p, 2));
    expect(importKey(p, 1)).not.toBe(importKey({ ...p, refund: true }, 1));
    expect(importKey(p, 1)).not.toBe(importKey({ ...p, paidOn: '2026-12-02' }, 1));
  });
});
