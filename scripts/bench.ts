/**
 * `npm run bench`: how the main operations cost relative to a baseline measured in the same run
 * (GET /api/v1/health, the HTTP floor), on real Postgres and a real Temporal dev server.
 * The machine is shared and noisy: read the ratios, not the milliseconds.
 *
 * `npm run bench -- --reads 1000000 [--db URL]`: the reads at company scale instead (scripts/bench-reads.ts).
 * `npm run bench -- --only feed,login`: the baseline and only these groups of rows (deals, login, feed, write).
 * `npm run bench -- --reminders [10000]`: calendar reminders due within one minute (scripts/bench-reminders.ts).
 * `npm run bench -- --feed-fanout [1000]`: a post reaching N connected streams (scripts/bench-feed.ts).
 * `npm run bench -- --plans`: the revenue plan rows alone (scripts/bench-plans.ts).
 * `npm run bench -- --regulations`: regulation instances started at 100/s, tasks to the next (scripts/bench-regulations.ts).
 * `npm run bench -- --documents [100000]`: full-text search over the document catalog (scripts/bench-documents.ts).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { fixtures, login, Session, type Harness } from '../test/support/harness.ts';
import { logger } from '../server/logger.ts';
import { benchPlans } from './bench-plans.ts';
import { benchRegulations } from './bench-regulations.ts';
import { benchServices } from './bench-services.ts';

process.env.DEALFLOW_WORKER_LOG_LEVEL ??= 'ERROR';
// request lines would bury the tables: the bench logs warnings only unless told otherwise
logger.level = process.env.DEALFLOW_LOG_LEVEL ?? 'warn';
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 60);
const BOARD_DEALS = Number(process.env.BENCH_DEALS ?? 5000);
const FEED_EVENTS = Number(process.env.BENCH_FEED_EVENTS ?? 2000);
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]?.split(',') : null;
/** whether a group of rows runs (all of them without --only) */
const want = (group: 'deals' | 'login' | 'feed' | 'write') => !ONLY || ONLY.includes(group);

async function measure(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(5, n); i++) await fn(-1 - i); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];

