/**
 * The Internet calendar feed as iCalendar text (RFC 5545), pure: built from event rows by ical-generator, with a
 * VTIMEZONE (from @touch4it/ical-timezones) for every TZID it uses — Outlook shifts events by an hour without one.
 *
 * Times are written in the event's own zone (DTSTART;TZID=Europe/Moscow:20261201T100000) so that a series recurs on
 * the wall clock the way Dealflow expands it (modules/calendar/recurrence.ts); EXDATE and RECURRENCE-ID take the same
 * form. An event in UTC, or in a zone without VTIMEZONE data, is written in UTC. An occurrence cancelled alone is an
 * overriding VEVENT (same UID, RECURRENCE-ID, STATUS:CANCELLED); an occurrence moved out of its series is an event
 * of its own (its start is among the series' EXDATEs). The library escapes TEXT values and folds lines at 75 octets.
 *
 * The whole feed stays under FEED_MAX_BYTES: when a busy calendar would exceed it, the events farthest from now are
 * left out (series and the nearest events first).
 */
import ical, {
  ICalAlarmType,
  ICalCalendarMethod,
  ICalEventStatus,
  escape,
  type ICalCalendar,
  type ICalTemporalZonedDateTimeStub,
} from 'ical-generator';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { fromWall, offsetAt } from './recurrence.ts';

export const FEED_MAX_BYTES = 1_000_000;
/** a description longer than this is cut in the feed (the web app has the whole text behind the link) */
export const FEED_DESCRIPTION_MAX = 2000;
/** the window of a feed: from this many days back to this many ahead */
export const FEED_DAYS_BACK = 30;
export const FEED_DAYS_AHEAD = 180;
const DAY = 86_400_000;

/** What the feed needs of an event row. Instants as Dates, ISO strings or epoch milliseconds. */
type Instant = Date | string | number;
export interface FeedEvent {
  id: string;
  title: string;
  description: string;
  location: string;
  startsAt: Instant;
  endsAt: Instant;
  allDay: boolean;
  timeZone: string;
  rrule: string | null;
  exdates: Instant[];
  cancelledOccurrences: Instant[];
  reminders: number[];
  status: 'planned' | 'cancelled';
  sequence: number;
  updatedAt: Instant;
  /** shown in a group feed: whose event it is */
  ownerName?: string | null;
}

export interface FeedOptions {
  /** the feed's name (the calendar's name in the subscriber's app) */
  name: string;
  /** the web app's address, for the link back to each event */
  baseUrl: string;
  /** now, for the window and for which events to keep when the feed would be too large */
  now: number;
  maxBytes?: number;
}

/** The window a feed covers: whole UTC days, so that it (and the feed's ETag) changes once a day. */
export function feedWindow(now: number): { from: number; to: number; day: string } {
  const day = Math.floor(now / DAY) * DAY;
  return {
    from: day - FEED_DAYS_BACK * DAY,
    to: day + (FEED_DAYS_AHEAD + 1) * DAY,
    day: new Date(day).toISOString().slice(0, 10),
  };
}

const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/UCT', 'UCT', 'GMT', 'Etc/GMT', 'Etc/Zulu', 'Zulu', 'Etc/Universal']);
const vtimezones = new Map<string, string | null>();
/** The VTIMEZONE component of a zone, or null when it has none (then the event is written in UTC). */
export function vtimezoneOf(timeZone: string): string | null {
  if (UTC_ZONES.has(timeZone)) return null;
  if (!vtimezones.has(timeZone)) {
    let v: string | null;
    try {
      v = getVtimezoneComponent(timeZone);
    } catch {
      v = null;
    }
    vtimezones.set(timeZone, v && v.includes('BEGIN:VTIMEZONE') ? v : null);
  }
  return vtimezones.get(timeZone) ?? null;
}

/**
 * A zone's offset from UTC, remembered per UTC day when it is the same all that day (Intl is slow, and a feed asks
 * for thousands of times); on a day the offset changes it is computed for the instant itself.
 */
const dayOffsets = new Map<string, number>();
function offsetOf(instant: number, timeZone: string): number {
  const day = Math.floor(instant / DAY);
  const key = `${timeZone}|${day}`;
  let o = dayOffsets.get(key);
  if (o === undefined) {
    const first = offsetAt(day * DAY, timeZone);
    o = first === offsetAt((day + 1) * DAY - 1, timeZone) ? first : NaN;
    if (dayOffsets.size > 100_000) dayOffsets.clear();
    dayOffsets.set(key, o);
  }
  return Number.isNaN(o) ? offsetAt(instant, timeZone) : o;
}
/** The wall-clock time of an instant in a zone, as a Date whose UTC fields are that wall-clock time. */
const toWall = (instant: number, timeZone: string) => new Date(instant + offsetOf(instant, timeZone));

