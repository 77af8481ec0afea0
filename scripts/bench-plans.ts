/**
 * Revenue plan rows of the bench (`npm run bench`, or these alone with `npm run bench -- --plans`): the company
 * roll-up of a month over 100,000 plan lines of 10,000 clients, against the same aggregate as raw SQL in the same
 * run; and a lead approving 500 lines of a plan in one bulk decision (an Update with start: the plan's workflow
 * starts from its row). Seeded by SQL.
 */
import pg from 'pg';
import { fixtures, login, type Harness } from '../test/support/harness.ts';

const LINES = Number(process.env.BENCH_PLAN_LINES ?? 100_000);
const CLIENTS = Number(process.env.BENCH_PLAN_CLIENTS ?? 10_000);
const MANAGERS = 100;
const GROUPS = 10;
const BULK = 500;

type Measure = (n: number, fn: (i: number) => Promise<unknown>) => Promise<number[]>;
type Expect = (p: Promise<{ status: number; body: unknown }>, status: number) => Promise<unknown>;

export async function benchPlans(h: Harness, iterations: number, measure: Measure, expectStatus: Expect) {
  const f = fixtures(h);
  const admin = await f.user('admin');
  const db = new pg.Client({ connectionString: h.databaseUrl });
  await db.connect();
  try {
    await db.query(`insert into company_currency (id, currency, version) values (true, 'RUB', 1)
                    on conflict (id) do nothing`);
    await db.query(`update plan_settings set confirmation = true`);
    const groups: string[] = [];
    for (let g = 0; g < GROUPS; g++) {
      const lead = await f.user('lead');
      groups.push((await f.department(`Plan group ${g}`, lead.id)).id);
    }
    const hash = (await db.query<{ h: string }>('select password_hash as h from users where id = $1', [admin.id]))
      .rows[0].h;
    const t0 = performance.now();
    await db.query(
      `insert into users (id, email, name, password_hash, role, department_id)
       select gen_random_uuid(), 'pm' || g || '@bench.test', 'Plan manager ' || g, $1, 'manager', ($2::uuid[])[1 + g % $3::int]
         from generate_series(0, $4::int - 1) g`,
      [hash, `{${groups.join(',')}}`, GROUPS, MANAGERS],
    );
    await db.query(
      `insert into clients (id, name, owner_id)
       select gen_random_uuid(), 'Plan client ' || g, m.id
         from generate_series(0, $1::int - 1) g
         join (select id, (row_number() over (order by id) - 1)::int as n from users where email like 'pm%@bench.test') m
           on m.n = g % $2::int`,
      [CLIENTS, MANAGERS],
    );
    await db.query(
      `insert into plans (id, manager_id, period, period_kind, period_start, period_end, status)
       select gen_random_uuid(), id, '2026-12', 'month', '2026-12-01', '2027-01-01',
              case when n % 4 = 0 then 'submitted' else 'final' end
         from (select id, row_number() over (order by id) as n from users where email like 'pm%@bench.test') u`,
    );
    await db.query(
      `insert into plan_lines (id, plan_id, position, client_id, amount, currency, amount_base, expected_on, status)
       select gen_random_uuid(), p.id, g, cc.ids[1 + g % cardinality(cc.ids)], 1000 + g, 'RUB', 1000 + g,
              date '2026-12-01' + (g % 31), (array['open','approved','doubtful'])[1 + g % 3]
         from plans p
         cross join lateral (select array_agg(id) as ids from clients where owner_id = p.manager_id) cc
         cross join generate_series(0, $1::int / $2::int - 1) g
        where p.period = '2026-12'`,
      [LINES, MANAGERS],
    );
    await db.query(
      `insert into payments (id, client_id, manager_id, paid_on, amount, currency, amount_base)
       select gen_random_uuid(), c.id, c.owner_id, date '2026-12-01' + (n % 31)::int, 500, 'RUB', 500
         from (select id, owner_id, row_number() over (order by id) as n from clients where name like 'Plan client %') c`,
    );
    // plans of one manager with 500 open lines each, submitted, for the bulk decisions (five more for the warm-up)
    const lead = await f.user('lead');
    const dept = await f.department('Bulk group', lead.id);
    const manager = await f.user('manager', { departmentId: dept.id });
    const client = await f.client(manager.id);
    const bulkPlans = iterations + 5;
    await db.query(
      `insert into plans (id, manager_id, period, period_kind, period_start, period_end, status)
       select gen_random_uuid(), $1, to_char(d, 'YYYY-MM-DD'), 'day', d::date, d::date + 1, 'submitted'
         from generate_series(date '2027-01-01', date '2027-01-01' + ($2::int - 1), interval '1 day') d`,
      [manager.id, bulkPlans],
    );
    await db.query(
      `insert into plan_lines (id, plan_id, position, client_id, amount, currency, amount_base, expected_on)
       select gen_random_uuid(), p.id, g, $2, 100, 'RUB', 100, p.period_start
         from plans p cross join generate_series(0, $3::int - 1) g where p.manager_id = $1`,
      [manager.id, client.id, BULK],
    );
    await db.query('analyze');
    console.log(`plans seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const plans = (
      await db.query<{ period: string; ids: string[] }>(
        `select p.period, array_agg(l.id) as ids from plans p join plan_lines l on l.plan_id = p.id
          where p.manager_id = $1 group by p.period order by p.period`,
        [manager.id],
      )
    ).rows;

    const asAdmin = await login(h, admin.email);
    const asLead = await login(h, lead.email);
    const rawSql = `select u.department_id, count(*), sum(l.amount_base),
        sum(l.amount_base) filter (where l.status = 'approved'), sum(l.amount_base) filter (where l.status = 'doubtful'),
        sum(l.amount_base) filter (where l.status = 'open')
      from plans p join plan_lines l on l.plan_id = p.id join users u on u.id = p.manager_id
      where p.period_kind = 'month' and p.period_start >= '2026-12-01' and p.period_start < '2027-01-01'
        and p.status <> 'draft'
      group by 1`;
    const keptSql = `select u.department_id, sum(p.line_count), sum(p.total_base), sum(p.approved_base),
        sum(p.doubtful_base), sum(p.open_base)
      from plans p join users u on u.id = p.manager_id
      where p.period_kind = 'month' and p.period_start >= '2026-12-01' and p.period_start < '2027-01-01'
        and p.status <> 'draft'
      group by 1`;
    const rows: [string, number[]][] = [];
    const health = await measure(iterations, () => expectStatus(asAdmin.get('/health'), 200));
    rows.push(['GET /health (baseline)', health]);
    const sqlRow = await measure(iterations, () => db.query(rawSql));
    rows.push([`raw SQL aggregate by group (${LINES} lines)`, sqlRow]);
    rows.push([`raw SQL by group over the kept totals`, await measure(iterations, () => db.query(keptSql))]);
    const totals = await measure(iterations, () =>
      expectStatus(asAdmin.get('/plan-totals?period=2026-12&by=group'), 200),
    );
    rows.push([`GET /plan-totals company month`, totals]);
    const bulk = await measure(iterations, (i) => {
      const p = plans[i < 0 ? -1 - i : 5 + i];
      return expectStatus(
        asLead.post(`/plans/${manager.id}/${p.period}/decisions`, {
          decisions: p.ids.map((lineId) => ({ lineId, decision: 'approved' })),
        }),
        200,
      );
    });
    rows.push([`POST decisions, ${BULK} lines in bulk`, bulk]);

    const pct = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length - 1) * q))];
    const base = pct(health, 0.5);
    const sqlBase = pct(sqlRow, 0.5);
    const line = (cols: string[]) =>
      `| ${cols[0].padEnd(42)} | ${cols
        .slice(1)
        .map((c) => c.padStart(9))
        .join(' | ')} |`;
    console.log(
      `\nRevenue plans: ${iterations} iterations each; ratios against /health and against the raw SQL aggregate\n`,
    );
    console.log(line(['operation', 'median ms', 'p95 ms', 'ratio', 'vs SQL']));
    console.log(line(['-'.repeat(42), '-'.repeat(9), '-'.repeat(9), '-'.repeat(9), '-'.repeat(9)]));
    for (const [name, xs] of rows) {
      const m = pct(xs, 0.5);
      console.log(
        line([
          name,
          m.toFixed(2),
          pct(xs, 0.95).toFixed(2),
          `${(m / base).toFixed(1)}×`,
          `${(m / sqlBase).toFixed(1)}×`,
        ]),
      );
    }
  } finally {
    await db.end();
  }
}
