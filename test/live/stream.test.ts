import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { createApp } from '../../api/app.ts';
import { closeAppContext, createAppContext } from '../../server/app-context.ts';
import type { AppContext } from '../../server/context.ts';
import { LiveFeed } from '../../modules/timeline/live.ts';
import { recordEvent } from '../../modules/timeline/write.ts';
import { openStream } from './sse.ts';

let h: Harness;
let owner: Session; // a manager who owns the records
let lead: Session; // leads the owner's department: sees them
let stranger: Session; // another manager: does not
let ownerId: string;
let pipelineId: string;
/** a second API process on the same database */
let ctx2: AppContext;
let server2: Server;
let baseUrl2: string;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const leadUser = await f.user('lead');
  const dept = await f.department('Sales East', leadUser.id);
  const ownerUser = await f.user('manager', { departmentId: dept.id });
  const strangerUser = await f.user('manager');
  ownerId = ownerUser.id;
  [owner, lead, stranger] = await Promise.all([
    login(h, ownerUser.email),
    login(h, leadUser.email),
    login(h, strangerUser.email),
  ]);
  pipelineId = (
    await f.pipeline([
      ['New', 'open', [], []],
      ['Next', 'open', [], []],
    ])
  ).id;
  ctx2 = await createAppContext(h.ctx.config, {
    databaseUrl: h.databaseUrl,
    temporalAddress: h.ctx.config.TEMPORAL_ADDRESS!,
  });
  await ctx2.live.close();
  ctx2.live = new LiveFeed(h.databaseUrl, ctx2.orm, { heartbeatMs: 200 });
  server2 = await new Promise((resolve) => {
    const s = createApp(ctx2).listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl2 = `http://127.0.0.1:${(server2.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (server2) {
    server2.closeAllConnections();
    await new Promise((r) => server2.close(r));
  }
  if (ctx2) await closeAppContext(ctx2);
  await h?.close();
});

describe('GET /stream', () => {
  it("brings a change by one user to a second user's stream and not to a third who cannot see the record", async () => {
    const [leadStream, strangerStream] = await Promise.all([openStream(lead), openStream(stranger)]);
    expect(leadStream.status).toBe(200);
    expect(leadStream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const client = (await owner.post('/clients', { name: 'Live Ltd' })).body;
    const created = await leadStream.next((m) => m.data?.recordId === client.id);
    expect(created.event).toBe('record');
    expect(created.id).toBe(created.data.id);
    expect(created.data).toEqual({
      id: created.id,
      recordType: 'client',
      recordId: client.id,
      kind: 'created',
      actorId: ownerId,
      at: expect.any(String),
    });
    expect(new Date(created.data.at).toISOString()).toBe(created.data.at);

    await owner.patch(`/clients/${client.id}`, { version: 1, phone: '+7 495 111' });
    const contact = (await owner.post(`/clients/${client.id}/contacts`, { name: 'Vera' })).body;
    const deal = (await owner.post('/deals', { title: 'Live deal', clientId: client.id, pipelineId })).body;
    await leadStream.next((m) => m.data?.recordId === client.id && m.data.kind === 'updated');
    const contactEvent = await leadStream.next((m) => m.data?.recordId === contact.id);
    expect(contactEvent.data).toMatchObject({ recordType: 'contact', kind: 'created', clientId: client.id });
    const dealEvent = await leadStream.next((m) => m.data?.recordId === deal.id);
    expect(dealEvent.data).toMatchObject({ recordType: 'deal', kind: 'created', actorId: ownerId });

    // the stranger's stream is alive (their own client arrives) but carried none of the owner's events
    const own = (await stranger.post('/clients', { name: 'Stranger Co' })).body;
    await strangerStream.next((m) => m.data?.recordId === own.id);
    expect(strangerStream.messages.filter((m) => m.event === 'record').map((m) => m.data.recordId)).toEqual([own.id]);
    leadStream.close();
    strangerStream.close();
  });

  it('resumes after Last-Event-ID with what was missed, in order', async () => {
    const first = await openStream(lead);
    const client = (await owner.post('/clients', { name: 'Resume Ltd' })).body;
    const seen = await first.next((m) => m.data?.recordId === client.id);
    first.close();
    await owner.patch(`/clients/${client.id}`, { version: 1, notes: 'while away' });
    await owner.patch(`/clients/${client.id}`, { version: 2, notes: 'still away' });
    const again = await openStream(lead, seen.id!);
    await again.next(
      (m) =>
        m.data?.kind === 'updated' &&
        m.data.recordId === client.id &&
        again.messages.filter((x) => x.data?.recordId === client.id).length === 2,
    );
    const missed = again.messages.filter((m) => m.data?.recordId === client.id);
    expect(missed.map((m) => m.data.kind)).toEqual(['updated', 'updated']);
    expect(BigInt(missed[0].id!)).toBeGreaterThan(BigInt(seen.id!));
    expect(BigInt(missed[1].id!)).toBeGreaterThan(BigInt(missed[0].id!));
    again.close();
  });

  it('resumes after the lastEventId of the query, as a tab taking the stream over asks', async () => {
    const first = await openStream(lead);
    const client = (await owner.post('/clients', { name: 'Takeover Ltd' })).body;
    const seen = await first.next((m) => m.data?.recordId === client.id);
    first.close();
    await owner.patch(`/clients/${client.id}`, { version: 1, notes: 'between leaders' });
    const next = await openStream(lead, seen.id!, undefined, true);
    const missed = await next.next((m) => m.data?.recordId === client.id);
    expect(missed.data).toMatchObject({ kind: 'updated' });
    expect(BigInt(missed.id!)).toBeGreaterThan(BigInt(seen.id!));
    next.close();
  });

  it('does not lose an event whose id committed after a higher one the browser had seen', async () => {
    const client = (await owner.post('/clients', { name: 'Out of order' })).body;
    const stream = await openStream(lead);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let earlyId = '';
    let written!: () => void;
    const isWritten = new Promise<void>((r) => {
      written = r;
    });
    // a slow transaction takes the lower id first and commits last
    const slow = h.ctx.orm.em.fork().transactional(async (em) => {
      earlyId = await recordEvent(em, {
        recordType: 'client',
        recordId: client.id,
        kind: 'updated',
        actorId: null,
        data: { changes: {} },
      });
      written();
      await held;
    });
    await isWritten;
    await owner.patch(`/clients/${client.id}`, { version: 1, notes: 'fast' });
    // the create's own event may still be on its way: the edit is the first 'updated' event of the client
    const fast = await stream.next((m) => m.data?.recordId === client.id && m.data?.kind === 'updated');
    expect(BigInt(fast.id!)).toBeGreaterThan(BigInt(earlyId));
    stream.close();
    release();
    await slow;
    const resumed = await openStream(lead, fast.id!);
    const late = await resumed.next((m) => m.id === earlyId);
    expect(late.data).toMatchObject({ recordId: client.id, kind: 'updated' });
    resumed.close();
  });

  it('delivers from two API processes on one database, with heartbeats', async () => {
    const onFirst = await openStream(lead);
    const onSecond = await openStream(lead, undefined, baseUrl2);
    expect(onSecond.status).toBe(200);
    const client = (await owner.post('/clients', { name: 'Two processes' })).body;
    await Promise.all([
      onFirst.next((m) => m.data?.recordId === client.id),
      onSecond.next((m) => m.data?.recordId === client.id),
    ]);
    // and a change made through the second process reaches a stream on the first
    const viaSecond = await fetch(`${baseUrl2}/api/v1/clients/${client.id}`, {
      method: 'PATCH',
      headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, notes: 'from process two' }),
    });
    expect(viaSecond.status).toBe(200);
    await onFirst.next((m) => m.data?.recordId === client.id && m.data.kind === 'updated');
    await new Promise((r) => setTimeout(r, 500));
    expect(onSecond.comments).toContain(': heartbeat');
    onFirst.close();
    onSecond.close();
  });

  it('caps the streams one user holds open in a process', async () => {
    const streams = await Promise.all(Array.from({ length: 5 }, () => openStream(stranger)));
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await openStream(stranger);
    expect(sixth.status).toBe(429);
    expect(sixth.body.code).toBe('TOO_MANY_STREAMS');
    for (const s of streams) s.close();
    await expect
      .poll(
        async () => {
          const s = await openStream(stranger);
          s.close();
          return s.status;
        },
        { timeout: 5000 },
      )
      .toBe(200);
  });

  it('needs a login', async () => {
    const r = await fetch(`${h.baseUrl}/api/v1/stream`);
    expect(r.status).toBe(401);
  });
});
