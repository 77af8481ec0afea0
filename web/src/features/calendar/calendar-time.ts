/**
 * The calendar's pure helpers: wall-clock times in a time zone (the dialog's inputs) to instants and back, the
 * recurrence the dialog offers to an RRULE and back, and the follow-up's default time.
 */

/** The browser's IANA time zone, e.g. Europe/Moscow. */
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Every IANA zone the browser knows (for the time zone select); the given one first when missing. */
export function timeZones(current: string): string[] {
  const all = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return all.includes(current) ? all : [current, ...all];
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The wall-clock parts of an instant in a zone. */
function partsIn(ms: number, tz: string) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour % 24, mi: +p.minute, s: +p.second };
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetMs(ms: number, tz: string): number {
  const p = partsIn(ms, tz);
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(ms / 1000) * 1000;
}

/** 'YYYY-MM-DDTHH:mm' (or 'YYYY-MM-DD': midnight) read in a zone → an ISO instant. */
export function wallToIso(wall: string, tz: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(wall);
  if (!m) return '';
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0));
  let guess = asUtc - offsetMs(asUtc, tz);
  // once more, for a wall time on the other side of a DST change from the first guess
  guess = asUtc - offsetMs(guess, tz);
  return new Date(guess).toISOString();
}

/** An instant → 'YYYY-MM-DDTHH:mm' on the zone's wall clock. */
export function isoToWall(iso: string | Date, tz: string): string {
  const p = partsIn(typeof iso === 'string' ? Date.parse(iso) : iso.getTime(), tz);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}`;
}

/** The day after 'YYYY-MM-DD' (all-day events end at the start of the day after their last day). */
export function nextDay(date: string, days = 1): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export type Freq = 'none' | 'daily' | 'weekly' | 'monthly';
export type RecurrenceEnd = 'never' | 'on' | 'after';
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface Recurrence {
  freq: Freq;
  /** weekly: the days */
  byDay: Weekday[];
  end: RecurrenceEnd;
  /** end 'on': the last day, YYYY-MM-DD */
  until: string;
  /** end 'after': how many times */
  count: number;
}

export const noRecurrence = (): Recurrence => ({ freq: 'none', byDay: [], end: 'never', until: '', count: 10 });

/** The RRULE (without DTSTART) of what the dialog says; null: it does not repeat. */
export function buildRrule(r: Recurrence): string | null {
  if (r.freq === 'none') return null;
  const parts = [`FREQ=${r.freq.toUpperCase()}`];
  if (r.freq === 'weekly' && r.byDay.length) {
    parts.push(`BYDAY=${WEEKDAYS.filter((d) => r.byDay.includes(d)).join(',')}`);
  }
  if (r.end === 'after' && r.count > 0) parts.push(`COUNT=${Math.floor(r.count)}`);
  if (r.end === 'on' && /^\d{4}-\d{2}-\d{2}$/.test(r.until)) parts.push(`UNTIL=${r.until.replace(/-/g, '')}T235959Z`);
  return parts.join(';');
}

/** What the dialog shows for a stored RRULE; null when the rule says more than the dialog can (it is kept as is). */
export function parseRrule(rule: string | null): Recurrence | null {
  if (!rule) return noRecurrence();
  const r = noRecurrence();
  for (const part of rule.split(';')) {
    const [k, v = ''] = part.split('=');
    const key = k.toUpperCase();
    if (key === 'FREQ') {
      const f = v.toLowerCase();
      if (f !== 'daily' && f !== 'weekly' && f !== 'monthly') return null;
      r.freq = f;
    } else if (key === 'BYDAY') {
      const days = v.split(',');
      if (!days.every((d): d is Weekday => (WEEKDAYS as readonly string[]).includes(d))) return null;
      r.byDay = days;
    } else if (key === 'COUNT') {
      r.end = 'after';
      r.count = Number(v);
    } else if (key === 'UNTIL') {
      r.end = 'on';
      r.until = `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;
    } else return null;
  }
  return r.freq === 'none' ? null : r;
}

/** The weekday code of a wall date 'YYYY-MM-DD…'. */
export function weekdayOf(wall: string): Weekday {
  const d = new Date(`${wall.slice(0, 10)}T00:00:00Z`).getUTCDay();
  return WEEKDAYS[(d + 6) % 7];
}

/** A follow-up's default: tomorrow (from now) at the occurrence's time of day, as long as it was. */
export function followUpTimes(start: string, end: string, now = new Date()): { startsAt: string; endsAt: string } {
  const s = Date.parse(start);
  const e = Math.max(Date.parse(end), s + 15 * 60_000);
  const from = new Date(s);
  const at = new Date(now);
  at.setDate(at.getDate() + 1);
  at.setHours(from.getHours(), from.getMinutes(), 0, 0);
  return { startsAt: at.toISOString(), endsAt: new Date(at.getTime() + (e - s)).toISOString() };
}
