/**
 * `npm run bench`: how the main operations cost relative to a baseline measured in the same run
 * (GET /api/v1/health, the HTTP floor), on real Postgres and a real Temporal dev server.
 * The machine is shared and noisy: read the ratios, not the milliseconds.
 *
 * `npm run bench -- --reads 1000000 [--db URL]`: the reads at company scale instead (scripts/bench-reads.ts).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { startTemporalDevServer } from '../runtime/temporal-dev.ts';
import { createTemplate, dropTemplate, freePort, newRunId, testPostgres } from '../test/support/services.ts';
import { fixtures, login, Session, startHarness } from '../test/support/harness.ts';
import { logger } from '../server/logger.ts';

process.env.DEALFLOW_WORKER_LOG_LEVEL ??= 'ERROR';
// request lines would bury the tables: the bench logs warnings only unless told otherwise
logger.level = process.env.DEALFLOW_LOG_LEVEL ?? 'warn';
const ROOT = path.resolve(import.meta.dirname, '..');
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 60);
const BOARD_DEALS = Number(process.env.BENCH_DEALS ?? 5000);

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
  for (let k = 0; k < c; k++) await fn(k, -1); // warm-up, one per record
  const xs: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: c }, async (_, k) => {
      for (let i = 0; i < perCaller; i++) {
        const t = performance.now();
        await fn(k, i);
        xs.push(performance.now() - t);
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  xs.sort((a, b) => a - b);
  return { rate: xs.length / wall, p50: pct(xs, 0.5), p95: pct(xs, 0.95), p99: pct(xs, 0.99) };
}

async function expectStatus(p: Promise<{ status: number; body: unknown }>, status: number) {
  const r = await p;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r;
}

async function main() {
  const runId = newRunId();
  const { adminUrl, embedded } = await testPostgres();
  const temporal = await startTemporalDevServer({
    port: await freePort(),
    logFile: path.join(ROOT, '.data', 'bench-temporal.log'),
  });
  await createTemplate(adminUrl, runId);
  // as behind a TLS proxy on this host: the login rows come from many client addresses (X-Forwarded-For)
  const h = await startHarness({
    pgAdminUrl: adminUrl,
    temporalAddress: temporal.address,
    runId,
    config: { DEALFLOW_TRUST_PROXY: 'loopback' },
  });
  try {
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
    // a large board: deals written straight to the table (reads do not need their workflows)
    await h.ctx.orm.em.getConnection().execute(
      `
      insert into deals (id, title, client_id, owner_id, pipeline_id, stage_id, amount, currency, custom)
      select gen_random_uuid(), 'Bulk deal ' || g, ?, ?, ?, ?, (g % 1000) * 10, 'EUR', '{}'::jsonb
      from generate_series(1, ?) g`,
      [client.id, user.id, p.id, p.stages[0].id, BOARD_DEALS],
    );
    const deals: string[] = [];
    for (let i = 0; i < 12; i++) {
      deals.push(
        (
          (await expectStatus(s.post('/deals', { title: `Bench ${i}`, clientId: client.id, pipelineId: p.id }), 201))
            .body as { id: string }
        ).id,
      );
    }
    const pick = (i: number) => deals[Math.abs(i) % deals.length];
    const rows: [string, number[]][] = [];
    const baseline = await measure(ITERATIONS, () => expectStatus(s.get('/health'), 200));
    rows.push(['GET /health (baseline)', baseline]);
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
    await writePathUnderLoad(h, s, adminUrl, { client: client.id, user: user.id, pipeline: p });
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
  } finally {
    await h.close();
    await dropTemplate(adminUrl, runId);
    await temporal.stop();
    await embedded?.stop();
  }
}

/**
 * The write path under load: accepted move, refused move, edit and create at concurrency 1, 8 and 32 on distinct
 * deals, each beside raw SQL doing the same write (or, for a refusal, the same reads) in the same run.
 */
