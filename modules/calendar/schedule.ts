/**
 * What an event's workflow has to do and when, pure: reminders before each occurrence, the result asked for when an
 * occurrence ends, asked again on the company's cadence within working hours, and the lead told after a number of
 * asks. The workflow sleeps until `nextDueAt`, then does `dueAt(now)` and adopts `advanced(...)`.
 *
 * Reminders are handed over ahead of time (`HAND_OVER_AHEAD_MS`): the step writes those due within the next hours
 * as scheduled notifications (modules/notifications/scheduled.ts), which the dispatcher delivers at their minute, so
 * a burst of reminders never waits for thousands of event workflows to be woken. `remindedThrough` is how far the
 * reminders were handed over (or, for runs that predate the hand-over, delivered).
 */
import type { AskSettings, EventState, ResultDue } from './model.ts';
import { fromWall, nextOccurrence, occurrencesBetween, toWall, type Occurrence } from './recurrence.ts';

/** At most this many occurrences are handled in one step (a long outage catches up in several). */
export const MAX_PER_STEP = 50;

const MINUTE = 60_000;

/**
 * How far ahead an event hands its reminders over to the dispatcher: a wake-up of the event's workflow may be late by
 * as much as rebuilding thousands of evicted workflows takes (about 30 a second on 2 cores) without any reminder
 * being late.
 */
export const HAND_OVER_AHEAD_MS = 6 * 60 * MINUTE;

/** The event as scheduled: cancelled occurrences count as taken out. */
const scheduled = (s: EventState) => ({ ...s, exdates: [...s.exdates, ...s.cancelledOccurrences] });

export interface Reminder {
  occurrence: Occurrence;
  minutes: number;
  at: number;
}

