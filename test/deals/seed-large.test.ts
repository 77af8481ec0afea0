/**
 * The large-company generator (npm run seed:large) at a small size: the data it writes is coherent as users see it
 * through the API — every deal visible to its owner, stages in their pipeline, board counts and totals equal to the
 * deals — and the reads served from it agree with plain SQL.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, login, type Harness, type Session } from '../support/harness.ts';
import { SEED_PASSWORD, seedLarge, type SeedResult } from '../../scripts/seed/large.ts';

let h: Harness;
let db: pg.Client;
let seed: SeedResult;
let admin: Session;
let lead: Session;
let manager: Session;

const rows = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
  (await db.query<T>(sql, params)).rows;

beforeAll(async () => {
  h = await startHarness();
  seed = await seedLarge(h.databaseUrl, { users: 60, clients: 150, deals: 2000, contactsPerClient: 2 }, { seed: 7 });
  db = new pg.Client({ connectionString: h.databaseUrl });
  await db.connect();
  [admin, lead, manager] = await Promise.all(
    [seed.admin, seed.lead, seed.manager].map((e) => login(h, e, SEED_PASSWORD)),
  );
}, 120_000);
afterAll(async () => {
  await db?.end();
  await h?.close();
});

async function allPages(s: Session, query: string) {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const r = await s.get(`/deals?${query}&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    expect(r.status).toBe(200);
    ids.push(...r.body.items.map((d: { id: string }) => d.id));
    cursor = r.body.nextCursor;
  } while (cursor);
  return ids;
}

describe('the generated company', () => {
  it('has the sizes asked for, with leads over groups and every stage in its pipeline', async () => {
    const [counts] = await rows<{
      deals: string;
      clients: string;
      users: string;
      bad: string;
      events: string;
      leads: string;
    }>(`
      select (select count(*) from deals) as deals, (select count(*) from clients) as clients,
        (select count(*) from users) as users, (select count(*) from record_events) as events,
        (select count(*) from departments where lead_id is not null) as leads,
        (select count(*) from deals d join stages s on s.id = d.stage_id where s.pipeline_id <> d.pipeline_id) as bad`);
    expect(Number(counts.deals)).toBe(2000);
    expect(Number(counts.clients)).toBe(150);
    expect(Number(counts.users)).toBe(60);
    expect(Number(counts.events)).toBeGreaterThanOrEqual(2000);
    expect(Number(counts.leads)).toBeGreaterThan(0);
    expect(Number(counts.bad)).toBe(0);
  });

  it('shows every deal to its owner, and a manager exactly their own', async () => {
    const [me] = await rows<{ id: string }>('select id from users where email = $1', [seed.manager]);
    const own = (await rows<{ id: string }>('select id from deals where owner_id = $1', [me.id])).map((r) => r.id);
    expect(own.length).toBeGreaterThan(0);
    expect((await allPages(manager, 'owner=me')).sort()).toEqual([...own].sort());
    expect((await allPages(manager, '')).sort()).toEqual([...own].sort());
    const one = await manager.get(`/deals/${own[0]}`);
    expect(one.status).toBe(200);
    expect(one.body.history.length).toBeGreaterThan(0);
  });

  it('shows a lead the deals of their group, and the board counts and totals equal the deals', async () => {
    const [me] = await rows<{ id: string }>('select id from users where email = $1', [seed.lead]);
    const group = (
      await rows<{ id: string }>(
        `select u.id from users u join departments d on d.id = u.department_id
      where d.lead_id = $1 union select $1::uuid`,
        [me.id],
      )
    ).map((r) => r.id);
    const visible = (await rows<{ id: string }>('select id from deals where owner_id = any($1::uuid[])', [group])).map(
      (r) => r.id,
    );
    expect((await allPages(lead, 'owner=group')).sort()).toEqual([...visible].sort());

    for (const [who, s, owners] of [
      ['admin', admin, null],
      ['lead', lead, group],
    ] as const) {
      for (const p of seed.pipelines) {
        const board = await s.get(`/deals/board?pipelineId=${p.id}&perStage=5`);
        expect(board.status, who).toBe(200);
        const expected = await rows<{ stage_id: string; currency: string | null; n: string; total: string }>(
          `
          select stage_id, currency, count(*) as n, coalesce(sum(amount), 0)::text as total from deals
          where pipeline_id = $1 and ($2::uuid[] is null or owner_id = any($2::uuid[])) group by 1, 2`,
          [p.id, owners],
        );
        for (const column of board.body.stages) {
          const mine = expected.filter((r) => r.stage_id === column.stageId);
          expect(column.count, `${who} ${column.stageId}`).toBe(mine.reduce((a, r) => a + Number(r.n), 0));
          expect(
            column.totals.sort((a: { currency: string }, b: { currency: string }) =>
              a.currency.localeCompare(b.currency),
            ),
          ).toEqual(
            mine
              .filter((r) => r.currency)
              .map((r) => ({ currency: r.currency!, amount: r.total }))
              .sort((a, b) => a.currency.localeCompare(b.currency)),
          );
          expect(column.deals.length).toBe(Math.min(5, column.count));
        }
      }
    }
  });
});
