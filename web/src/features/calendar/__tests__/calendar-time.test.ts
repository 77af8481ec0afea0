import { describe, expect, it } from 'vitest';
import { buildRrule, followUpTimes, isoToWall, nextDay, parseRrule, wallToIso, weekdayOf } from '../calendar-time.js';

describe('the calendar dialog as the server reads it', () => {
  it('reads a wall-clock time in the chosen time zone, across a DST change too', () => {
    expect(wallToIso('2026-03-10T09:30', 'Europe/Moscow')).toBe('2026-03-10T06:30:00.000Z');
    expect(wallToIso('2026-07-01T09:00', 'Europe/Berlin')).toBe('2026-07-01T07:00:00.000Z');
    expect(wallToIso('2026-01-01T09:00', 'Europe/Berlin')).toBe('2026-01-01T08:00:00.000Z');
    expect(wallToIso('2026-03-29', 'Europe/Berlin')).toBe('2026-03-28T23:00:00.000Z');
    expect(isoToWall('2026-07-01T07:00:00.000Z', 'Europe/Berlin')).toBe('2026-07-01T09:00');
    expect(isoToWall('2026-03-10T06:30:00Z', 'Europe/Moscow')).toBe('2026-03-10T09:30');
  });

  it('builds the RRULE of none, daily, weekly on days and monthly, ending never, on a date or after N times', () => {
    const base = { byDay: [], end: 'never' as const, until: '', count: 10 };
    expect(buildRrule({ ...base, freq: 'none' })).toBeNull();
    expect(buildRrule({ ...base, freq: 'daily' })).toBe('FREQ=DAILY');
    expect(buildRrule({ ...base, freq: 'weekly', byDay: ['FR', 'MO'], end: 'after', count: 6 })).toBe(
      'FREQ=WEEKLY;BYDAY=MO,FR;COUNT=6',
    );
    expect(buildRrule({ ...base, freq: 'monthly', end: 'on', until: '2026-12-31' })).toBe(
      'FREQ=MONTHLY;UNTIL=20261231T235959Z',
    );
    expect(parseRrule('FREQ=WEEKLY;BYDAY=MO,FR;COUNT=6')).toEqual({
      freq: 'weekly',
      byDay: ['MO', 'FR'],
      end: 'after',
      until: '',
      count: 6,
    });
    expect(parseRrule('FREQ=MONTHLY;UNTIL=20261231T235959Z')?.until).toBe('2026-12-31');
    expect(parseRrule('FREQ=YEARLY')).toBeNull();
    expect(parseRrule(null)?.freq).toBe('none');
  });

  it('knows weekdays, the next day, and plans a follow-up tomorrow at the same time', () => {
    expect(weekdayOf('2026-11-30T10:00')).toBe('MO');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    const start = new Date(2026, 10, 20, 14, 30);
    const f = followUpTimes(
      start.toISOString(),
      new Date(start.getTime() + 30 * 60_000).toISOString(),
      new Date(2026, 10, 30, 9),
    );
    const s = new Date(f.startsAt);
    expect([s.getDate(), s.getHours(), s.getMinutes()]).toEqual([1, 14, 30]);
    expect(Date.parse(f.endsAt) - Date.parse(f.startsAt)).toBe(30 * 60_000);
  });
});
