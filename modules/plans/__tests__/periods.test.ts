import { describe, expect, it } from 'vitest';
import {
  addDays,
  dateInside,
  isoWeeksIn,
  parsePeriod,
  parsePlanPeriod,
  periodBounds,
  periodsInside,
  planKindOf,
  zonedMidnight,
} from '../periods.ts';

describe('plan periods', () => {
  it('parses a month, an ISO week and a day, with their first day and the day after the last', () => {
    expect(parsePeriod('2026-12')).toEqual({ kind: 'month', key: '2026-12', start: '2026-12-01', end: '2027-01-01' });
    expect(parsePeriod('2026-W49')).toEqual({ kind: 'week', key: '2026-W49', start: '2026-11-30', end: '2026-12-07' });
    expect(parsePeriod('2026-12-01')).toEqual({
      kind: 'day',
      key: '2026-12-01',
      start: '2026-12-01',
      end: '2026-12-02',
    });
    expect(parsePeriod('2024-02')?.end).toBe('2024-03-01');
  });

  it('takes ISO week 1 as the week holding 4 January, and knows 53-week years', () => {
    expect(parsePeriod('2026-W01')?.start).toBe('2025-12-29');
    expect(parsePeriod('2021-W01')?.start).toBe('2021-01-04');
    expect(isoWeeksIn(2026)).toBe(53);
    expect(isoWeeksIn(2027)).toBe(52);
    expect(parsePeriod('2026-W53')?.start).toBe('2026-12-28');
    expect(parsePeriod('2027-W53')).toBeNull();
  });

  it('refuses what names no period', () => {
    for (const bad of ['2026-13', '2026-00', '2026-02-30', '2026-W00', '26-12', 'december', '2026-12-1', ''])
      expect(parsePeriod(bad), bad).toBeNull();
  });

  it('plans are made for days, weeks and months; quarters and years are roll-ups of months', () => {
    expect(parsePlanPeriod('2026-Q4')).toBeNull();
    expect(parsePlanPeriod('2026')).toBeNull();
    const q = parsePeriod('2026-Q4')!;
    expect(q).toMatchObject({ kind: 'quarter', start: '2026-10-01', end: '2027-01-01' });
    expect(planKindOf(q)).toBe('month');
    expect(periodsInside(q).map((p) => p.key)).toEqual(['2026-10', '2026-11', '2026-12']);
    expect(periodsInside(parsePeriod('2026')!)).toHaveLength(12);
    expect(periodsInside(parsePeriod('2026-W49')!, 'day').map((p) => p.key)).toEqual([
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
      '2026-12-05',
      '2026-12-06',
    ]);
    // the weeks that begin in the month (W49 begins on 30 November)
    expect(periodsInside(parsePeriod('2026-12')!, 'week').map((p) => p.key)).toEqual([
      '2026-W50',
      '2026-W51',
      '2026-W52',
      '2026-W53',
    ]);
  });

  it('a date is inside a period from its first day up to, not including, the next period', () => {
    const m = parsePeriod('2026-12')!;
    expect(dateInside('2026-12-01', m)).toBe(true);
    expect(dateInside('2026-12-31', m)).toBe(true);
    expect(dateInside('2027-01-01', m)).toBe(false);
    expect(dateInside('2026-11-30', m)).toBe(false);
  });

  it('bounds a period in the company time zone', () => {
    expect(periodBounds(parsePeriod('2026-12')!, 'UTC')).toEqual({
      startsAt: '2026-12-01T00:00:00.000Z',
      endsAt: '2027-01-01T00:00:00.000Z',
    });
    expect(periodBounds(parsePeriod('2026-12')!, 'Europe/Moscow')).toEqual({
      startsAt: '2026-11-30T21:00:00.000Z',
      endsAt: '2026-12-31T21:00:00.000Z',
    });
    // across a daylight-saving change: New York is UTC-4 on 1 October and UTC-5 on 1 December
    expect(periodBounds(parsePeriod('2026-11')!, 'America/New_York')).toEqual({
      startsAt: '2026-11-01T04:00:00.000Z',
      endsAt: '2026-12-01T05:00:00.000Z',
    });
    expect(new Date(zonedMidnight('2026-03-29', 'Europe/Berlin')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });

  it('adds days to a date', () => {
    expect(addDays('2026-12-01', -3)).toBe('2026-11-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});
