/**
 * Calendar events on the real Temporal server and Postgres, over HTTP: reminders delivered by the event's workflow,
 * the result asked for when it ends (and the lead told), the result form's rules, the report on the deal's timeline,
 * series edits, bad input, access, and a reminder that survives the worker being down when it was due.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowBundle } from '../../runtime/worker.ts';
import { eventWorkflowId } from '../../workflows/event-contract.ts';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { until } from '../support/until.ts';

let h: Harness;
let manager: Session;
let other: Session;
let managerId: string;
let leadId: string;
let lead: Session;
let clientId: string;
let dealId: string;
/** events whose histories are replayed at the end (and recorded as fixtures with RECORD_HISTORIES=1) */
const recorded: Record<string, string> = {};

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const sql = async <T = Record<string, unknown>>(q: string, params: unknown[] = []) =>
  h.ctx.orm.em.fork().getConnection().execute<T[]>(q, params);
const at = (ms: number) => new Date(Date.now() + ms).toISOString();
const notificationsOf = (userId: string, eventId: string) =>
  sql<{ kind: string; key: string; created_at: Date; data: Record<string, unknown> }>(
    `select kind, key, created_at, data from notifications where user_id = ? and record_id = ? order by id`,
    [userId, eventId],
  );
const meeting = (over: Record<string, unknown> = {}) => ({
  kind: 'meeting',
  title: 'Demo for the buyer',
  startsAt: at(60 * 60_000),
  endsAt: at(2 * 60 * 60_000),
  timeZone: 'Europe/Moscow',
  ...over,
});

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const l = await f.user('lead', { name: 'Lena Lead' });
  leadId = l.id;
  const dept = await f.department('Sales East', l.id);
  const m = await f.user('manager', { name: 'Max Manager', departmentId: dept.id });
  managerId = m.id;
  const o = await f.user('manager', { name: 'Olga Other' });
  manager = await login(h, m.email);
  other = await login(h, o.email);
  lead = await login(h, l.email);
  const pipeline = await f.pipeline([
    ['Lead', 'open', [], []],
    ['Won', 'won', [], []],
  ]);
  const client = await f.client(m.id, 'Acme');
  clientId = client.id;
  const deal = await manager.post('/deals', {
    title: 'Acme rollout',
    clientId,
    pipelineId: pipeline.id,
  });
  expect(deal.status).toBe(201);
  dealId = deal.body.id;
});
afterAll(() => h?.close());