/** `total` operations by `c` concurrent callers, caller k always on its own record k; rate and latencies. */
async function underLoad(c: number, total: number, fn: (k: number, i: number) => Promise<unknown>) {
  const perCaller = Math.max(1, Math.ceil(total / c));
  let failed = 0;
  for (let k = 0; k < c; k++) await fn(k, -1); // warm-up, one per record
  const xs: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: c }, async (_, k) => {
      for (let i = 0; i < perCaller; i++) {
        const t = performance.now();
        // an operation that failed (e.g. past the command deadline on a starved machine) is counted, not fatal
        await fn(k, i).catch(() => failed++);
        xs.push(performance.now() - t);
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  xs.sort((a, b) => a - b);
  if (failed) console.log(`  (${failed} of ${xs.length} operations failed)`);
  return { n: xs.length, rate: xs.length / wall, p50: pct(xs, 0.5), p95: pct(xs, 0.95), p99: pct(xs, 0.99) };
}

async function expectStatus(p: Promise<{ status: number; body: unknown }>, status: number) {
  const r = await p;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r;
}

async function main(only?: 'plans' | 'regulations') {
  // as behind a TLS proxy on this host: the login rows come from many client addresses (X-Forwarded-For)
  const { h, temporalPid, close } = await benchServices({
    DEALFLOW_TRUST_PROXY: 'loopback',
    ...(process.env.DEALFLOW_WORKFLOW_CACHE ? { DEALFLOW_WORKFLOW_CACHE: process.env.DEALFLOW_WORKFLOW_CACHE } : {}),
  });
  try {
    if (only === 'plans') {
      await benchPlans(h, ITERATIONS, measure, expectStatus);
      return;
    }
    if (only === 'regulations') {
      await benchRegulations(h, ITERATIONS, measure, expectStatus);
      return;
    }
    const f = fixtures(h);
    const user = await f.user('manager');
    const client = await f.client(user.id);
    const kind = await f.documentKind();
    const p = await f.pipeline([
      ['New', 'open', [], []],
      ['Proposal', 'open', ['amount'], [kind.id]],
      ['Won', 'won', [], []],
    ]);
    const s = await login(h, user.email);
    const rows: [string, number[]][] = [];
    const baseline = await measure(ITERATIONS, () => expectStatus(s.get('/health'), 200));
    rows.push(['GET /health (baseline)', baseline]);
    const deals: string[] = [];
    const pick = (i: number) => deals[Math.abs(i) % deals.length];
    if (want('deals')) {
      // a large board: deals written straight to the table (reads do not need their workflows)
      await h.ctx.orm.em.getConnection().execute(
        `
      insert into deals (id, title, client_id, owner_id, pipeline_id, stage_id, amount, currency, custom)
      select gen_random_uuid(), 'Bulk deal ' || g, ?, ?, ?, ?, (g % 1000) * 10, 'EUR', '{}'::jsonb
      from generate_series(1, ?) g`,
        [client.id, user.id, p.id, p.stages[0].id, BOARD_DEALS],
      );
      for (let i = 0; i < 12; i++) {
        deals.push(
          (
            (await expectStatus(s.post('/deals', { title: `Bench ${i}`, clientId: client.id, pipelineId: p.id }), 201))
              .body as { id: string }
          ).id,
        );
      }
      rows.push([
        `GET /deals?limit=100 (${BOARD_DEALS} deals)`,
        await measure(ITERATIONS, () => expectStatus(s.get(`/deals?pipelineId=${p.id}&limit=100`), 200)),
      ]);
      rows.push(['GET /deals/:id', await measure(ITERATIONS, (i) => expectStatus(s.get(`/deals/${pick(i)}`), 200))]);
      rows.push([
        'POST /deals (update-with-start)',
        await measure(Math.ceil(ITERATIONS / 2), () =>
          expectStatus(s.post('/deals', { title: `New ${randomUUID()}`, clientId: client.id, pipelineId: p.id }), 201),
        ),
      ]);
      rows.push([
        'PATCH /deals/:id (Update + write)',
        await measure(ITERATIONS, (i) =>
          expectStatus(s.patch(`/deals/${pick(i)}`, { changes: { title: `T ${i}` } }), 200),
        ),
      ]);
      rows.push([
        'POST stage, refused by the gate',
        await measure(ITERATIONS, (i) =>
          expectStatus(s.post(`/deals/${pick(i)}/stage`, { stageId: p.stages[1].id }), 422),
        ),
      ]);
      rows.push([
        'POST stage, accepted (New ↔ Won)',
        await measure(ITERATIONS, (i) => {
          const id = pick(i);
          return s.get(`/deals/${id}`).then((d) =>
            expectStatus(
              s.post(`/deals/${id}/stage`, {
                stageId: (d.body as { stageId: string }).stageId === p.stages[0].id ? p.stages[2].id : p.stages[0].id,
              }),
              200,
            ),
          );
        }),
      ]);
    }
    if (want('login')) {
      // each failed login from its own address and, for a known email, on its own account: the throttle (a delay that
      // doubles per email and per address) stays out of what is measured, the password check itself
      const attempt = (email: string, i: number) =>
        new Session(h.baseUrl).request(
          'POST',
          '/auth/login',
          { email, password: 'wrong password' },
          { 'x-forwarded-for': `198.18.${(i + 10) % 250}.${Math.floor((i + 10) / 250)}` },
        );
      const accounts: string[] = [];
      for (let i = 0; i < ITERATIONS + 5; i++) accounts.push((await f.user('manager')).email);
      rows.push([
        'POST /auth/login, wrong password',
        await measure(ITERATIONS, (i) => expectStatus(attempt(accounts[i + 5], i), 401)),
      ]);
      rows.push([
        'POST /auth/login, unknown email (same cost)',
        await measure(ITERATIONS, (i) => expectStatus(attempt(`nobody${i}@example.test`, i), 401)),
      ]);
    }
    if (want('feed')) await feedRows(h, s, rows, user.id);
    if (want('write')) await writePathUnderLoad(h, s, temporalPid, { client: client.id, user: user.id, pipeline: p });
    const base = pct(baseline, 0.5);
    const line = (cols: string[]) =>
      `| ${cols[0].padEnd(42)} | ${cols
        .slice(1)
        .map((c) => c.padStart(9))
        .join(' | ')} |`;
    console.log(
      `\nDealflow bench: ${ITERATIONS} iterations each, ratios against the median of the baseline (${base.toFixed(2)} ms)\n`,
    );
    console.log(line(['operation', 'median ms', 'p95 ms', 'ratio']));
    console.log(line(['-'.repeat(42), '-'.repeat(9), '-'.repeat(9), '-'.repeat(9)]));
    for (const [name, xs] of rows) {
      console.log(
        line([name, pct(xs, 0.5).toFixed(2), pct(xs, 0.95).toFixed(2), `${(pct(xs, 0.5) / base).toFixed(1)}×`]),
      );
    }
    await benchPlans(h, ITERATIONS, measure, expectStatus);
  } finally {
    await close();
  }
}

/**
 * The Internet calendar feed of a busy manager: FEED_EVENTS events written straight to the table (a tenth of them
 * weekly series with exceptions, two time zones, a reminder each), read whole, and answered 304 from its ETag.
 */
async function feedRows(h: Harness, s: Session, rows: [string, number[]][], userId: string) {
  await h.ctx.orm.em.getConnection().execute(
    `
    insert into calendar_events (id, owner_id, kind, title, description, starts_at, ends_at, time_zone, rrule, exdates,
      reminders, location, sequence)
    select gen_random_uuid(), ?, 'call', 'Call with client ' || g || ', about the offer; follow-up',
      'Prepare the figures for the offer.' || chr(10) || 'Ask about the timeline and the budget, then agree the next step.',
      t, t + interval '30 minutes', case when g % 2 = 0 then 'Europe/Moscow' else 'America/New_York' end,
      case when g % 10 = 0 then 'FREQ=WEEKLY;COUNT=20' end,
      case when g % 10 = 0 then array[t + interval '7 days', t + interval '14 days']::timestamptz[] else '{}' end,
      '{15}', case when g % 3 = 0 then 'Office, room 2' else '' end, g % 4
    from generate_series(1, ?) g,
      lateral (select date_trunc('hour', now()) - interval '30 days' + (g * (interval '210 days' / ?)) as t) w`,
    [userId, FEED_EVENTS, FEED_EVENTS],
  );
  const created = await expectStatus(s.post('/calendar/feeds', { name: 'Bench' }), 201);
  const url = (created.body as { url: string }).url;
  let etag = '';
  let bytes = 0;
  rows.push([
    `GET /ical/<token>.ics (${FEED_EVENTS} events, sent again)`,
    await measure(ITERATIONS, async () => {
      const r = await fetch(url);
      const text = await r.text();
      if (r.status !== 200) throw new Error(`expected 200, got ${r.status}`);
      etag = r.headers.get('etag') ?? '';
      bytes = Buffer.byteLength(text);
    }),
  ]);
  rows.push([
    'GET /ical/<token>.ics, unchanged (304)',
    await measure(ITERATIONS, async () => {
      const r = await fetch(url, { headers: { 'if-none-match': etag } });
      await r.text();
      if (r.status !== 304) throw new Error(`expected 304, got ${r.status}`);
    }),
  ]);
  // after a change to one of its events: the feed read and built anew (the change itself is not timed)
  const [one] = await h.ctx.orm.em
    .getConnection()
    .execute<{ id: string }[]>(`select id from calendar_events where owner_id = ? limit 1`, [userId]);
  const rebuilt: number[] = [];
  let cpu = 0;
  for (let i = -3; i < ITERATIONS; i++) {
    await h.ctx.orm.em
      .getConnection()
      .execute(`update calendar_events set updated_at = clock_timestamp() where id = ?`, [one.id]);
    const c = process.cpuUsage();
    const t = performance.now();
    const r = await fetch(url, { headers: { 'if-none-match': etag } });
    await r.text();
    if (r.status !== 200) throw new Error(`expected 200, got ${r.status}`);
    if (i >= 0) {
      rebuilt.push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu += (d.user + d.system) / 1000;
    }
  }
  // CPU time, unlike the wall clock, does not grow with the load of a shared machine
  console.log(`calendar feed built anew: ${(cpu / ITERATIONS).toFixed(1)} ms CPU per request (API and client)`);
  rows.push([`GET /ical/<token>.ics, changed (built anew)`, rebuilt.sort((a, b) => a - b)]);
  console.log(`calendar feed: ${FEED_EVENTS} events, ${(bytes / 1024).toFixed(0)} KB`);
}

type Cpu = 'node' | 'dev' | 'pg';

/** CPU seconds used so far by this process (API and worker), the Temporal dev server and the run's Postgres backends. */
function cpuNow(temporalPid: number | undefined, database: string) {
  const tick = 100; // USER_HZ on Linux
  const procCpu = (pid: number | string) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / tick; // utime + stime
    } catch {
      return 0;
    }
  };
  const pg = new Map<string, number>();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      // a backend's title is "postgres: user database host(port) state"
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) pg.set(pid, procCpu(pid));
    } catch {
      /* the process ended meanwhile */
    }
  }
  const u = process.cpuUsage();
  return { node: (u.user + u.system) / 1e6, dev: temporalPid ? procCpu(temporalPid) : 0, pg };
}

