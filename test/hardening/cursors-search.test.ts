/**
 * Page cursors are read one way (decodeCursor with the tuple a route issues): anything else is 400 BAD_CURSOR, never a
 * 500 from a value of the wrong type reaching a query. Searches take LIKE's wildcards literally on every list.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';

let h: Harness;
let f: ReturnType<typeof fixtures>;
let manager: Session;
let managerId: string;
let pipeline: { id: string; stages: { id: string; name: string }[] };
let clientId: string;

const cursorOf = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

beforeAll(async () => {
  h = await startHarness();
  f = fixtures(h);
  pipeline = await f.pipeline([
    ['New', 'open', [], []],
    ['Won', 'won', [], []],
  ]);
  const m = await f.user('manager', { name: 'Mia Manager' });
  managerId = m.id;
  clientId = (await f.client(m.id, 'Search Client')).id;
  manager = await login(h, m.email);
  for (const title of ['100% sure', '100 percent', 'a_b deal', 'axb deal', 'back\\slash']) {
    const r = await manager.post('/deals', { title, clientId, pipelineId: pipeline.id });
    expect(r.status).toBe(201);
  }
});
afterAll(() => h?.close());

describe('deal list cursors', () => {
  it('refuse values of the wrong type with 400 BAD_CURSOR', async () => {
    const bad = [
      ['x', 'y'],
      [1, 2],
      [{}, null],
      [null, null],
      ['2026-01-01T00:00:00.000Z', 'not-a-uuid'],
      ['yesterday', randomUUID()],
      ['2026-01-01T00:00:00.000Z'],
      ['2026-01-01T00:00:00.000Z', randomUUID(), 3],
      { 0: 'x', 1: 'y' },
      'x',
    ];
    for (const v of bad) {
      const r = await manager.get(`/deals?cursor=${cursorOf(v)}`);
      expect(r.status, JSON.stringify(v)).toBe(400);
      expect(r.body.code).toBe('BAD_CURSOR');
    }
    for (const raw of ['!!!', 'e30', Buffer.from('[1,').toString('base64url')]) {
      expect((await manager.get(`/deals?cursor=${raw}`)).body.code).toBe('BAD_CURSOR');
    }
  });

  it('still page through the list, and the board hands out cursors GET /deals accepts', async () => {
    const first = await manager.get(`/deals?pipelineId=${pipeline.id}&limit=2`);
    expect(first.status).toBe(200);
    const seen = first.body.items.map((d: { id: string }) => d.id);
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await manager.get(`/deals?pipelineId=${pipeline.id}&limit=2&cursor=${cursor}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((d: { id: string }) => d.id));
      cursor = page.body.nextCursor;
    }
    expect(new Set(seen).size).toBe(5);
    const board = await manager.get(`/deals/board?pipelineId=${pipeline.id}&perStage=2`);
    const column = board.body.stages[0];
    expect(column.nextCursor).toBeTruthy();
    const more = await manager.get(`/deals?stageId=${column.stageId}&limit=10&cursor=${column.nextCursor}`);
    expect(more.status).toBe(200);
    expect(more.body.items).toHaveLength(3);
  });
});

describe('user and client cursors', () => {
  it('use the same decoding: wrong types and text Postgres cannot store are BAD_CURSOR', async () => {
    for (const path of ['/users', '/clients']) {
      for (const v of [
        [1, randomUUID()],
        ['a', 'b'],
        ['a\u0000b', randomUUID()],
        ['x\ud800', randomUUID()],
        ['a', randomUUID(), 1],
      ]) {
        const r = await manager.get(`${path}?cursor=${cursorOf(v)}`);
        expect(r.status, `${path} ${JSON.stringify(v)}`).toBe(400);
        expect(r.body.code).toBe('BAD_CURSOR');
      }
    }
  });

  it('page through long names in any script (a cursor is longer than 500 characters then)', async () => {
    const long = (i: number) => `${'Ж'.repeat(150)}${'中'.repeat(149)}${i}`;
    for (let i = 0; i < 3; i++) await f.client(managerId, long(i));
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/clients?q=${encodeURIComponent('ЖЖЖ')}&limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await manager.get(url);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      names.push(...page.body.items.map((c: { name: string }) => c.name));
      cursor = page.body.nextCursor;
      if (cursor) expect(cursor.length).toBeGreaterThan(500);
    } while (cursor);
    expect(names).toEqual([long(0), long(1), long(2)]);
  });
});

describe('search takes LIKE wildcards literally', () => {
  it('in deal titles, on the list and on the board', async () => {
    const titles = async (q: string) =>
      (await manager.get(`/deals?pipelineId=${pipeline.id}&q=${encodeURIComponent(q)}`)).body.items
        .map((d: { title: string }) => d.title)
        .sort();
    expect(await titles('%')).toEqual(['100% sure']);
    expect(await titles('_')).toEqual(['a_b deal']);
    expect(await titles('\\')).toEqual(['back\\slash']);
    expect(await titles('a_b')).toEqual(['a_b deal']);
    const board = await manager.get(`/deals/board?pipelineId=${pipeline.id}&q=${encodeURIComponent('_')}`);
    expect(board.body.stages[0].count).toBe(1);
    expect(board.body.stages[0].deals.map((d: { title: string }) => d.title)).toEqual(['a_b deal']);
  });

  it('in user and client names', async () => {
    await f.user('member', { name: 'Under_score' });
    await f.user('member', { name: 'Underxscore' });
    const users = await manager.get(`/users?q=${encodeURIComponent('r_s')}`);
    expect(users.body.items.map((u: { name: string }) => u.name)).toEqual(['Under_score']);
    await f.client(managerId, '50% Off Ltd');
    await f.client(managerId, '50 Off Ltd');
    const clients = await manager.get(`/clients?q=${encodeURIComponent('0%')}`);
    expect(clients.body.items.map((c: { name: string }) => c.name)).toEqual(['50% Off Ltd']);
  });
});
