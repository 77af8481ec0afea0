/**
 * Interaction reports written without an event, the outcomes an administrator offers, and the company's cadence for
 * asking results: over HTTP on real Postgres.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

let h: Harness;
let admin: Session;
let manager: Session;
let other: Session;
let clientId: string;
let contactId: string;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  admin = await login(h, (await f.user('admin')).email);
  const m = await f.user('manager');
  manager = await login(h, m.email);
  other = await login(h, (await f.user('manager')).email);
  clientId = (await f.client(m.id, 'Globex')).id;
  const contact = await manager.post(`/clients/${clientId}/contacts`, { name: 'Hank Scorpio' });
  expect(contact.status).toBe(201);
  contactId = contact.body.id;
});
afterAll(() => h?.close());

const outcomeFor = async (s: Session, kind: string) =>
  ((await s.get('/calendar/outcomes')).body.items as { id: string; kind: string; closes: boolean }[]).find(
    (o) => o.kind === kind,
  )!;

describe('interaction reports', () => {
  it('writes a report of a call nobody planned, lists it by client, contact and kind, and hides it from others', async () => {
    const outcome = await outcomeFor(manager, 'call');
    const r = await manager.post('/reports', {
      kind: 'call',
      occurredAt: new Date().toISOString(),
      clientId,
      contactId,
      disposition: 'voicemail',
      outcomeId: outcome.id,
      summary: 'Left a message about the renewal',
      nextStep: 'Call again on Monday',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ clientName: 'Globex', disposition: 'voicemail', eventId: null });
    for (const q of [`clientId=${clientId}`, `contactId=${contactId}`, 'kind=call']) {
      expect((await manager.get(`/reports?${q}`)).body.items.map((x: { id: string }) => x.id)).toEqual([r.body.id]);
    }
    expect((await manager.get('/reports?kind=meeting')).body.items).toEqual([]);
    expect((await other.get('/reports')).body.items).toEqual([]);
    // a report about another manager's client is refused: that client is not theirs to see
    const refused = await other.post('/reports', {
      kind: 'call',
      occurredAt: new Date().toISOString(),
      clientId,
      outcomeId: outcome.id,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('INVALID_REFERENCE');
  });

  it('refuses a disposition on a meeting and an outcome not offered', async () => {
    const meetingOutcome = await outcomeFor(manager, 'meeting');
    const base = { kind: 'meeting', occurredAt: new Date().toISOString(), clientId };
    const withDisposition = await manager.post('/reports', {
      ...base,
      outcomeId: meetingOutcome.id,
      disposition: 'busy',
    });
    expect(withDisposition.status).toBe(422);
    expect(withDisposition.body.code).toBe('REPORT_INVALID');
    const unknown = await manager.post('/reports', { ...base, outcomeId: randomUUID() });
    expect(unknown.status).toBe(422);
  });
});

describe('outcomes and the asking cadence (administrators)', () => {
  it('lets an admin add, rename and archive an outcome; an archived one is no longer accepted', async () => {
    expect((await manager.post('/calendar/outcomes', { kind: 'call', label: 'Nope' })).status).toBe(403);
    const created = await admin.post('/calendar/outcomes', { kind: 'call', label: 'Sent a proposal', closes: false });
    expect(created.status).toBe(201);
    expect((await admin.post('/calendar/outcomes', { kind: 'call', label: 'Sent a proposal' })).status).toBe(409);
    const renamed = await admin.patch(`/calendar/outcomes/${created.body.id}`, { label: 'Proposal sent' });
    expect(renamed.body.label).toBe('Proposal sent');
    await admin.patch(`/calendar/outcomes/${created.body.id}`, { archived: true });
    const offered = (await manager.get('/calendar/outcomes')).body.items.map((o: { id: string }) => o.id);
    expect(offered).not.toContain(created.body.id);
    const r = await manager.post('/reports', {
      kind: 'call',
      occurredAt: new Date().toISOString(),
      outcomeId: created.body.id,
    });
    expect(r.status).toBe(422);
  });

  it('keeps the cadence versioned and refuses hours that end before they start or an unknown time zone', async () => {
    const s = (await manager.get('/calendar/settings')).body;
    expect(s).toMatchObject({ askEveryMinutes: 60, escalateAfterAsks: 3, workStart: '09:00', workEnd: '18:00' });
    const body = { ...s, askEveryMinutes: 30, timeZone: 'Europe/Moscow' };
    expect((await manager.put('/calendar/settings', body)).status).toBe(403);
    const saved = await admin.put('/calendar/settings', body);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ askEveryMinutes: 30, timeZone: 'Europe/Moscow', version: s.version + 1 });
    expect((await admin.put('/calendar/settings', body)).status).toBe(409);
    const bad = await admin.put('/calendar/settings', {
      ...saved.body,
      workStart: '18:00',
      workEnd: '09:00',
      timeZone: 'Nowhere/Land',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain('timeZone');
  });
});
