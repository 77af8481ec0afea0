import { describe, expect, it } from 'vitest';
import { DEFAULT_ASK_SETTINGS, blankFields, plannedState, type EventState } from '../model.ts';
import {
  HAND_OVER_AHEAD_MS,
  advanced,
  dueAt,
  nextActivityStart,
  nextAskAt,
  nextDueAt,
  remindersBetween,
} from '../schedule.ts';

const T = (s: string) => Date.parse(s);

const event = (over: Partial<EventState> = {}): EventState => ({
  ...plannedState(
    {
      ...blankFields({
        title: 'Call',
        startsAt: '2026-12-01T10:00:00.000Z',
        endsAt: '2026-12-01T10:30:00.000Z',
        reminders: [1440, 15],
      }),
      id: 'e1',
      ownerId: 'u1',
    },
    { ...DEFAULT_ASK_SETTINGS, askEveryMinutes: 60, escalateAfterAsks: 3 },
    '2026-11-29T00:00:00.000Z',
  ),
  ...over,
});

describe('what an event has to do and when', () => {
  it('reminds a day and fifteen minutes before, then asks for the result at the end', () => {
    let s = event();
    expect(nextDueAt(s)).toBe(T('2026-11-30T10:00:00Z'));
    let w = dueAt(s, T('2026-11-30T10:00:00Z'));
    expect(w.reminders.map((r) => r.minutes)).toEqual([1440]);
    s = advanced(s, T('2026-11-30T10:00:00Z'), w);
    expect(nextDueAt(s)).toBe(T('2026-12-01T09:45:00Z'));
    s = advanced(s, T('2026-12-01T09:45:00Z'), dueAt(s, T('2026-12-01T09:45:00Z')));
    expect(nextDueAt(s)).toBe(T('2026-12-01T10:30:00Z'));
    w = dueAt(s, T('2026-12-01T10:30:00Z'));
    expect(w.reminders).toEqual([]);
    expect(w.ended.map((o) => o.start)).toEqual(['2026-12-01T10:00:00.000Z']);
    s = advanced(s, T('2026-12-01T10:30:00Z'), w);
    expect(s.resultsDue).toEqual([
      { occurrence: '2026-12-01T10:00:00.000Z', asks: 1, nextAskAt: '2026-12-01T11:30:00.000Z', escalated: false },
    ]);
    expect(nextDueAt(s)).toBe(T('2026-12-01T11:30:00Z'));
  });

  it('hands reminders over to the dispatcher hours before they are due, each once', () => {
    const ahead = HAND_OVER_AHEAD_MS; // six hours
    let s = event();
    expect(nextDueAt(s, ahead)).toBe(T('2026-11-30T04:00:00Z'));
    let w = dueAt(s, T('2026-11-30T04:00:00Z'), ahead);
    expect(w.reminders).toEqual([]);
    expect(w.planned!.map((r) => [r.minutes, new Date(r.at).toISOString()])).toEqual([
      [1440, '2026-11-30T10:00:00.000Z'],
    ]);
    s = advanced(s, T('2026-11-30T04:00:00Z'), w);
    expect(s.remindedThrough).toBe('2026-11-30T10:00:00.000Z');
    expect(nextDueAt(s, ahead)).toBe(T('2026-12-01T03:45:00Z'));
    // woken late (an outage): what is due meanwhile is handed over too, and the dispatcher delivers it at once
    w = dueAt(s, T('2026-12-01T09:50:00Z'), ahead);
    expect(w.planned!.map((r) => r.minutes)).toEqual([15]);
    s = advanced(s, T('2026-12-01T09:50:00Z'), w);
    expect(dueAt(s, T('2026-12-01T10:00:00Z'), ahead).planned).toEqual([]);
    // what an edit replaces: the reminders between the edit and how far they were handed over
    expect(
      remindersBetween(event(), T('2026-11-30T09:00:00Z'), T('2026-12-01T09:45:00Z')).map((r) => r.minutes),
    ).toEqual([1440, 15]);
    expect(remindersBetween(event({ status: 'cancelled' }), 0, T('2026-12-02T00:00:00Z'))).toEqual([]);
  });

  it('after an outage, delivers the missed reminders at once, each once', () => {
    const s = event();
    const w = dueAt(s, T('2026-12-01T09:50:00Z'));
    expect(w.reminders.map((r) => r.minutes)).toEqual([1440, 15]);
    const after = advanced(s, T('2026-12-01T09:50:00Z'), w);
    expect(dueAt(after, T('2026-12-01T09:55:00Z')).reminders).toEqual([]);
  });

  it('asks again on the cadence and tells the lead at the third ask', () => {
    let s = event({
      resultsThrough: '2026-12-01T10:30:00.000Z',
      remindedThrough: '2026-12-01T10:30:00.000Z',
      resultsDue: [
        { occurrence: '2026-12-01T10:00:00.000Z', asks: 1, nextAskAt: '2026-12-01T11:30:00.000Z', escalated: false },
      ],
    });
    let w = dueAt(s, T('2026-12-01T11:30:00Z'));
    expect(w.asks).toMatchObject([{ asks: 2, escalate: false }]);
    s = advanced(s, T('2026-12-01T11:30:00Z'), w);
    w = dueAt(s, T('2026-12-01T12:30:00Z'));
    expect(w.asks).toMatchObject([{ asks: 3, escalate: true }]);
    s = advanced(s, T('2026-12-01T12:30:00Z'), w);
    expect(s.resultsDue[0].escalated).toBe(true);
    expect(dueAt(s, T('2026-12-01T13:30:00Z')).asks).toMatchObject([{ asks: 4, escalate: false }]);
  });

  it('asks only within working hours: after 18:00 on a Friday, at 09:00 on Monday', () => {
    // 2026-12-04 is a Friday
    expect(nextAskAt(T('2026-12-04T17:30:00Z'), DEFAULT_ASK_SETTINGS)).toBe('2026-12-07T09:00:00.000Z');
    expect(nextAskAt(T('2026-12-04T10:00:00Z'), DEFAULT_ASK_SETTINGS)).toBe('2026-12-04T11:00:00.000Z');
    expect(nextAskAt(T('2026-12-04T05:00:00Z'), { ...DEFAULT_ASK_SETTINGS, timeZone: 'Europe/Moscow' })).toBe(
      '2026-12-04T06:00:00.000Z',
    );
  });

  it('does not ask for a result answered early, nor for a cancelled event', () => {
    const s = event({ answered: ['2026-12-01T10:00:00.000Z'], reminders: [] });
    const w = dueAt(s, T('2026-12-01T10:30:00Z'));
    expect(w.ended).toEqual([]);
    const after = advanced(s, T('2026-12-01T10:30:00Z'), w);
    expect(after.answered).toEqual([]);
    expect(nextDueAt(after)).toBeNull();
    expect(nextDueAt(event({ status: 'cancelled' }))).toBeNull();
  });

  it('schedules each occurrence of a series and skips a cancelled one', () => {
    const s = event({
      rrule: 'FREQ=DAILY;COUNT=3',
      reminders: [15],
      cancelledOccurrences: ['2026-12-02T10:00:00.000Z'],
      remindedThrough: '2026-12-01T10:00:00.000Z',
      resultsThrough: '2026-12-01T10:30:00.000Z',
    });
    expect(nextDueAt(s)).toBe(T('2026-12-03T09:45:00Z'));
    expect(nextActivityStart(s, T('2026-12-01T12:00:00Z'))).toBe('2026-12-03T10:00:00.000Z');
  });
});
