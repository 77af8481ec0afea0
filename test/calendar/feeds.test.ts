/**
 * Internet calendar feeds over HTTP on the real stack: links created, shown once, stored hashed and revoked; the
 * feed read back by an independent parser (ical.js) — time zones, recurrence with an exception and a cancelled
 * occurrence, escaping, SEQUENCE, alarms, the link back to the app — ETag/304, and who sees what.
 */
import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

let h: Harness;
let manager: Session;
let other: Session;
let lead: Session;
let managerId: string;

const sql = async <T = Record<string, unknown>>(q: string, params: unknown[] = []) =>
  h.ctx.orm.em.fork().getConnection().execute<T[]>(q, params);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 10:00 in Moscow (UTC+3 all year), a few days from now */
const base = Math.floor(Date.now() / DAY) * DAY + 3 * DAY + 7 * HOUR;
const iso = (t: number) => new Date(t).toISOString();

const fetchFeed = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });

async function newFeed(s: Session, body: Record<string, unknown>) {
  const r = await s.post('/calendar/feeds', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; token: string; url: string; webcalUrl: string; qrSvg: string; scope: string };
}

// RFC 7986's NAME and the de-facto X-WR-CALNAME are TEXT; ical.js leaves properties it does not know unescaped
for (const p of ['name', 'x-wr-calname']) {
  (ICAL.design.icalendar.property as Record<string, { defaultType: string }>)[p] = { defaultType: 'text' };
}

/** The feed parsed by ical.js, its time zones registered so TZID times resolve to instants. */
function parse(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const events = cal.getAllSubcomponents('vevent');
  const byUid = (uid: string) => events.filter((e) => e.getFirstPropertyValue('uid') === uid);
  return { cal, events, byUid };
}
const instant = (c: ICAL.Component, prop: string) => (c.getFirstPropertyValue(prop) as ICAL.Time).toJSDate().getTime();

async function createEvent(s: Session, body: Record<string, unknown>) {
  const r = await s.post('/calendar/events', { kind: 'meeting', timeZone: 'Europe/Moscow', ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; sequence: number; updatedAt: string };
}

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const l = await f.user('lead', { name: 'Lena Lead' });
  const dept = await f.department('Sales East', l.id);
  const m = await f.user('manager', { name: 'Max Manager', departmentId: dept.id });
  managerId = m.id;
  const o = await f.user('manager', { name: 'Olga Other' });
  manager = await login(h, m.email);
  other = await login(h, o.email);
  lead = await login(h, l.email);
});
afterAll(async () => {
  await h?.close();
});

