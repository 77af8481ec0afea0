import { describe, expect, it } from 'vitest';
import { fromWall, nextOccurrence, occurrencesBetween, parseRule, ruleEndingBefore, toWall } from '../recurrence.ts';

const T = (s: string) => Date.parse(s);

describe('recurrence in the event time zone', () => {
  it('keeps a weekly meeting at 10:00 in New York across the change to daylight saving time', () => {
    // 2026-03-02 10:00 EST = 15:00Z; after 2026-03-08 it is EDT: 10:00 = 14:00Z
    const ev = {
      startsAt: '2026-03-02T15:00:00.000Z',
      endsAt: '2026-03-02T16:00:00.000Z',
      timeZone: 'America/New_York',
      rrule: 'FREQ=WEEKLY;COUNT=3',
    };
    const occ = occurrencesBetween(ev, T('2026-03-01T00:00:00Z'), T('2026-04-01T00:00:00Z'));
    expect(occ.map((o) => o.start)).toEqual([
      '2026-03-02T15:00:00.000Z',
      '2026-03-09T14:00:00.000Z',
      '2026-03-16T14:00:00.000Z',
    ]);
    expect(occ[1].end).toBe('2026-03-09T15:00:00.000Z');
  });

  it('leaves out excluded occurrences and honours UNTIL', () => {
    const ev = {
      startsAt: '2026-12-01T07:00:00.000Z',
      endsAt: '2026-12-01T07:30:00.000Z',
      timeZone: 'Europe/Moscow',
      rrule: 'FREQ=DAILY;UNTIL=20261204T235959Z',
      exdates: ['2026-12-02T07:00:00.000Z'],
    };
    const occ = occurrencesBetween(ev, 0, T('2027-01-01T00:00:00Z'));
    expect(occ.map((o) => o.start.slice(0, 10))).toEqual(['2026-12-01', '2026-12-03', '2026-12-04']);
  });

  it('a single event has one occurrence, found only inside the window', () => {
    const ev = {
      startsAt: '2026-12-01T07:00:00.000Z',
      endsAt: '2026-12-01T08:00:00.000Z',
      timeZone: 'UTC',
      rrule: null,
    };
    expect(occurrencesBetween(ev, 0, T('2027-01-01T00:00:00Z'))).toHaveLength(1);
    expect(occurrencesBetween(ev, T('2026-12-01T07:00:00Z'), T('2027-01-01T00:00:00Z'))).toHaveLength(0);
    expect(nextOccurrence(ev, T('2026-11-30T00:00:00Z'))?.start).toBe('2026-12-01T07:00:00.000Z');
    expect(nextOccurrence(ev, T('2026-12-02T00:00:00Z'))).toBeNull();
  });

  it('finds the next occurrence of a series after an excluded one', () => {
    const ev = {
      startsAt: '2026-12-01T07:00:00.000Z',
      endsAt: '2026-12-01T07:30:00.000Z',
      timeZone: 'UTC',
      rrule: 'FREQ=DAILY;COUNT=5',
      exdates: ['2026-12-02T07:00:00.000Z'],
    };
    expect(nextOccurrence(ev, T('2026-12-01T08:00:00Z'))?.start).toBe('2026-12-03T07:00:00.000Z');
    expect(nextOccurrence(ev, T('2026-12-05T08:00:00Z'))).toBeNull();
  });

  it('refuses rules it does not run', () => {
    expect(parseRule('FREQ=WEEKLY;BYDAY=MO')).toHaveProperty('options');
    expect(parseRule('FREQ=HOURLY')).toHaveProperty('error');
    expect(parseRule('BYDAY=MO')).toHaveProperty('error');
    expect(parseRule('FREQ=WEEKLY;BYDAY=XX')).toHaveProperty('error');
    expect(parseRule('DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY')).toHaveProperty('error');
    expect(parseRule('FREQ=DAILY;COUNT=100000')).toHaveProperty('error');
  });

  it('cuts a series before an occurrence', () => {
    expect(ruleEndingBefore('FREQ=WEEKLY;COUNT=10;BYDAY=MO', '2026-12-07T07:00:00.000Z')).toBe(
      'FREQ=WEEKLY;BYDAY=MO;UNTIL=20261207T065959Z',
    );
  });

  it('turns wall-clock times into instants and back, a skipped hour moving forward', () => {
    const wall = new Date(Date.UTC(2026, 2, 8, 2, 30)); // 02:30 does not exist in New York on 2026-03-08
    const t = fromWall(wall, 'America/New_York');
    expect(new Date(t).toISOString()).toBe('2026-03-08T07:30:00.000Z');
    expect(toWall(T('2026-12-01T07:00:00Z'), 'Europe/Moscow').toISOString()).toBe('2026-12-01T10:00:00.000Z');
  });
});