describe('calendar events', () => {
  it('refuses bad input with the field that is wrong, and changes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ endsAt: at(-60_000) }, 'endsAt'],
      [{ rrule: 'FREQ=SOMETIMES' }, 'rrule'],
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ reminders: [15, -30] }, 'reminders.1'],
      [{ title: '   ' }, 'title'],
    ];
    for (const [over, field] of cases) {
      const r = await manager.post('/calendar/events', meeting(over));
      expect(r.status, field).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(field);
    }
    const [{ n }] = await sql<{ n: string }>('select count(*) as n from calendar_events');
    expect(Number(n)).toBe(0);
  });

  it('reminds live before a meeting on a deal, asks for the result when it ends, tells the lead, and takes the result with a follow-up', async () => {
    await sql(`update calendar_settings set escalate_after_asks = 1`);
    const created = await manager.post(
      '/calendar/events',
      meeting({ dealId, clientId, startsAt: at(2500), endsAt: at(5000), reminders: [0] }),
    );
    expect(created.status).toBe(201);
    const ev = created.body;
    recorded['reminded-escalated-answered'] = ev.id;
    expect(ev).toMatchObject({ dealId, clientId, dealTitle: 'Acme rollout', ownerId: managerId, status: 'planned' });

    const notes = await until(
      () => notificationsOf(managerId, ev.id),
      (n) => n.some((x) => x.kind === 'result_due'),
    );
    expect(notes.map((n) => n.kind)).toEqual(['reminder', 'result_due']);
    const escalated = await until(
      () => notificationsOf(leadId, ev.id),
      (n) => n.length > 0,
    );
    expect(escalated.map((n) => n.kind)).toEqual(['result_escalated']);
    const counters = await lead.get('/calendar/counters');
    expect(counters.body.items.find((c: { userId: string }) => c.userId === managerId)).toMatchObject({
      resultsOverdue: 1,
    });

    const outcomes = (await manager.get('/calendar/outcomes')).body.items.filter(
      (o: { kind: string }) => o.kind === 'meeting',
    );
    const goesOn = outcomes.find((o: { closes: boolean }) => !o.closes);
    // an outcome that does not close the matter needs the next step
    const noNext = await manager.post(`/calendar/events/${ev.id}/result`, {
      outcomeId: goesOn.id,
      summary: 'Liked it',
    });
    expect(noNext.status).toBe(422);
    expect(noNext.body.code).toBe('RESULT_INVALID');
    const unknown = await manager.post(`/calendar/events/${ev.id}/result`, { outcomeId: randomUUID() });
    expect(unknown.status).toBe(422);
    // another manager does not see the event at all
    expect((await other.post(`/calendar/events/${ev.id}/result`, { outcomeId: goesOn.id })).status).toBe(404);
    expect((await other.get(`/calendar/events/${ev.id}`)).status).toBe(404);

    const followUp = meeting({
      kind: 'call',
      title: 'Call back about the price',
      startsAt: at(86_400_000),
      endsAt: at(86_400_000 + 900_000),
    });
    const result = await manager.post(`/calendar/events/${ev.id}/result`, {
      outcomeId: goesOn.id,
      summary: 'Liked the demo; wants a discount',
      next: followUp,
    });
    expect(result.status).toBe(201);
    expect(result.body.event.resultsDue).toEqual([]);
    expect(result.body.nextEvent).toMatchObject({ title: 'Call back about the price', dealId, clientId });

    const again = await manager.post(`/calendar/events/${ev.id}/result`, {
      outcomeId: outcomes.find((o: { closes: boolean }) => o.closes).id,
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('RESULT_NOT_DUE');

    const history = await manager.get(`/deals/${dealId}/history`);
    const reported = history.body.items.filter((e: { kind: string }) => e.kind === 'reported');
    expect(reported).toHaveLength(1);
    const reports = await manager.get(`/reports?dealId=${dealId}`);
    expect(reports.body.items).toMatchObject([
      { eventId: ev.id, summary: 'Liked the demo; wants a discount', nextEventId: result.body.nextEvent.id },
    ]);
    const [{ next }] = await sql<{ next: Date | null }>(
      `select min(next_start) as next from calendar_events where deal_id = ? and status = 'planned'`,
      [dealId],
    );
    expect(new Date(next!).toISOString()).toBe(result.body.nextEvent.startsAt);
    await sql(`update calendar_settings set escalate_after_asks = 3`);
  });

  it('a reminder due while the worker is down is delivered after it restarts, late only by the outage, once', async () => {
    const created = await manager.post(
      '/calendar/events',
      meeting({ startsAt: at(3000), endsAt: at(3_600_000), reminders: [0] }),
    );
    expect(created.status).toBe(201);
    const due = Date.parse(created.body.startsAt);
    await h.worker.stop();
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now()) + 2000));
    expect(await notificationsOf(managerId, created.body.id)).toEqual([]);
    const restarted = Date.now();
    await h.startAnotherWorker();
    const notes = await until(
      () => notificationsOf(managerId, created.body.id),
      (n) => n.length > 0,
    );
    expect(notes.map((n) => n.kind)).toEqual(['reminder']);
    expect(new Date(notes[0].created_at).getTime()).toBeGreaterThanOrEqual(restarted - 1000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await notificationsOf(managerId, created.body.id)).toHaveLength(1);
  });

  it('edits one occurrence of a series, cancels another, and splits it for this and the following ones', async () => {
    const start = Date.parse('2027-01-04T07:00:00Z'); // a Monday, 10:00 in Moscow
    const created = await manager.post(
      '/calendar/events',
      meeting({
        title: 'Weekly sync',
        startsAt: new Date(start).toISOString(),
        endsAt: new Date(start + 1_800_000).toISOString(),
        rrule: 'FREQ=WEEKLY;COUNT=6',
      }),
    );
    expect(created.status).toBe(201);
    const id = created.body.id;
    recorded['series-cancel-split'] = id;
    const week = 7 * 86_400_000;
    const occ = (i: number) => new Date(start + i * week).toISOString();
    const list = async () =>
      (
        await manager.get(
          `/calendar/occurrences?from=${encodeURIComponent(occ(0))}&to=${encodeURIComponent(new Date(start + 60 * 86_400_000).toISOString())}&owner=me`,
        )
      ).body.items.filter((o: { title: string }) => /sync/i.test(o.title));
    expect((await list()).map((o: { start: string }) => o.start)).toEqual([0, 1, 2, 3, 4, 5].map(occ));

    const cancelOne = await manager.post(`/calendar/events/${id}/cancel`, { occurrence: occ(1) });
    expect(cancelOne.status).toBe(200);
    const moved = await manager.patch(`/calendar/events/${id}`, {
      scope: 'this',
      occurrence: occ(2),
      changes: {
        startsAt: new Date(start + 2 * week + 3_600_000).toISOString(),
        endsAt: new Date(start + 2 * week + 5_400_000).toISOString(),
      },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ seriesId: id, rrule: null });
    const split = await manager.patch(`/calendar/events/${id}`, {
      scope: 'following',
      occurrence: occ(4),
      changes: { title: 'Weekly sync (new time)' },
    });
    expect(split.status).toBe(200);
    expect(split.body.rrule).toBe('FREQ=WEEKLY;COUNT=2');

    const items = await list();
    expect(
      items.map((o: { start: string; title: string; cancelled: boolean }) => [o.start, o.title, o.cancelled]),
    ).toEqual([
      [occ(0), 'Weekly sync', false],
      [occ(1), 'Weekly sync', true],
      [new Date(start + 2 * week + 3_600_000).toISOString(), 'Weekly sync', false],
      [occ(3), 'Weekly sync', false],
      [occ(4), 'Weekly sync (new time)', false],
      [occ(5), 'Weekly sync (new time)', false],
    ]);
    // a stale version is a conflict and changes nothing
    const stale = await manager.patch(`/calendar/events/${id}`, { version: 1, changes: { title: 'x' } });
    expect(stale.status).toBe(409);
  });

  it('replays the histories this run recorded with the current workflow code', async () => {
    const bundle = await workflowBundle(path.join(ROOT, '.data', 'cache'));
    const stamp = new Date().toISOString().slice(0, 10);
    for (const [name, id] of Object.entries(recorded)) {
      // every run of the event's workflow (a refused command after the run ended started a short new one)
      const runs: string[] = [];
      for await (const w of h.ctx.temporal.workflow.list({ query: `WorkflowId = '${eventWorkflowId(id)}'` })) {
        runs.push(w.runId);
      }
      expect(runs.length).toBeGreaterThan(0);
      const histories = await Promise.all(
        runs.map(async (runId) => {
          const history = await h.ctx.temporal.workflow.getHandle(eventWorkflowId(id), runId).fetchHistory();
          return JSON.parse(historyToJSON(history)) as { events: { eventType: string }[] };
        }),
      );
      for (const [i, json] of histories.entries()) {
        await Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON(json), `event-replay-${name}-${i}`);
      }
      // the richest run: the reminder and the asks are timers and activities in it
      const main = histories.reduce((a, b) => (b.events.length > a.events.length ? b : a));
      const types = main.events.map((e) => e.eventType);
      expect(types).toContain('EVENT_TYPE_TIMER_STARTED');
      if (name === 'reminded-escalated-answered') {
        expect(types).toContain('EVENT_TYPE_TIMER_FIRED');
        expect(types).toContain('EVENT_TYPE_MARKER_RECORDED');
      }
      if (process.env.RECORD_HISTORIES === '1') {
        const file = path.join(ROOT, 'test', 'fixtures', 'histories', `event-${name}-${stamp}.json`);
        fs.writeFileSync(file, JSON.stringify(main, null, 1));
      }
    }
  });
});
