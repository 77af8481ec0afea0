import { describe, expect, it } from 'vitest';
import { feedTokenHash, feedUrls, FEED_TOKEN, newFeedToken, tokenMatches } from '../feeds.ts';
import { buildFeed, feedWindow, recurrenceLines, vtimezoneOf, type FeedEvent } from '../ical.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const event = (over: Partial<FeedEvent> = {}): FeedEvent => ({
  id: '00000000-0000-4000-8000-000000000001',
  title: 'Call',
  description: '',
  location: '',
  startsAt: '2026-03-02T15:00:00.000Z',
  endsAt: '2026-03-02T16:00:00.000Z',
  allDay: false,
  timeZone: 'America/New_York',
  rrule: null,
  exdates: [],
  cancelledOccurrences: [],
  reminders: [],
  status: 'planned',
  sequence: 0,
  updatedAt: '2026-02-20T08:00:00.000Z',
  ...over,
});
const feed = (events: FeedEvent[], maxBytes?: number) =>
  buildFeed(events, { name: 'Mine', baseUrl: 'https://crm.example.com', now: NOW, maxBytes });
const lines = (text: string) => text.split('\r\n');

describe('feed tokens', () => {
  it('are 192 random bits, URL-safe, different every time, and match only their own hash', () => {
    const a = newFeedToken();
    const b = newFeedToken();
    expect(a).toMatch(FEED_TOKEN);
    expect(Buffer.from(a, 'base64url')).toHaveLength(24);
    expect(a).not.toBe(b);
    expect(tokenMatches(a, feedTokenHash(a))).toBe(true);
    expect(tokenMatches(b, feedTokenHash(a))).toBe(false);
    expect(tokenMatches(a, Buffer.alloc(3))).toBe(false);
  });

  it('give a short https URL and its webcal twin', () => {
    const token = newFeedToken();
    const u = feedUrls('https://crm.example.com/', token);
    expect(u.url).toBe(`https://crm.example.com/ical/${token}.ics`);
    expect(u.webcalUrl).toBe(`webcal://crm.example.com/ical/${token}.ics`);
    // the longest public address the configuration accepts still leaves the URL under Google's 256
    expect(feedUrls(`https://${'a'.repeat(152)}`, token).url.length).toBeLessThan(256);
  });
});

describe('the feed window', () => {
  it('runs over whole UTC days from 30 back to 180 ahead, the same all day long', () => {
    const w = feedWindow(NOW);
    expect(new Date(w.from).toISOString()).toBe('2026-01-30T00:00:00.000Z');
    expect(new Date(w.to).toISOString()).toBe('2026-08-29T00:00:00.000Z');
    expect(w.day).toBe('2026-03-01');
    expect(feedWindow(Date.parse('2026-03-01T23:59:59Z'))).toEqual(w);
  });
});

describe('iCalendar text', () => {
  it('writes a series on its own wall clock, EXDATE in the same form as DTSTART', () => {
    // 10:00 in New York before and after the change to daylight saving time on 2026-03-08
    const text = feed([
      event({
        rrule: 'FREQ=WEEKLY;COUNT=3',
        exdates: ['2026-03-09T14:00:00.000Z'],
        cancelledOccurrences: ['2026-03-16T14:00:00.000Z'],
      }),
    ]).text;
    const l = lines(text);
    expect(l).toContain('DTSTART;TZID=America/New_York:20260302T100000');
    expect(l).toContain('RRULE:FREQ=WEEKLY;COUNT=3');
    expect(l).toContain('EXDATE;TZID=America/New_York:20260309T100000');
    expect(l).toContain('RECURRENCE-ID;TZID=America/New_York:20260316T100000');
    expect(l.filter((x) => x === 'STATUS:CANCELLED')).toHaveLength(1);
    expect(l.filter((x) => x === 'BEGIN:VTIMEZONE')).toHaveLength(1);
  });

  it('writes UTC events in UTC, without a VTIMEZONE', () => {
    const l = lines(feed([event({ timeZone: 'UTC', rrule: 'FREQ=DAILY', exdates: ['2026-03-03T15:00:00Z'] })]).text);
    expect(l).toContain('DTSTART:20260302T150000Z');
    expect(l).toContain('EXDATE:20260303T150000Z');
    expect(l).not.toContain('BEGIN:VTIMEZONE');
    expect(vtimezoneOf('Etc/UTC')).toBeNull();
    expect(vtimezoneOf('Europe/Moscow')).toContain('TZID:Europe/Moscow');
  });

  it('writes an all-day event as dates, the end exclusive, and its exceptions as dates', () => {
    const l = lines(
      feed([
        event({
          allDay: true,
          timeZone: 'Europe/Moscow',
          startsAt: '2026-03-02T21:00:00.000Z', // 3 March, 00:00 in Moscow
          endsAt: '2026-03-03T20:59:00.000Z',
          rrule: 'FREQ=DAILY;COUNT=5',
          cancelledOccurrences: ['2026-03-03T21:00:00.000Z'],
        }),
      ]).text,
    );
    expect(l).toContain('DTSTART;VALUE=DATE:20260303');
    expect(l).toContain('DTEND;VALUE=DATE:20260304');
    expect(l).toContain('EXDATE;VALUE=DATE:20260304');
  });

  it('escapes text, folds long lines at 75 octets, and links back to the event', () => {
    const text = feed([event({ title: 'A, b; c\nd', description: 'Ж'.repeat(100) })]).text;
    expect(lines(text)).toContain('SUMMARY:A\\, b\\; c\\nd');
    for (const line of lines(text)) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(text.replace(/\r\n /g, '')).toContain(
      '\\n\\nhttps://crm.example.com/calendar?event=00000000-0000-4000-8000-000000000001',
    );
  });

  it('recurrence lines sort and deduplicate the exceptions', () => {
    expect(
      recurrenceLines(
        'RRULE:FREQ=DAILY',
        [Date.parse('2026-03-04T07:00:00Z'), Date.parse('2026-03-03T07:00:00Z'), Date.parse('2026-03-04T07:00:00Z')],
        'Europe/Moscow',
        false,
      ),
    ).toBe('RRULE:FREQ=DAILY\nEXDATE;TZID=Europe/Moscow:20260303T100000,20260304T100000');
  });

  it('stays under its size limit, keeping series and the events nearest to now', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      event({
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        description: 'x'.repeat(500),
        startsAt: new Date(NOW + (i - 100) * 3_600_000).toISOString(),
        endsAt: new Date(NOW + (i - 99) * 3_600_000).toISOString(),
        reminders: [15],
      }),
    );
    const series = event({
      id: '00000000-0000-4000-8000-999999999999',
      rrule: 'FREQ=DAILY',
      startsAt: '2025-01-01T09:00:00Z',
      endsAt: '2025-01-01T10:00:00Z',
    });
    const r = feed([...many, series], 100_000);
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(100_000);
    expect(r.left).toBeGreaterThan(0);
    expect(r.included + r.left).toBe(401);
    expect(r.text).toContain('UID:00000000-0000-4000-8000-999999999999@dealflow');
    // the event starting now is in, the farthest one is not
    expect(r.text).toContain('UID:00000000-0000-4000-8000-000000000100@dealflow');
    expect(r.text).not.toContain('UID:00000000-0000-4000-8000-000000000399@dealflow');
  });
});