async function writePathUnderLoad(
  h: Awaited<ReturnType<typeof startHarness>>,
  s: Session,
  _adminUrl: string,
  f: { client: string; user: string; pipeline: { id: string; stages: { id: string }[] } },
) {
  const LEVELS = (process.env.BENCH_LEVELS ?? '1,8,32').split(',').map(Number);
  const OPS = Number(process.env.BENCH_OPS ?? 96);
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
  /** what the activity writes for a change: the claim, the row at its version, the event */
  const rawChange = async (dealId: string, set: string, params: unknown[], kind: string) => {
    const c = await db.connect();
    try {
      await c.query('begin');
      const op = randomUUID();
      await c.query("insert into command_ops (op_id, state) values ($1, 'applied')", [op]);
      await c.query(`update deals set ${set}, version = version + 1, updated_at = now() where id = $1`, [
        dealId,
        ...params,
      ]);
      await c.query(
        `insert into record_events (record_type, record_id, op_id, kind, data) values ('deal', $1, $2, $3, '{}'::jsonb)`,
        [dealId, op, kind],
      );
      await c.query('commit');
    } finally {
      c.release();
    }
  };
  const sqlStage = new Map<string, string>();
  const ops: [string, (k: number, i: number) => Promise<unknown>, (k: number, i: number) => Promise<unknown>][] = [
    [
      'accepted move',
      (k) => {
        const d = deals[k];
        const to = d.stage === newStage ? won : newStage;
        return expectStatus(s.post(`/deals/${d.id}/stage`, { stageId: to }), 200).then(() => {
          d.stage = to;
        });
      },
      (k) => {
        const id = sqlDeals[k];
        const to = (sqlStage.get(id) ?? newStage) === newStage ? won : newStage;
        sqlStage.set(id, to);
        return rawChange(id, 'stage_id = $2', [to], 'stage_changed');
      },
    ],
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
      (k, i) => rawChange(sqlDeals[k], 'title = $2', [`Edit ${i}`], 'updated'),
    ],
    [
      'create',
      (k, i) =>
        expectStatus(
          s.post('/deals', { title: `Created ${k}.${i}`, clientId: f.client, pipelineId: f.pipeline.id }),
          201,
        ),
      async (k, i) => {
        const c = await db.connect();
        try {
          const id = randomUUID();
          const op = randomUUID();
          await c.query('begin');
          await c.query("insert into command_ops (op_id, state) values ($1, 'applied')", [op]);
          await c.query(
            `insert into deals (id, title, client_id, owner_id, pipeline_id, stage_id, custom)
            values ($1, $2, $3, $4, $5, $6, '{}'::jsonb)`,
            [id, `Raw created ${k}.${i}`, f.client, f.user, f.pipeline.id, newStage],
          );
          await c.query(
            `insert into record_events (record_type, record_id, op_id, kind, data) values ('deal', $1, $2, 'created', '{}'::jsonb)`,
            [id, op],
          );
          await c.query('commit');
        } finally {
          c.release();
        }
      },
    ],
  ];
  const fmt = (x: number) => x.toFixed(1).padStart(8);
  console.log(`\nWrite path under load: ${OPS} operations per row, caller k on its own deal k; raw SQL beside each\n`);
  console.log(
    '| operation            |   c |   rate/s |  p50 ms |  p95 ms |  p99 ms || SQL rate/s | SQL p50 | SQL p95 |',
  );
  console.log(
    '|----------------------|-----|----------|---------|---------|---------||------------|---------|---------|',
  );
  try {
    for (const [name, api, sql] of ops) {
      for (const c of LEVELS) {
        const a = await underLoad(c, OPS, api);
        const b = await underLoad(c, OPS, sql);
        console.log(
          `| ${name.padEnd(20)} | ${String(c).padStart(3)} | ${fmt(a.rate)} | ${fmt(a.p50).slice(1)} | ${fmt(a.p95).slice(1)} | ` +
            `${fmt(a.p99).slice(1)} || ${fmt(b.rate).padStart(10)} | ${fmt(b.p50).slice(1)} | ${fmt(b.p95).slice(1)} |`,
        );
      }
    }
  } finally {
    await db.end();
  }
}

if (process.argv.includes('--reads')) {
  await (await import('./bench-reads.ts')).benchReads(process.argv.slice(2));
} else {
  await main();
}