/** CPU seconds between two snapshots; a backend that ended meanwhile is not counted (its last seconds are lost). */
function cpuSpent(before: ReturnType<typeof cpuNow>, after: ReturnType<typeof cpuNow>): Record<Cpu, number> {
  let pg = 0;
  for (const [pid, t] of after.pg) pg += t - (before.pg.get(pid) ?? 0);
  return { node: after.node - before.node, dev: after.dev - before.dev, pg };
}

/**
 * The write path under load: accepted move, refused move, edit and create at concurrency 1, 8 and 32 on distinct
 * deals, each beside raw SQL doing the same write (or, for a refusal, the same reads) in the same run, with the CPU
 * each operation costs in this process (API and worker), the Temporal dev server and Postgres (the run's backends;
 * Postgres's own background writers are not counted).
 */
async function writePathUnderLoad(
  h: Harness,
  s: Session,
  temporalPid: number | undefined,
  f: { client: string; user: string; pipeline: { id: string; stages: { id: string }[] } },
) {
  const LEVELS = (process.env.BENCH_LEVELS ?? '1,8,32').split(',').map(Number);
  const OPS = Number(process.env.BENCH_OPS ?? 96);
  const database = new URL(h.databaseUrl).pathname.slice(1);
  const [newStage, gated, won] = f.pipeline.stages.map((x) => x.id);
  const max = Math.max(...LEVELS);
  const deals: { id: string; stage: string }[] = [];
  for (let k = 0; k < max; k++) {
    const r = await expectStatus(
      s.post('/deals', { title: `Load ${k}`, clientId: f.client, pipelineId: f.pipeline.id }),
      201,
    );
    deals.push({ id: (r.body as { id: string }).id, stage: newStage });
  }
  const sqlDeals: string[] = [];
  const db = new pg.Pool({ connectionString: h.databaseUrl, max });
  for (let k = 0; k < max; k++) {
    const id = randomUUID();
    await db.query(
      `insert into deals (id, title, client_id, owner_id, pipeline_id, stage_id, custom)
      values ($1, $2, $3, $4, $5, $6, '{}'::jsonb)`,
      [id, `Raw ${k}`, f.client, f.user, f.pipeline.id, newStage],
    );
    sqlDeals.push(id);
  }
  /** what the activity writes for a change, in one statement: the claim, the row at its version, the event, NOTIFY */
  const rawChange = (dealId: string, set: string, params: unknown[], kind: string, notify = true) =>
    db.query(
      `with op as (insert into command_ops (op_id, state) values ($1, 'applied') returning op_id),
      d as (update deals set ${set}, version = version + 1, updated_at = now() where id = $2 returning id),
      ev as (insert into record_events (record_type, record_id, op_id, kind, data)
        select 'deal', d.id, op.op_id::uuid, $3::text, '{}'::jsonb from d, op returning id)
      select ${notify ? "pg_notify('record_events', id::text)" : 'id'} from ev`,
      [randomUUID(), dealId, kind, ...params],
    );
  const sqlStage = new Map<string, string>();
  const rawMove = (notify: boolean) => (k: number) => {
    const id = sqlDeals[k];
    const to = (sqlStage.get(id) ?? newStage) === newStage ? won : newStage;
    sqlStage.set(id, to);
    return rawChange(id, 'stage_id = $4', [to], 'stage_changed', notify);
  };
  const ops: [
    string,
    ((k: number, i: number) => Promise<unknown>) | null,
    (k: number, i: number) => Promise<unknown>,
  ][] = [
    [
      'accepted move',
      (k) => {
        const d = deals[k];
        const to = d.stage === newStage ? won : newStage;
        return expectStatus(s.post(`/deals/${d.id}/stage`, { stageId: to }), 200).then(() => {
          d.stage = to;
        });
      },
      rawMove(true),
    ],
    // the same raw write without NOTIFY: what Postgres's commit-time NOTIFY lock costs under concurrency
    ['  SQL move, no NOTIFY', null, rawMove(false)],
    [
      'refused move (gate)',
      (k) => expectStatus(s.post(`/deals/${deals[k].id}/stage`, { stageId: gated }), 422),
      (k) =>
        db.query(
          `select d.*, s.required_fields, s.required_document_kinds,
            (select count(*) from deal_attachments a where a.deal_id = d.id) as n
          from deals d join stages s on s.id = $2 where d.id = $1`,
          [sqlDeals[k], gated],
        ),
    ],
    [
      'edit',
      (k, i) => expectStatus(s.patch(`/deals/${deals[k].id}`, { changes: { title: `Edit ${i}` } }), 200),
      (k, i) => rawChange(sqlDeals[k], 'title = $4', [`Edit ${i}`], 'updated'),
    ],
    [
      'create',
      (k, i) =>
        expectStatus(
          s.post('/deals', { title: `Created ${k}.${i}`, clientId: f.client, pipelineId: f.pipeline.id }),
          201,
        ),
      (k, i) =>
        db.query(
          `with op as (insert into command_ops (op_id, state) values ($1, 'applied') returning op_id),
            d as (insert into deals (id, title, client_id, owner_id, pipeline_id, stage_id, custom)
              values ($2, $3, $4, $5, $6, $7, '{}'::jsonb) returning id),
            ev as (insert into record_events (record_type, record_id, op_id, kind, data)
              select 'deal', d.id, op.op_id::uuid, 'created', '{}'::jsonb from d, op returning id)
            select pg_notify('record_events', id::text) from ev`,
          [randomUUID(), randomUUID(), `Raw created ${k}.${i}`, f.client, f.user, f.pipeline.id, newStage],
        ),
    ],
  ];
  const fmt = (x: number, w = 8) => x.toFixed(1).padStart(w);
  const ms = (x: number) => (x * 1000).toFixed(2).padStart(6);
  console.log(`\nWrite path under load: ${OPS} operations per row, caller k on its own deal k; raw SQL beside each`);
  console.log('CPU ms per operation: this process (API + worker), the Temporal dev server, Postgres backends\n');
  console.log(
    '| operation            |   c |   rate/s |  p50 ms |  p95 ms |  p99 ms |   node |    dev |     pg || SQL rate/s | SQL p50 | SQL p95 | SQL pg |',
  );
  console.log(
    '|----------------------|-----|----------|---------|---------|---------|--------|--------|--------||------------|---------|---------|--------|',
  );
  const historyEvents = async () => {
    let n = 0;
    for (const d of deals)
      n += (await h.ctx.temporal.workflow.getHandle(`deal-${d.id}`).fetchHistory()).events?.length ?? 0;
    return n;
  };
  const notes: string[] = [];
  try {
    for (const [name, api, sql] of ops) {
      for (const c of LEVELS) {
        const cols = (a: { rate: number; p50: number; p95: number; p99: number }, per: (k: Cpu) => number) =>
          `${fmt(a.rate)} | ${fmt(a.p50).slice(1)} | ${fmt(a.p95).slice(1)} | ${fmt(a.p99).slice(1)} | ` +
          `${ms(per('node'))} | ${ms(per('dev'))} | ${ms(per('pg'))}`;
        let apiCols = cols({ rate: 0, p50: 0, p95: 0, p99: 0 }, () => 0).replace(/[^|]/g, ' ');
        if (api) {
          const before = cpuNow(temporalPid, database);
          const a = await underLoad(c, OPS, api);
          const after = cpuNow(temporalPid, database);
          const spent = cpuSpent(before, after);
          apiCols = cols(a, (k) => spent[k] / (a.n + c));
        }
        const before = cpuNow(temporalPid, database);
        const b = await underLoad(c, OPS, sql);
        const after = cpuNow(temporalPid, database);
        console.log(
          `| ${name.padEnd(20)} | ${String(c).padStart(3)} | ${apiCols} || ${fmt(b.rate, 10)} | ${fmt(b.p50).slice(1)} | ` +
            `${fmt(b.p95).slice(1)} | ${ms(cpuSpent(before, after).pg / (b.n + c))} |`,
        );
      }
      if (name === 'accepted move' || name === 'edit') {
        // history events each accepted change adds to its deal's workflow (sampled after the row, on all its deals)
        const before = await historyEvents();
        await Promise.all(deals.map((_, k) => api!(k, 0)));
        notes.push(`${name}: ${((await historyEvents()) - before) / deals.length} history events per change`);
        console.log(notes[notes.length - 1]);
      }
    }
  } finally {
    await db.end();
  }
  const status = h.worker.worker.getStatus();
  notes.push(
    `node RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB with ${status.numCachedWorkflows} workflows cached`,
  );
  console.log(`\n${notes.join('\n')}`);
}

if (process.argv.includes('--reads')) {
  await (await import('./bench-reads.ts')).benchReads(process.argv.slice(2));
} else if (process.argv.includes('--feed-fanout')) {
  await (await import('./bench-feed.ts')).benchFeed(process.argv.slice(2));
} else if (process.argv.includes('--documents')) {
  await (await import('./bench-documents.ts')).benchDocuments(process.argv.slice(2));
} else if (process.argv.includes('--reminders')) {
  await (await import('./bench-reminders.ts')).benchReminders(process.argv.slice(2));
} else {
  await main(
    process.argv.includes('--plans') ? 'plans' : process.argv.includes('--regulations') ? 'regulations' : undefined,
  );
}