const ms = (d: Instant) => (typeof d === 'number' ? d : d instanceof Date ? d.getTime() : Date.parse(d));
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A wall-clock date and time without a zone (the shape of Temporal.PlainDateTime ical-generator formats). */
class PlainWall {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  constructor(
    wall: Date,
    private readonly zonedTime: ZonedWall,
  ) {
    this.year = wall.getUTCFullYear();
    this.month = wall.getUTCMonth() + 1;
    this.day = wall.getUTCDate();
    this.hour = wall.getUTCHours();
    this.minute = wall.getUTCMinutes();
    this.second = wall.getUTCSeconds();
  }
  toString() {
    return `${pad(this.year, 4)}-${pad(this.month)}-${pad(this.day)}T${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}`;
  }
  toJSON() {
    return this.toString();
  }
  toPlainDate() {
    return { year: this.year, month: this.month, day: this.day, toJSON: () => this.toString().slice(0, 10) };
  }
  toZonedDateTime() {
    return this.zonedTime;
  }
}

/** The instant of a ZonedWall (Temporal.Instant's shape), which ical-generator asks for to order start and end. */
class InstantOf {
  readonly epochMilliseconds: number;
  constructor(private readonly zonedTime: ZonedWall) {
    this.epochMilliseconds = zonedTime.epochMilliseconds;
  }
  toString() {
    return new Date(this.epochMilliseconds).toISOString();
  }
  toJSON() {
    return this.toString();
  }
  toZonedDateTimeISO() {
    return this.zonedTime;
  }
}

/**
 * An instant with its wall-clock time in a zone, in the shape of Temporal.ZonedDateTime, which ical-generator writes
 * as a local time with TZID. A class, not an object of closures: a feed makes thousands of them.
 */
class ZonedWall implements ICalTemporalZonedDateTimeStub {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  private readonly plain: PlainWall;
  constructor(
    readonly epochMilliseconds: number,
    readonly timeZoneId: string,
    wallMs = toWall(epochMilliseconds, timeZoneId).getTime(),
  ) {
    this.plain = new PlainWall(new Date(wallMs), this);
    ({ year: this.year, month: this.month, day: this.day } = this.plain);
    ({ hour: this.hour, minute: this.minute, second: this.second } = this.plain);
  }
  toInstant() {
    return new InstantOf(this);
  }
  toPlainDateTime() {
    return this.plain;
  }
  withTimeZone(tz: string): ZonedWall {
    return tz === this.timeZoneId ? this : new ZonedWall(this.epochMilliseconds, tz);
  }
  toString() {
    return `${this.plain.toString()}[${this.timeZoneId}]`;
  }
  toJSON() {
    return this.toString();
  }
}
const zoned = (instant: number, timeZone: string, wallMs?: number) => new ZonedWall(instant, timeZone, wallMs);

/** A wall-clock time as iCalendar local DATE-TIME (no Z) or, with utc, the instant in UTC. */
function stamp(instant: number, timeZone: string | null): string {
  const w = timeZone ? toWall(instant, timeZone) : new Date(instant);
  const s =
    `${pad(w.getUTCFullYear(), 4)}${pad(w.getUTCMonth() + 1)}${pad(w.getUTCDate())}` +
    `T${pad(w.getUTCHours())}${pad(w.getUTCMinutes())}${pad(w.getUTCSeconds())}`;
  return timeZone ? s : `${s}Z`;
}
function dateStamp(instant: number, timeZone: string | null): string {
  return stamp(instant, timeZone).slice(0, 8);
}

/** The RRULE and EXDATE lines of a series, EXDATE in the same form as its DTSTART. */
export function recurrenceLines(rule: string, excluded: number[], timeZone: string | null, allDay: boolean): string {
  const lines = [`RRULE:${rule.replace(/^RRULE:/i, '').trim()}`];
  const dates = [...new Set(excluded)].sort((a, b) => a - b);
  if (dates.length) {
    if (allDay) lines.push(`EXDATE;VALUE=DATE:${dates.map((t) => dateStamp(t, timeZone)).join(',')}`);
    else if (timeZone) lines.push(`EXDATE;TZID=${timeZone}:${dates.map((t) => stamp(t, timeZone)).join(',')}`);
    else lines.push(`EXDATE:${dates.map((t) => stamp(t, null)).join(',')}`);
  }
  return lines.join('\n');
}

/** A rough size of an event in the feed, to choose what fits before building it. */
function estimate(e: FeedEvent, baseUrl: string): number {
  const text = Math.min(e.description.length, FEED_DESCRIPTION_MAX) + e.title.length * 2 + e.location.length;
  const exceptions = (e.exdates.length + e.cancelledOccurrences.length) * 20 + e.cancelledOccurrences.length * 330;
  return 520 + baseUrl.length + text * 1.2 + e.reminders.length * 80 + exceptions;
}

