import { describe, expect, it } from 'vitest';
import { dateIn, planPeriodOf } from '../periods.ts';
import { submitDeadlines } from '../rules.ts';

const at = (iso: string) => Date.parse(iso);
const keys = (r: { due: { key: string }[] }) => r.due.map((p) => p.key);

describe('plan periods of a date', () => {
  it('finds the day, the ISO week and the month holding a date', () => {
    expect(planPeriodOf('2026-12-31', 'day').key).toBe('2026-12-31');
    expect(planPeriodOf('2026-12-31', 'week').key).toBe('2026-W53');
    expect(planPeriodOf('2027-01-03', 'week').key).toBe('2026-W53');
    expect(planPeriodOf('2027-01-04', 'week').key).toBe('2027-W01');
    expect(planPeriodOf('2026-11-30', 'month').key).toBe('2026-11');
  });

  it('reads the date of an instant in the company time zone', () => {
    expect(dateIn(at('2026-11-30T21:30:00Z'), 'Europe/Moscow')).toBe('2026-12-01');
    expect(dateIn(at('2026-11-30T21:30:00Z'), 'UTC')).toBe('2026-11-30');
    expect(dateIn(at('2026-12-01T03:00:00Z'), 'America/New_York')).toBe('2026-11-30');
  });
});

describe('the submit deadline of managers with no plan', () => {
  const month = { submitDueDays: 3, timeZone: 'Europe/Moscow', remindPeriod: 'month' as const };

  it('is due from the configured day of the period until it ends, and says when the next one falls', () => {
    // 4 December, Moscow: December's deadline (the 4th, 00:00 Moscow) has passed
    const r = submitDeadlines(at('2026-12-04T10:00:00Z'), month);
    expect(keys(r)).toEqual(['2026-12']);
    expect(new Date(r.nextAt!).toISOString()).toBe('2027-01-03T21:00:00.000Z');
    // the 3rd: not yet
    const before = submitDeadlines(at('2026-12-03T20:59:59Z'), month);
    expect(keys(before)).toEqual([]);
    expect(new Date(before.nextAt!).toISOString()).toBe('2026-12-03T21:00:00.000Z');
  });

  it('reminds ahead of the period with a negative day, for the coming period too', () => {
    const ahead = { ...month, submitDueDays: -5 };
    // 28 November: December is due (26 Nov), and November still runs
    expect(keys(submitDeadlines(at('2026-11-28T12:00:00Z'), ahead))).toEqual(['2026-11', '2026-12']);
  });

  it('never falls after the period ended: such a deadline is never due', () => {
    const late = { ...month, remindPeriod: 'week' as const, submitDueDays: 9 };
    expect(submitDeadlines(at('2026-12-04T10:00:00Z'), late)).toEqual({ due: [], nextAt: null });
  });

  it('follows the kind of period managers plan for', () => {
    const daily = { submitDueDays: 0, timeZone: 'UTC', remindPeriod: 'day' as const };
    const r = submitDeadlines(at('2026-12-04T10:00:00Z'), daily);
    expect(keys(r)).toEqual(['2026-12-04']);
    expect(new Date(r.nextAt!).toISOString()).toBe('2026-12-05T00:00:00.000Z');
  });
});