describe('calendar feed links', () => {
  it('are created with a short URL, a webcal link and a QR code shown once, and stored only as a hash', async () => {
    const feed = await newFeed(manager, { name: 'Work calendar' });
    expect(feed.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(feed.url).toBe(`${h.baseUrl}/ical/${feed.token}.ics`);
    expect(feed.url.length).toBeLessThan(256);
    expect(feed.webcalUrl).toBe(feed.url.replace(/^http:\/\//, 'webcal://'));
    expect(feed.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(feed.scope).toBe('mine');

    const list = await manager.get('/calendar/feeds');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      { id: feed.id, name: 'Work calendar', scope: 'mine', createdAt: expect.any(String) },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(feed.token);
    // another user's list does not show it
    expect((await other.get('/calendar/feeds')).body.items).toEqual([]);

    const [row] = await sql<{ token_hash: Buffer; user_id: string }>(
      `select token_hash, user_id from calendar_feeds where id = ?`,
      [feed.id],
    );
    expect(row.user_id).toBe(managerId);
    expect(Buffer.from(row.token_hash).equals(createHash('sha256').update(feed.token).digest())).toBe(true);
    const [whole] = await sql<{ text: string }>(
      `select row_to_json(f)::text as text from calendar_feeds f where id = ?`,
      [feed.id],
    );
    expect(whole.text).not.toContain(feed.token);
  });

  it('lets a lead publish their group, not a manager', async () => {
    const refused = await manager.post('/calendar/feeds', { name: 'Team', scope: 'group' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('CALENDAR_FEED_SCOPE_FORBIDDEN');
    expect((await lead.post('/calendar/feeds', { name: 'Team', scope: 'group' })).status).toBe(201);
    const bad = await manager.post('/calendar/feeds', { name: '  ' });
    expect(bad.status).toBe(400);
  });

  it('serves the calendar as iCalendar that an independent parser reads back property by property', async () => {
    const feed = await newFeed(manager, { name: 'Mine, all; of it' });
    const week = 7 * DAY;
    const title = 'Sync, weekly; "team"';
    const description = 'First line\nSecond line, with; punctuation\\and a backslash';
    const series = await createEvent(manager, {
      title,
      description,
      location: 'Room 4, floor 2',
      startsAt: iso(base),
      endsAt: iso(base + HOUR),
      rrule: 'FREQ=WEEKLY;COUNT=4',
      reminders: [15, 60],
    });
    // occurrence 1 moved out of the series (an event of its own), occurrence 2 cancelled alone
    const moved = await manager.patch(`/calendar/events/${series.id}`, {
      scope: 'this',
      occurrence: iso(base + week),
      changes: { startsAt: iso(base + week + 2 * HOUR), endsAt: iso(base + week + 3 * HOUR) },
    });
    expect(moved.status).toBe(200);
    const movedId = (await sql<{ id: string }>(`select id from calendar_events where series_id = ?`, [series.id]))[0]
      .id;
    expect(
      (await manager.post(`/calendar/events/${series.id}/cancel`, { occurrence: iso(base + 2 * week) })).status,
    ).toBe(200);
    const ny = await createEvent(manager, {
      title: 'New York call',
      kind: 'call',
      timeZone: 'America/New_York',
      startsAt: iso(base + DAY + 8 * HOUR),
      endsAt: iso(base + DAY + 9 * HOUR),
    });
    const edited = await manager.patch(`/calendar/events/${ny.id}`, { changes: { title: 'New York call (moved)' } });
    expect(edited.status).toBe(200);
    expect(edited.body.sequence).toBeGreaterThan(ny.sequence);
    const dropped = await createEvent(manager, {
      title: 'Dropped',
      startsAt: iso(base + 2 * DAY),
      endsAt: iso(base + 2 * DAY + HOUR),
    });
    expect((await manager.post(`/calendar/events/${dropped.id}/cancel`, {})).status).toBe(200);
    const invited = await createEvent(lead, {
      title: 'Lead invites Max',
      participantUserIds: [managerId],
      startsAt: iso(base + 3 * DAY),
      endsAt: iso(base + 3 * DAY + HOUR),
    });
    const foreign = await createEvent(other, { title: 'Olga alone', startsAt: iso(base), endsAt: iso(base + HOUR) });
    const outside = await createEvent(manager, {
      title: 'Too far ahead',
      startsAt: iso(base + 200 * DAY),
      endsAt: iso(base + 200 * DAY + HOUR),
    });

    const res = await fetchFeed(feed.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const text = await res.text();
    // folded at 75 octets, CRLF line ends
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const { cal, events, byUid } = parse(text);
    expect(cal.getFirstPropertyValue('name')).toBe('Mine, all; of it');
    expect(cal.getFirstPropertyValue('x-wr-calname')).toBe('Mine, all; of it');
    expect(String(cal.getFirstPropertyValue('refresh-interval'))).toBe('PT1H');
    // VALUE=DURATION, which ical.js takes as the value's type
    expect(cal.getFirstProperty('refresh-interval')!.type).toBe('duration');
    expect(String(cal.getFirstPropertyValue('x-published-ttl'))).toBe('PT1H');
    expect(
      cal
        .getAllSubcomponents('vtimezone')
        .map((z) => z.getFirstPropertyValue('tzid'))
        .sort(),
    ).toEqual(['America/New_York', 'Europe/Moscow']);

    // the series: its rule, the moved occurrence as EXDATE in the form of DTSTART, two display alarms
    const view = (await manager.get(`/calendar/events/${series.id}`)).body;
    const [master, override] = byUid(`${series.id}@dealflow`).sort((a, b) =>
      a.hasProperty('recurrence-id') ? 1 : b.hasProperty('recurrence-id') ? -1 : 0,
    );
    expect(master.getFirstPropertyValue('summary')).toBe(title);
    expect(master.getFirstPropertyValue('description')).toBe(
      `${description}\n\n${h.baseUrl}/calendar?event=${series.id}`,
    );
    expect(master.getFirstPropertyValue('location')).toBe('Room 4, floor 2');
    expect(master.getFirstPropertyValue('sequence')).toBe(view.sequence);
    expect(master.getFirstPropertyValue('status')).toBe('CONFIRMED');
    const stampOf = (t: string) => Math.floor(Date.parse(t) / 1000) * 1000;
    expect(instant(master, 'dtstamp')).toBe(stampOf(view.updatedAt));
    expect(instant(master, 'last-modified')).toBe(stampOf(view.updatedAt));
    expect(master.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Moscow');
    expect(master.getFirstProperty('exdate')!.getParameter('tzid')).toBe('Europe/Moscow');
    expect(instant(master, 'dtstart')).toBe(base);
    expect(instant(master, 'exdate')).toBe(base + week);
    expect(String(master.getFirstPropertyValue('rrule'))).toBe('FREQ=WEEKLY;COUNT=4');
    const alarms = master.getAllSubcomponents('valarm');
    expect(
      alarms
        .map((a) => `${String(a.getFirstPropertyValue('action'))} ${String(a.getFirstPropertyValue('trigger'))}`)
        .sort(),
    ).toEqual(['DISPLAY -PT15M', 'DISPLAY -PT1H']);
    // the cancelled occurrence overrides the series
    expect(override.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(override.getFirstProperty('recurrence-id')!.getParameter('tzid')).toBe('Europe/Moscow');
    expect(instant(override, 'recurrence-id')).toBe(base + 2 * week);

    // expanded by ical.js: the moved occurrence is gone, the cancelled one is there as cancelled
    const ev = new ICAL.Event(master);
    ev.relateException(override);
    const it = ev.iterator();
    const seen: [number, string][] = [];
    for (let next = it.next(); next; next = it.next()) {
      const d = ev.getOccurrenceDetails(next);
      seen.push([d.startDate.toJSDate().getTime(), String(d.item.component.getFirstPropertyValue('status'))]);
    }
    expect(seen).toEqual([
      [base, 'CONFIRMED'],
      [base + 2 * week, 'CANCELLED'],
      [base + 3 * week, 'CONFIRMED'],
    ]);
    // the moved occurrence, an event of its own
    const [own] = byUid(`${movedId}@dealflow`);
    expect(instant(own, 'dtstart')).toBe(base + week + 2 * HOUR);
    expect(own.hasProperty('rrule')).toBe(false);

    // another zone, and SEQUENCE grown by the edit
    const [nyEvent] = byUid(`${ny.id}@dealflow`);
    expect(nyEvent.getFirstPropertyValue('summary')).toBe('New York call (moved)');
    expect(nyEvent.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('America/New_York');
    expect(instant(nyEvent, 'dtstart')).toBe(base + DAY + 8 * HOUR);
    expect(instant(nyEvent, 'dtend')).toBe(base + DAY + 9 * HOUR);
    expect(nyEvent.getFirstPropertyValue('sequence')).toBe(edited.body.sequence);
    expect(nyEvent.getFirstPropertyValue('sequence')).toBeGreaterThan(ny.sequence);
    expect(nyEvent.getAllSubcomponents('valarm')).toHaveLength(0);

    const [cancelled] = byUid(`${dropped.id}@dealflow`);
    expect(cancelled.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(byUid(`${invited.id}@dealflow`)).toHaveLength(1);
    expect(byUid(`${foreign.id}@dealflow`)).toHaveLength(0);
    expect(byUid(`${outside.id}@dealflow`)).toHaveLength(0);
    expect(events.every((e) => String(e.getFirstPropertyValue('uid')).endsWith('@dealflow'))).toBe(true);

    // the lead's group feed has Max's events and names him; not Olga's
    const group = await newFeed(lead, { name: 'Team', scope: 'group' });
    const g = parse(await (await fetchFeed(group.url)).text());
    const [inGroup] = g.byUid(`${ny.id}@dealflow`);
    expect(String(inGroup.getFirstPropertyValue('description'))).toContain('Max Manager');
    expect(g.byUid(`${foreign.id}@dealflow`)).toHaveLength(0);
  });

  it('answers 304 to an unchanged feed and a new ETag after a change', async () => {
    const feed = await newFeed(manager, { name: 'Polled' });
    const first = await fetchFeed(feed.url);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    await first.text();
    const again = await fetchFeed(feed.url, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const ev = await createEvent(manager, { title: 'Fresh', startsAt: iso(base + HOUR), endsAt: iso(base + 2 * HOUR) });
    const changed = await fetchFeed(feed.url, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(parse(await changed.text()).byUid(`${ev.id}@dealflow`)).toHaveLength(1);
    const etag2 = changed.headers.get('etag')!;
    expect((await manager.patch(`/calendar/events/${ev.id}`, { changes: { title: 'Fresher' } })).status).toBe(200);
    expect((await fetchFeed(feed.url, { 'if-none-match': etag2 })).status).toBe(200);
  });

  it('stops serving a revoked link at once, answering as for an unknown one', async () => {
    const feed = await newFeed(manager, { name: 'Short-lived' });
    expect((await fetchFeed(feed.url)).status).toBe(200);
    // only its owner revokes it
    expect((await other.delete(`/calendar/feeds/${feed.id}`)).status).toBe(404);
    expect((await manager.delete(`/calendar/feeds/${feed.id}`)).status).toBe(204);
    const revoked = await fetchFeed(feed.url);
    const unknown = await fetchFeed(`${h.baseUrl}/ical/${'A'.repeat(32)}.ics`);
    const malformed = await fetchFeed(`${h.baseUrl}/ical/nonsense.ics`);
    expect([revoked.status, unknown.status, malformed.status]).toEqual([404, 404, 404]);
    const [a, b, c] = await Promise.all([revoked.text(), unknown.text(), malformed.text()]);
    expect(a).toBe(b);
    expect(a).toBe(c);
    expect(a).not.toContain(feed.token);
    expect((await manager.delete(`/calendar/feeds/${feed.id}`)).status).toBe(404);
    expect((await manager.get('/calendar/feeds')).body.items.map((x: { id: string }) => x.id)).not.toContain(feed.id);
  });
});
