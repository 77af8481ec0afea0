/**
 * Plan periods, pure: a day (2026-12-01), an ISO week (2026-W49) or a month (2026-12) — what a plan is made for —
 * and a quarter (2026-Q4) or a year (2026), which are roll-ups of months. Days are calendar dates
 * (YYYY-MM-DD); a period's bounds as instants are its first day's midnight and the next period's first midnight in
 * the company time zone. No imports: bundled into the workflow code.
 */

export type PlanPeriodKind = 'day' | 'week' | 'month';
export type PeriodKind = PlanPeriodKind | 'quarter' | 'year';

export interface Period {
  kind: PeriodKind;
  /** canonical text: 2026-12-01, 2026-W49, 2026-12, 2026-Q4, 2026 */
  key: string;
  /** first day */
  start: string;
  /** the day after the last */
  end: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const ymd = (t: number) => {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
};
const DAY = 86_400_000;

/** A calendar date as UTC midnight (ms), or null when it is no date. */
export function dateValue(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (y < 1900 || y > 2200 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return t;
}

/** Monday of ISO week 1 of an ISO year (the week holding 4 January). */
function isoWeekOne(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const dow = (new Date(jan4).getUTCDay() + 6) % 7;
  return jan4 - dow * DAY;
}

/** The number of ISO weeks of a year: 52 or 53. */
export const isoWeeksIn = (year: number) => Math.round((isoWeekOne(year + 1) - isoWeekOne(year)) / (7 * DAY));

/** A period from its text, or null when the text names none. */
export function parsePeriod(text: string): Period | null {
  const s = text.trim();
  let m: RegExpExecArray | null;
  if (/^(\d{4})-(\d{2})-(\d{2})$/.test(s)) {
    const t = dateValue(s);
    return t === null ? null : { kind: 'day', key: s, start: s, end: ymd(t + DAY) };
  }
  if ((m = /^(\d{4})-W(\d{2})$/i.exec(s))) {
    const [y, w] = [Number(m[1]), Number(m[2])];
    if (y < 1900 || y > 2200 || w < 1 || w > isoWeeksIn(y)) return null;
    const start = isoWeekOne(y) + (w - 1) * 7 * DAY;
    return { kind: 'week', key: `${y}-W${pad(w)}`, start: ymd(start), end: ymd(start + 7 * DAY) };
  }
  if ((m = /^(\d{4})-(\d{2})$/.exec(s))) {
    const [y, mo] = [Number(m[1]), Number(m[2])];
    if (y < 1900 || y > 2200 || mo < 1 || mo > 12) return null;
    return { kind: 'month', key: s, start: ymd(Date.UTC(y, mo - 1, 1)), end: ymd(Date.UTC(y, mo, 1)) };
  }
  if ((m = /^(\d{4})-Q([1-4])$/i.exec(s))) {
    const [y, q] = [Number(m[1]), Number(m[2])];
    if (y < 1900 || y > 2200) return null;
    return {
      kind: 'quarter',
      key: `${y}-Q${q}`,
      start: ymd(Date.UTC(y, (q - 1) * 3, 1)),
      end: ymd(Date.UTC(y, q * 3, 1)),
    };
  }
  if ((m = /^(\d{4})$/.exec(s))) {
    const y = Number(m[1]);
    if (y < 1900 || y > 2200) return null;
    return { kind: 'year', key: s, start: ymd(Date.UTC(y, 0, 1)), end: ymd(Date.UTC(y + 1, 0, 1)) };
  }
  return null;
}

/** A period a plan can be made for (a day, a week or a month), or null. */
export function parsePlanPeriod(text: string): (Period & { kind: PlanPeriodKind }) | null {
  const p = parsePeriod(text);
  return p && (p.kind === 'day' || p.kind === 'week' || p.kind === 'month')
    ? (p as Period & { kind: PlanPeriodKind })
    : null;
}

/** What plans a roll-up over this period sums: plans of its own kind, or months for a quarter or a year. */
export const planKindOf = (p: Period): PlanPeriodKind => (p.kind === 'quarter' || p.kind === 'year' ? 'month' : p.kind);

/** The plan periods of a kind inside a period, in order (the months of a quarter, the days of a week…). */
export function periodsInside(p: Period, kind: PlanPeriodKind = planKindOf(p)): Period[] {
  const out: Period[] = [];
  const end = dateValue(p.end)!;
  let t = dateValue(p.start)!;
  if (kind === 'week') {
    const dow = (new Date(t).getUTCDay() + 6) % 7;
    if (dow) t += (7 - dow) * DAY;
  }
  while (t < end) {
    const d = new Date(t);
    const key =
      kind === 'day' ? ymd(t) : kind === 'month' ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}` : isoWeekKey(t);
    const q = parsePeriod(key)!;
    if (dateValue(q.end)! > end && kind !== 'week') break;
    out.push(q);
    t = dateValue(q.end)!;
  }
  return out;
}

function isoWeekKey(monday: number): string {
  const thursday = monday + 3 * DAY;
  const y = new Date(thursday).getUTCFullYear();
  return `${y}-W${pad(Math.floor((monday - isoWeekOne(y)) / (7 * DAY)) + 1)}`;
}

/** Whether a calendar date lies inside the period. */
export const dateInside = (date: string, p: Period) => date >= p.start && date < p.end;

/** a formatter per time zone: building one costs far more than using it */
const FORMATS = new Map<string, Intl.DateTimeFormat>();

/** The offset of a time zone from UTC at an instant, in ms (e.g. +3 h for Europe/Moscow). */
function zoneOffset(t: number, timeZone: string): number {
  let format = FORMATS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    FORMATS.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(t));
  const v = (type: string) => Number(parts.find((x) => x.type === type)!.value);
  return (
    Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute'), v('second')) - Math.floor(t / 1000) * 1000
  );
}

/** The instant (ms) a calendar date begins in a time zone. */
export function zonedMidnight(date: string, timeZone: string): number {
  const t = dateValue(date);
  if (t === null) throw new RangeError(`not a date: ${date}`);
  const first = t - zoneOffset(t, timeZone);
  return t - zoneOffset(first, timeZone);
}

/** A period's bounds as instants in the company time zone: [startsAt, endsAt). */
export function periodBounds(p: Period, timeZone: string): { startsAt: string; endsAt: string } {
  return {
    startsAt: new Date(zonedMidnight(p.start, timeZone)).toISOString(),
    endsAt: new Date(zonedMidnight(p.end, timeZone)).toISOString(),
  };
}

/** A date some days after another (negative: before). */
export const addDays = (date: string, days: number) => ymd(dateValue(date)! + days * DAY);

/** Whether the text is a time zone the runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The calendar date an instant (ms) falls on in a time zone. */
export const dateIn = (t: number, timeZone: string): string => ymd(t + zoneOffset(t, timeZone));

/** The plan period of a kind that holds a date. */
export function planPeriodOf(date: string, kind: PlanPeriodKind): Period & { kind: PlanPeriodKind } {
  const t = dateValue(date);
  if (t === null) throw new RangeError(`not a date: ${date}`);
  const key =
    kind === 'day'
      ? date
      : kind === 'month'
        ? date.slice(0, 7)
        : isoWeekKey(t - ((new Date(t).getUTCDay() + 6) % 7) * DAY);
  return parsePlanPeriod(key)!;
}