/** Reminders firing after `after`: those of occurrences within reach of the longest offset, and the next one's. */
function remindersAfter(s: EventState, after: number, until: number, limit = MAX_PER_STEP + 1): Reminder[] {
  if (s.status === 'cancelled' || !s.reminders.length) return [];
  const ev = scheduled(s);
  const longest = Math.max(...s.reminders) * MINUTE;
  const reach = Math.min(until, Number.MAX_SAFE_INTEGER - longest) + longest;
  const occurrences = occurrencesBetween(ev, after, reach, limit);
  if (!occurrences.length && until === Number.MAX_SAFE_INTEGER) {
    const next = nextOccurrence(ev, after);
    if (next) occurrences.push(next);
  }
  const out: Reminder[] = [];
  for (const occurrence of occurrences) {
    for (const minutes of s.reminders) {
      const at = Date.parse(occurrence.start) - minutes * MINUTE;
      if (at > after && at <= until) out.push({ occurrence, minutes, at });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/**
 * Every reminder in (after, until], for replacing what an event handed over when it changes: the span is at most the
 * hand-over's hours, and offsets are at most four weeks, so the occurrences within reach are few.
 */
export const remindersBetween = (s: EventState, after: number, until: number): Reminder[] =>
  until > after ? remindersAfter(s, after, until, 1000) : [];

const duration = (s: EventState) => Date.parse(s.endsAt) - Date.parse(s.startsAt);

/** Occurrences whose end lies in (after, until]. */
function endingBetween(s: EventState, after: number, until: number, limit: number): Occurrence[] {
  if (s.status === 'cancelled') return [];
  const duration = Date.parse(s.endsAt) - Date.parse(s.startsAt);
  return occurrencesBetween(scheduled(s), after - duration, until - duration, limit);
}

/**
 * The next moment something is due, or null when nothing ever will be (the workflow may end). With `ahead`, a
 * reminder is due that long before its time (to be handed over).
 */
export function nextDueAt(s: EventState, ahead = 0): number | null {
  const times: number[] = [];
  const reminder = remindersAfter(s, Date.parse(s.remindedThrough), Number.MAX_SAFE_INTEGER)[0];
  if (reminder) times.push(reminder.at - ahead);
  if (s.status !== 'cancelled') {
    const duration = Date.parse(s.endsAt) - Date.parse(s.startsAt);
    const next = nextOccurrence(scheduled(s), Date.parse(s.resultsThrough) - duration);
    if (next) times.push(Date.parse(next.end));
  }
  for (const r of s.resultsDue) times.push(Date.parse(r.nextAskAt));
  return times.length ? Math.min(...times) : null;
}

/** What is due at `now`. */
export interface DueWork {
  /** reminders to deliver now (runs that predate the hand-over) */
  reminders: { occurrence: Occurrence; minutes: number }[];
  /** reminders to hand over to the dispatcher, each at its time (possibly past: delivered at once) */
  planned?: Reminder[];
  /** occurrences that ended: their result is asked for the first time */
  ended: Occurrence[];
  /** results asked again (asks is the count after this ask); escalate: the lead is told now */
  asks: (ResultDue & { escalate: boolean })[];
  /** how far this step got: `now`, or less when a long outage left more than one step's worth */
  remindedThrough: number;
  resultsThrough: number;
}

/**
 * The reminders after `from` up to `until` (at most MAX_PER_STEP of them), and how far that got: `until`, or the last
 * one's time when there were more.
 */
export function remindersThrough(s: EventState, from: number, until: number): { due: Reminder[]; through: number } {
  const due = remindersAfter(s, from, until);
  if (due.length <= MAX_PER_STEP) return { due, through: until };
  const kept = due.slice(0, MAX_PER_STEP);
  return { due: kept, through: kept[kept.length - 1].at };
}

/**
 * What is due at `now`. With `ahead` (the hand-over), the reminders up to `now + ahead` are `planned` for the
 * dispatcher instead of delivered.
 */
export function dueAt(s: EventState, now: number, ahead = 0): DueWork {
  const { due, through: remindedThrough } = remindersThrough(s, Date.parse(s.remindedThrough), now + ahead);
  const passed = endingBetween(s, Date.parse(s.resultsThrough), now, MAX_PER_STEP);
  const resultsThrough = passed.length === MAX_PER_STEP ? Date.parse(passed[passed.length - 1].end) : now;
  const ended = passed.filter((o) => !s.answered.includes(o.start));
  const asks = s.resultsDue
    .filter((r) => Date.parse(r.nextAskAt) <= now)
    .map((r) => {
      const asks = r.asks + 1;
      return { ...r, asks, escalate: !r.escalated && asks >= s.settings.escalateAfterAsks };
    });
  return {
    reminders: ahead ? [] : due.map(({ occurrence, minutes }) => ({ occurrence, minutes })),
    ...(ahead ? { planned: due } : {}),
    ended,
    asks,
    remindedThrough,
    resultsThrough,
  };
}

/** The state once the due work is done: progress marks moved on, results due added and rescheduled. */
export function advanced(s: EventState, now: number, work: DueWork, settings: AskSettings = s.settings): EventState {
  const nextAsk = nextAskAt(now, settings);
  const asked = new Map(work.asks.map((a) => [a.occurrence, a]));
  const resultsDue: ResultDue[] = s.resultsDue.map((r) => {
    const a = asked.get(r.occurrence);
    return a ? { occurrence: r.occurrence, asks: a.asks, nextAskAt: nextAsk, escalated: r.escalated || a.escalate } : r;
  });
  for (const o of work.ended) {
    if (!resultsDue.some((r) => r.occurrence === o.start)) {
      resultsDue.push({ occurrence: o.start, asks: 1, nextAskAt: nextAsk, escalated: settings.escalateAfterAsks <= 1 });
    }
  }
  const iso = (a: string, b: number) => new Date(Math.max(Date.parse(a), b)).toISOString();
  return {
    ...s,
    settings,
    remindedThrough: iso(s.remindedThrough, work.remindedThrough),
    resultsThrough: iso(s.resultsThrough, work.resultsThrough),
    resultsDue,
    // an early answer is remembered only until its occurrence would have been asked for
    answered: s.answered.filter((a) => Date.parse(a) + duration(s) > work.resultsThrough),
  };
}

const hm = (t: string) => {
  const [h, m] = t.split(':').map(Number);
  return (h * 60 + (m || 0)) * MINUTE;
};

/** The next ask: the cadence after `now`, moved into working hours (the start of the next working day if outside). */
export function nextAskAt(now: number, settings: AskSettings): string {
  const t = now + settings.askEveryMinutes * MINUTE;
  const start = hm(settings.workStart);
  const end = hm(settings.workEnd);
  const days = settings.workDays.length ? settings.workDays : [1, 2, 3, 4, 5, 6, 7];
  const wall = toWall(t, settings.timeZone).getTime();
  const dayStart = wall - (wall % 86_400_000);
  for (let d = 0; d < 8; d++) {
    const day = dayStart + d * 86_400_000;
    const isoDay = ((new Date(day).getUTCDay() + 6) % 7) + 1;
    if (!days.includes(isoDay)) continue;
    const inside = d === 0 ? Math.max(wall, day + start) : day + start;
    if (inside < day + end) return new Date(fromWall(new Date(inside), settings.timeZone)).toISOString();
  }
  return new Date(t).toISOString();
}

/** Counts a manager sees: results overdue (asked at least once), for the lead per manager. */
export const resultsOverdue = (s: Pick<EventState, 'resultsDue'>) => s.resultsDue.length;

/** The start of the first occurrence not over yet at `now` (the deal card's next activity), or null. */
export function nextActivityStart(s: EventState, now: number): string | null {
  if (s.status === 'cancelled') return null;
  return nextOccurrence(scheduled(s), now - duration(s))?.start ?? null;
}
