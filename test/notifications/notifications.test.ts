/**
 * The notification centre over HTTP: a user's own notifications newest first in keyset pages, the unread ones and
 * their count, one or all marked read, another user's notification not there at all; and each new notification
 * pushed live on GET /stream to its addressee's streams only, as `event: notification`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notify, type NewNotification } from '../../modules/notifications/write.ts';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { openStream } from '../live/sse.ts';

let h: Harness;
let alice: Session;
let bob: Session;
let aliceId: string;
let bobId: string;
let ownerName: string;

const reminder = (userId: string, title: string, over: Partial<NewNotification> = {}): NewNotification => {
  const eventId = randomUUID();
  return {
    userId,
    kind: 'reminder',
    recordType: 'event',
    recordId: eventId,
    data: { title, kind: 'call', occurrence: '2026-12-01T09:00:00.000Z', minutesBefore: 15 },
    key: `test:${eventId}:${userId}`,
    ...over,
  };
};
const add = (items: NewNotification[]) => h.ctx.orm.em.fork().transactional((em) => notify(em, items));

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const a = await f.user('manager', { name: 'Alice Manager' });
  const b = await f.user('manager', { name: 'Bob Manager' });
  aliceId = a.id;
  bobId = b.id;
  ownerName = b.name;
  [alice, bob] = await Promise.all([login(h, a.email), login(h, b.email)]);
});
afterAll(async () => {
  await h?.close();
});

describe('notifications', () => {
  it('lists my notifications newest first in pages, counts and filters the unread, and marks them read', async () => {
    const ids = await add(
      Array.from({ length: 5 }, (_, i) => reminder(aliceId, `Call ${i + 1}`)).concat(reminder(bobId, 'Not yours')),
    );
    expect(ids).toHaveLength(6);
    // the same key is delivered once
    expect(
      await add([
        { ...reminder(aliceId, 'Again'), key: `test:${'x'}` },
        { ...reminder(aliceId, 'Twice'), key: `test:${'x'}` },
      ]),
    ).toHaveLength(1);

    const first = await alice.get('/notifications?limit=4');
    expect(first.status).toBe(200);
    expect(first.body.items.map((n: { data: { title: string } }) => n.data.title)).toEqual([
      'Again',
      'Call 5',
      'Call 4',
      'Call 3',
    ]);
    expect(first.body.items[1]).toEqual({
      id: ids[4],
      kind: 'reminder',
      recordType: 'event',
      recordId: expect.any(String),
      data: { title: 'Call 5', kind: 'call', occurrence: '2026-12-01T09:00:00.000Z', minutesBefore: 15 },
      ownerName: null,
      createdAt: expect.any(String),
      readAt: null,
    });
    const second = await alice.get(`/notifications?limit=4&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((n: { data: { title: string } }) => n.data.title)).toEqual(['Call 2', 'Call 1']);
    expect(second.body.nextCursor).toBeNull();
    expect((await alice.get('/notifications/unread-count')).body).toEqual({ count: 6 });

    const read = await alice.post(`/notifications/${ids[0]}/read`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: ids[0], readAt: expect.any(String) });
    // reading it again changes nothing
    expect((await alice.post(`/notifications/${ids[0]}/read`)).body.readAt).toBe(read.body.readAt);
    expect((await alice.get('/notifications/unread-count')).body).toEqual({ count: 5 });
    const unread = await alice.get('/notifications?unread=true');
    expect(unread.body.items.map((n: { data: { title: string } }) => n.data.title)).not.toContain('Call 1');
    expect(unread.body.items).toHaveLength(5);

    // all up to the newest I saw: one arriving afterwards stays unread
    const [later] = await add([reminder(aliceId, 'Later')]);
    const all = await alice.post('/notifications/read-all', { throughId: unread.body.items[0].id });
    expect(all.body).toEqual({ marked: 5 });
    expect((await alice.get('/notifications/unread-count')).body).toEqual({ count: 1 });
    expect((await alice.get('/notifications?unread=true')).body.items.map((n: { id: string }) => n.id)).toEqual([
      later,
    ]);
    expect((await alice.post('/notifications/read-all')).body).toEqual({ marked: 1 });
    expect((await alice.get('/notifications/unread-count')).body).toEqual({ count: 0 });
    // Bob's is untouched
    expect((await bob.get('/notifications/unread-count')).body).toEqual({ count: 1 });
  });

  it("answers 404 for another user's notification and changes nothing", async () => {
    const [bobs] = await add([reminder(bobId, 'Private')]);
    const r = await alice.post(`/notifications/${bobs}/read`);
    expect(r.status).toBe(404);
    expect((await alice.post('/notifications/999999999/read')).status).toBe(404);
    expect((await alice.post('/notifications/abc/read')).status).toBe(400);
    expect((await alice.get('/notifications?cursor=bogus')).status).toBe(400);
    const mine = await bob.get('/notifications?unread=true');
    expect(mine.body.items.map((n: { id: string }) => n.id)).toContain(bobs);
    expect((await alice.get('/notifications')).body.items.map((n: { id: string }) => n.id)).not.toContain(bobs);
  });

  it('names the manager whose result is overdue', async () => {
    const eventId = randomUUID();
    await add([
      {
        userId: aliceId,
        kind: 'result_escalated',
        recordType: 'event',
        recordId: eventId,
        data: { title: 'Demo', kind: 'meeting', occurrence: '2026-12-01T09:00:00.000Z', ownerId: bobId },
        key: `escalate:${eventId}`,
      },
    ]);
    const [n] = (await alice.get('/notifications?limit=1')).body.items;
    expect(n).toMatchObject({ kind: 'result_escalated', recordId: eventId, ownerName, data: { ownerId: bobId } });
  });

  it('pushes a new notification live to its addressee only, as the list shows it', async () => {
    const [aliceStream, bobStream] = await Promise.all([openStream(alice), openStream(bob)]);
    expect(aliceStream.status).toBe(200);
    const [forAlice] = await add([reminder(aliceId, 'Live for Alice')]);
    const [forBob] = await add([reminder(bobId, 'Live for Bob')]);
    const got = await aliceStream.next((m) => m.event === 'notification');
    // no id line: Last-Event-ID stays the resume point of record events
    expect(got.id).toBeNull();
    const [listed] = (await alice.get('/notifications?limit=1')).body.items;
    expect(got.data).toEqual(listed);
    expect(got.data).toMatchObject({ id: forAlice, kind: 'reminder', data: { title: 'Live for Alice' } });
    const bobs = await bobStream.next((m) => m.event === 'notification');
    expect(bobs.data.id).toBe(forBob);
    // each stream carried its own user's notification and nothing else
    expect(aliceStream.messages.filter((m) => m.event === 'notification').map((m) => m.data.id)).toEqual([forAlice]);
    expect(bobStream.messages.filter((m) => m.event === 'notification').map((m) => m.data.id)).toEqual([forBob]);
    aliceStream.close();
    bobStream.close();
  });

  it("tells the streams to reread the count when the server's LISTEN connection was lost, and delivers again after", async () => {
    const stream = await openStream(alice);
    const [before] = await add([reminder(aliceId, 'Before the cut')]);
    await stream.next((m) => m.event === 'notification' && m.data.id === before);
    const [cut] = await h.ctx.orm.em
      .fork()
      .getConnection()
      .execute<{ n: number }[]>(
        `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
          where datname = current_database() and query like 'listen %notifications%'`,
      );
    expect(cut.n).toBe(1);
    await stream.next((m) => m.event === 'notification-sync', 15_000);
    const [after] = await add([reminder(aliceId, 'After the cut')]);
    const got = await stream.next((m) => m.event === 'notification' && m.data.id === after);
    expect(got.data.data.title).toBe('After the cut');
    stream.close();
  });

  it('needs a login', async () => {
    expect((await fetch(`${h.baseUrl}/api/v1/notifications`)).status).toBe(401);
    expect((await fetch(`${h.baseUrl}/api/v1/notifications/unread-count`)).status).toBe(401);
  });
});