/** Which events go in when not all fit: series and the events nearest to now first. */
function byRelevance(now: number) {
  const distance = (e: FeedEvent) => (e.rrule ? -1 : Math.abs(ms(e.startsAt) - now));
  return (a: FeedEvent, b: FeedEvent) => distance(a) - distance(b) || a.id.localeCompare(b.id);
}

function addEvent(cal: ICalCalendar, e: FeedEvent, o: FeedOptions, window: { from: number }) {
  const tz = vtimezoneOf(e.timeZone) ? e.timeZone : null;
  const start = ms(e.startsAt);
  const end = ms(e.endsAt);
  const at = (t: number) => (tz ? zoned(t, tz) : new Date(t));
  const uid = `${e.id}@dealflow`;
  const updated = new Date(ms(e.updatedAt));
  const cancelled = e.status === 'cancelled';
  const description = [
    e.description.length > FEED_DESCRIPTION_MAX ? `${e.description.slice(0, FEED_DESCRIPTION_MAX)}…` : e.description,
    e.ownerName ? `— ${e.ownerName}` : '',
    `${o.baseUrl}/calendar?event=${e.id}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  let dtStart: ICalTemporalZonedDateTimeStub | Date = at(start);
  let dtEnd: ICalTemporalZonedDateTimeStub | Date = at(end);
  if (e.allDay) {
    // a date range, the end exclusive: an event ending at 18:00 on its last day ends on the next date
    const wallStart = tz ? toWall(start, tz).getTime() : start;
    const wallEnd = tz ? toWall(end, tz).getTime() : end;
    const firstDay = Math.floor(wallStart / DAY) * DAY;
    const afterLast = Math.max(firstDay + DAY, Math.ceil(wallEnd / DAY) * DAY);
    dtStart = tz ? zoned(fromWall(new Date(firstDay), tz), tz, firstDay) : new Date(firstDay);
    dtEnd = tz ? zoned(fromWall(new Date(afterLast), tz), tz, afterLast) : new Date(afterLast);
  }
  const cancelledStarts = e.cancelledOccurrences.map(ms);
  // occurrences cancelled alone before the window are simply left out of the series; those in it are shown cancelled
  const overrides = e.rrule && !cancelled && !e.allDay ? cancelledStarts.filter((t) => t > window.from) : [];
  const excluded = [...e.exdates.map(ms), ...cancelledStarts.filter((t) => !overrides.includes(t))];
  const event = cal.createEvent({
    id: uid,
    sequence: e.sequence,
    stamp: updated,
    lastModified: updated,
    start: dtStart,
    end: dtEnd,
    allDay: e.allDay,
    timezone: tz,
    summary: e.title,
    description,
    location: e.location ? { title: e.location } : null,
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    repeating: e.rrule ? recurrenceLines(e.rrule, excluded, tz, e.allDay) : null,
  });
  if (!cancelled) {
    for (const minutes of e.reminders) {
      event.createAlarm({ type: ICalAlarmType.display, trigger: minutes * 60, description: e.title });
    }
  }
  const duration = end - start;
  for (const t of overrides) {
    cal.createEvent({
      id: uid,
      sequence: e.sequence,
      stamp: updated,
      lastModified: updated,
      recurrenceId: at(t),
      start: at(t),
      end: at(t + duration),
      timezone: tz,
      summary: e.title,
      status: ICalEventStatus.CANCELLED,
    });
  }
}

function build(events: FeedEvent[], o: FeedOptions): string {
  const window = feedWindow(o.now);
  const cal = ical({
    prodId: { company: 'Dealflow', product: 'Calendar', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    // the library writes the name unescaped: a newline in it would start a property of its own
    name: escape(o.name, false),
    ttl: 3600,
    timezone: { name: null, generator: vtimezoneOf },
  });
  const ordered = [...events].sort((a, b) => ms(a.startsAt) - ms(b.startsAt) || a.id.localeCompare(b.id));
  for (const e of ordered) addEvent(cal, e, o, window);
  return cal.toString();
}

/**
 * The feed's text. Events that would take it past maxBytes are left out, farthest from now first; `left` says how
 * many.
 */
export function buildFeed(events: FeedEvent[], o: FeedOptions): { text: string; included: number; left: number } {
  const max = o.maxBytes ?? FEED_MAX_BYTES;
  const chosen = [...events].sort(byRelevance(o.now));
  let keep = 0;
  for (let size = 0; keep < chosen.length; keep++) {
    size += estimate(chosen[keep], o.baseUrl);
    if (size > max - 2000) break;
  }
  for (;;) {
    const text = build(chosen.slice(0, keep), o);
    const bytes = Buffer.byteLength(text);
    if (bytes <= max || keep === 0) return { text, included: keep, left: events.length - keep };
    // the estimate was short: keep proportionally fewer and try again
    keep = Math.max(0, Math.floor((keep * max * 0.95) / bytes));
  }
}
