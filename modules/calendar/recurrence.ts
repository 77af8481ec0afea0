/**
 * Recurrence in the event's own time zone: a weekly meeting at 10:00 in Moscow stays at 10:00 there, whatever UTC
 * does. The rule (RFC 5545 RRULE, parsed by the rrule library) is expanded on wall-clock times and each occurrence
 * is turned back into an instant with the zone's offset on that day. Pure and deterministic (Intl only): the event
 * workflow uses it to schedule reminders.
 */
import * as rruleModule from 'rrule';

// rrule ships CommonJS to Node (its names under `default`) and ES modules to bundlers
const rrule = (rruleModule as unknown as { default?: typeof rruleModule }).default ?? rruleModule;
const { RRule, rrulestr } = rrule;
type RRule = InstanceType<typeof RRule>;

const formats = new Map<string, Intl.DateTimeFormat>();
function formatOf(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** Whether the runtime knows this IANA time zone. */
export function isTimeZone(tz: string): boolean {
  if (!tz || tz.length > 64) return false;
  try {
    formatOf(tz);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time of an instant in a zone, as a Date whose UTC fields are that wall-clock time. */
export function toWall(instant: number, timeZone: string): Date {
  const parts: Record<string, number> = {};
  for (const p of formatOf(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const ms = instant % 1000;
  return new Date(
    Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) +
      (ms < 0 ? ms + 1000 : ms),
  );
}

/** The zone's offset from UTC at an instant, in ms. */
export const offsetAt = (instant: number, timeZone: string) => toWall(instant, timeZone).getTime() - instant;

/**
 * The instant a wall-clock time (given as a Date's UTC fields) names in a zone. A time skipped by a DST jump moves
 * forward by the jump; a repeated one takes its first occurrence.
 */
export function fromWall(wall: Date, timeZone: string): number {
  const w = wall.getTime();
  const first = w - offsetAt(w, timeZone);
  const second = w - offsetAt(first, timeZone);
  if (second === first) return first;
  // around a transition: prefer the earlier instant that still shows this wall time, else the later one
  const earlier = Math.min(first, second);
  return toWall(earlier, timeZone).getTime() === w ? earlier : Math.max(first, second);
}

/** Parses an RRULE (without DTSTART); null with the reason when it is not one this calendar runs. */
export function parseRule(rule: string): { options: Partial<RRule['origOptions']> } | { error: string } {
  const text = rule.replace(/^RRULE:/i, '').trim();
  if (!text || text.length > 500) return { error: 'empty or too long' };
  if (/DTSTART|\n/i.test(text)) return { error: 'give the rule alone, without DTSTART' };
  let options: Partial<RRule['origOptions']>;
  try {
    options = RRule.parseString(text);
    // rrulestr also checks the parts' values (e.g. BYDAY=XX throws)
    rrulestr(`RRULE:${text}`);
  } catch (err) {
    return { error: (err as Error).message || 'not an RRULE' };
  }
  if (options.freq === undefined) return { error: 'FREQ is required' };
  if (![RRule.DAILY, RRule.WEEKLY, RRule.MONTHLY, RRule.YEARLY].includes(options.freq)) {
    return { error: 'only DAILY, WEEKLY, MONTHLY and YEARLY rules are supported' };
  }
  if (options.interval !== undefined && (options.interval < 1 || options.interval > 366)) {
    return { error: 'INTERVAL must be between 1 and 366' };
  }
  if (options.count !== undefined && options.count !== null && (options.count < 1 || options.count > 1000)) {
    return { error: 'COUNT must be between 1 and 1000' };
  }
  return { options };
}

export interface Recurring {
  startsAt: string;
  endsAt: string;
  timeZone: string;
  rrule: string | null;
  exdates?: string[];
}

const ruleCache = new Map<string, RRule>();
function ruleOf(ev: Recurring): RRule | null {
  if (!ev.rrule) return null;
  const key = `${ev.rrule}|${ev.startsAt}|${ev.timeZone}`;
  let r = ruleCache.get(key);
  if (!r) {
    const parsed = parseRule(ev.rrule);
    if ('error' in parsed) return null;
    const o = { ...parsed.options };
    // UNTIL is an instant; expanded on wall-clock times it is compared as the wall-clock time it names
    if (o.until) o.until = toWall(o.until.getTime(), ev.timeZone);
    r = new RRule({ ...o, dtstart: toWall(Date.parse(ev.startsAt), ev.timeZone), tzid: undefined });
    if (ruleCache.size > 5000) ruleCache.clear();
    ruleCache.set(key, r);
  }
  return r;
}

/** One occurrence: its start and end (ISO). */
export interface Occurrence {
  start: string;
  end: string;
}

/**
 * The occurrences whose start lies in (after, until], in order, at most `limit`; excluded starts (exdates) are left
 * out. A single event has one occurrence.
 */
export function occurrencesBetween(ev: Recurring, after: number, until: number, limit = 1000): Occurrence[] {
  const duration = Date.parse(ev.endsAt) - Date.parse(ev.startsAt);
  const excluded = new Set((ev.exdates ?? []).map((d) => Date.parse(d)));
  const out: Occurrence[] = [];
  const push = (t: number) => {
    if (t > after && t <= until && !excluded.has(t) && out.length < limit) {
      out.push({ start: new Date(t).toISOString(), end: new Date(t + duration).toISOString() });
    }
  };
  const rule = ruleOf(ev);
  if (!rule) {
    push(Date.parse(ev.startsAt));
    return out;
  }
  // wall-clock bounds, widened by a day for the zone's offset
  const day = 86_400_000;
  // Date's range ends at 8.64e15 ms; "no end" is clamped well inside it
  const end = Math.min(until, 8e15);
  const start = Math.max(after, Date.parse(ev.startsAt) - 1);
  const from = new Date(start + offsetAt(start, ev.timeZone) - day);
  const to = new Date(end + offsetAt(end, ev.timeZone) + day);
  rule.between(from, to, true, (wall) => {
    push(fromWall(wall, ev.timeZone));
    return out.length < limit;
  });
  return out;
}

/** The first occurrence starting after `after`, or null when the series has ended. */
export function nextOccurrence(ev: Recurring, after: number): Occurrence | null {
  if (!ev.rrule) return occurrencesBetween(ev, after, Number.MAX_SAFE_INTEGER, 1)[0] ?? null;
  const rule = ruleOf(ev);
  if (!rule) return null;
  let cursor = toWall(after, ev.timeZone);
  // skip excluded starts; a few rounds at most in practice
  for (let i = 0; i < 1000; i++) {
    const wall = rule.after(cursor, false);
    if (!wall) return null;
    const t = fromWall(wall, ev.timeZone);
    const found = occurrencesBetween(ev, t - 1, t, 1)[0];
    if (found && t > after) return found;
    cursor = wall;
  }
  return null;
}

/** The rule cut so that the series ends before `occurrenceStart` ("this and following" edits split it there). */
export function ruleEndingBefore(rule: string, occurrenceStart: string): string {
  const until = new Date(Date.parse(occurrenceStart) - 1000);
  const stamp = until
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const parts = rule
    .replace(/^RRULE:/i, '')
    .split(';')
    .filter((p) => p && !/^(UNTIL|COUNT)=/i.test(p));
  return [...parts, `UNTIL=${stamp}`].join(';');
}
