/**
 * `npm run bench -- --reads 1000000 [--db URL] [--iterations 200] [--plans]`: deal reads at company scale.
 *
 * Seeds a database with the large-company generator (kept as dealflow_bench_reads_<deals> and reused by the next run
 * of the same size; --db uses a database seeded before, e.g. by `npm run seed:large`), then measures for an admin, a
 * group lead and a manager, at concurrency 1 and 8: the first page of GET /deals, page 20 by cursor, a search, the
 * board and GET /deals/:id, the requests sent from a worker thread. Each API figure stands beside the SQL that request issues (the session lookup included,
 * in the same order and parallelism), measured in the same run on the API's own connection pool, and
 * `EXPLAIN (ANALYZE, BUFFERS)` of each statement is printed (--plans prints all, else only the admin's and the
 * manager's at the end).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { startTemporalDevServer } from '../runtime/temporal-dev.ts';
import { createTemplate, dropTemplate, freePort, newRunId, testPostgres, withDb } from '../test/support/services.ts';
import { login, startHarness } from '../test/support/harness.ts';
import { initORM } from '../server/orm.ts';
import { SESSION_PRINCIPAL, type AuthUser } from '../api/auth.ts';
import { sha256 } from '../modules/accounts/secrets.ts';
import {
  boardCardsSql,
  boardTotalsSql,
  dealDetailSql,
  dealHistorySql,
  listDealsSql,
  pipelineStages,
} from '../modules/deals/queries.ts';
import { SEED_DOMAIN, SEED_PASSWORD, seedLarge } from './seed/large.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];

interface Frag {
  sql: string;
  params: unknown[];
}

async function ensureSeeded(adminUrl: string, deals: number): Promise<string> {
  const name = `dealflow_bench_reads_${deals}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount;
  const url = withDb(adminUrl, name);
  if (exists) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const n = await c
      .query<{ n: number }>('select count(*)::int as n from deals')
      .then((r) => r.rows[0].n)
      .catch(() => -1);
    await c.end();
    if (n === deals) {
      await admin.end();
      return url;
    }
    await admin.query(`drop database ${name} with (force)`);
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  await (await initORM(url, { migrate: true })).close();
  const sizes = {
    deals,
    clients: Math.max(100, Math.round(deals / 10)),
    users: Math.min(2000, Math.max(100, Math.round(deals / 500))),
    contactsPerClient: 2,
  };
  console.log(`seeding ${name}:`, sizes);
  const r = await seedLarge(url, sizes, { seed: 42 });
  console.log(`seeded in ${r.seconds.toFixed(1)} s, per phase:`, r.phases);
  return url;
}

/** Runs fn `iterations` times over `concurrency` loops; the latency of each call in ms, sorted. */
async function measure(
  concurrency: number,
  iterations: number,
  fn: (i: number) => Promise<unknown>,
): Promise<number[]> {
  for (let i = 0; i < Math.min(10, iterations); i++) await fn(i);
  const out: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < iterations; i = next++) {
        const t = performance.now();
        await fn(i);
        out.push(performance.now() - t);
      }
    }),
  );
  return out.sort((a, b) => a - b);
}

export async function benchReads(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      reads: { type: 'string' },
      db: { type: 'string' },
      iterations: { type: 'string' },
      plans: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const size = Number(values.reads ?? 100_000);
  const iterations = Number(values.iterations ?? 200);
  process.env.DEALFLOW_WORKER_LOG_LEVEL ??= 'ERROR';
  const runId = newRunId();
  const { adminUrl, embedded } = await testPostgres();
  const dbUrl = values.db ?? (await ensureSeeded(adminUrl, size));
  const temporal = await startTemporalDevServer({
    port: await freePort(),
    logFile: path.join(ROOT, '.data', 'bench-temporal.log'),
  });
  await createTemplate(adminUrl, runId);
  const h = await startHarness({
    pgAdminUrl: adminUrl,
    temporalAddress: temporal.address,
    runId,
    route: (a) => Promise.resolve({ databaseUrl: dbUrl, temporalAddress: a.temporalAddress }),
  });
  const conn = h.ctx.orm.em.fork().getConnection();
  const run = (q: Frag) => conn.execute(q.sql, q.params);
  const results: string[] = [];
  const plans: string[] = [];
  try {
    const [{ n: dealCount }] = await conn.execute<{ n: string }[]>('select count(*) as n from deals');
    const [pipeline] = await conn.execute<{ id: string }[]>(
      "select p.id from pipelines p where p.name = 'Sales' order by (select count(*) from stages s where s.pipeline_id = p.id) desc limit 1",
    );
    const SEARCH = 'nordwind';
    const health = await httpLoad(h.baseUrl, '', ['/health'], 1, iterations);
    results.push(
      `| ${Number(dealCount).toLocaleString('en')} | — | 1 | GET /health (HTTP floor) | ${pct(health, 0.5).toFixed(2)} | ${pct(health, 0.95).toFixed(2)} | | | |`,
    );

    for (const role of ['admin', 'lead', 'manager'] as const) {
      const email = `${role === 'admin' ? 'admin' : `${role}-1`}@${SEED_DOMAIN}`;
      const s = await login(h, email, SEED_PASSWORD);
      const raw = decodeURIComponent(s.cookie.split('=').slice(1).join('='));
      const [u] = await conn.execute<{ id: string; role: string; access_epoch: string }[]>(SESSION_PRINCIPAL, [
        sha256(raw),
        new Date(),
        new Date(0),
      ]);
      const em = h.ctx.orm.em.fork();
      const viewer = { id: u.id, role: u.role, accessEpoch: Number(u.access_epoch) } as AuthUser;
      const principal = () => conn.execute(SESSION_PRINCIPAL, [sha256(raw), new Date(), new Date(0)]);
      // page 20 and deals to open, as this user sees them
      // the cursor of page 20 (or of the last page, for a user who sees fewer deals)
      let cursor: string | null = null;
      let pageNo = 1;
      const firstIds: string[] = [];
      for (let page = 1, next: string | null = null; page < 20; page++) {
        const r = await s.get(`/deals?limit=50${next ? `&cursor=${next}` : ''}`);
        const body = r.body as { items: { id: string }[]; nextCursor: string | null };
        if (page === 1) firstIds.push(...body.items.map((d) => d.id));
        next = body.nextCursor;
        if (!next) break;
        cursor = next;
        pageNo = page + 1;
      }
      const openIds = firstIds.length ? firstIds : [];
      const reads: {
        name: string;
        paths: string[];
        sql: (i: number) => Promise<unknown>;
        statements: (i: number) => Promise<[string, Frag][]>;
        board?: boolean;
      }[] = [
        {
          name: 'GET /deals?limit=50',
          paths: ['/deals?limit=50'],
          statements: async () => [['list', await listDealsSql(em, viewer, {}, 50, null)]],
          sql: async () => {
            await principal();
            await run(await listDealsSql(em, viewer, {}, 50, null));
          },
        },
        ...(cursor
          ? [
              {
                name: `page ${pageNo} by cursor`,
                paths: [`/deals?limit=50&cursor=${cursor}`],
                statements: async () =>
                  [['page 20', await listDealsSql(em, viewer, {}, 50, cursor)]] as [string, Frag][],
                sql: async () => {
                  await principal();
                  await run(await listDealsSql(em, viewer, {}, 50, cursor));
                },
              },
            ]
          : []),
        {
          name: `search q=${SEARCH}`,
          paths: [`/deals?limit=50&q=${SEARCH}`],
          statements: async () => [['search', await listDealsSql(em, viewer, { q: SEARCH }, 50, null)]],
          sql: async () => {
            await principal();
            await run(await listDealsSql(em, viewer, { q: SEARCH }, 50, null));
          },
        },
        {
          name: 'GET /deals/board',
          board: true,
          paths: [`/deals/board?pipelineId=${pipeline.id}`],
          statements: async () => {
            const stages = (await pipelineStages(em, pipeline.id))!;
            return [
              ['board totals', await boardTotalsSql(em, viewer, pipeline.id, { pipelineId: pipeline.id })],
              ['board cards', await boardCardsSql(em, viewer, stages, { pipelineId: pipeline.id }, 50)],
            ];
          },
          sql: async () => {
            await principal();
            const stages = (await pipelineStages(em, pipeline.id))!;
            const [t, c] = await Promise.all([
              boardTotalsSql(em, viewer, pipeline.id, { pipelineId: pipeline.id }),
              boardCardsSql(em, viewer, stages, { pipelineId: pipeline.id }, 50),
            ]);
            await Promise.all([run(t), run(c)]);
          },
        },
        ...(openIds.length
          ? [
              {
                name: 'GET /deals/:id',
                paths: openIds.map((id) => `/deals/${id}`),
                statements: async () =>
                  [
                    ['detail', await dealDetailSql(em, viewer, openIds[0])],
                    ['history', dealHistorySql(openIds[0], 50, null)],
                  ] as [string, Frag][],
                sql: async (i: number) => {
                  await principal();
                  const id = openIds[i % openIds.length];
                  await Promise.all([run(await dealDetailSql(em, viewer, id)), run(dealHistorySql(id, 50, null))]);
                },
              },
            ]
          : []),
      ];
      for (const read of reads) {
        for (const c of [1, 8]) {
          const n = c === 1 ? iterations : iterations * 2;
          const api = await httpLoad(h.baseUrl, s.cookie, read.paths, c, n);
          const sql = await measure(c, n, read.sql);
          const goal = read.board ? (role === 'manager' ? 30 : 50) * (c === 1 ? 1 : 4) : c === 1 ? 10 : 40;
          const ratio = pct(api, 0.95) / pct(sql, 0.95);
          const met = pct(api, 0.95) <= goal && (read.board || ratio <= 3) ? 'yes' : 'NO';
          results.push(
            `| ${Number(dealCount).toLocaleString('en')} | ${role} | ${c} | ${read.name} | ${pct(api, 0.5).toFixed(2)} | ${pct(api, 0.95).toFixed(2)} | ${pct(sql, 0.95).toFixed(2)} | ${ratio.toFixed(1)}× | ≤ ${goal} ms${read.board ? '' : ', ≤ 3×'}: ${met} |`,
          );
          console.log(results[results.length - 1]);
        }
        if (values.plans || role !== 'lead') {
          for (const [label, q] of await read.statements(0)) {
            const plan = await conn.execute<Record<string, string>[]>(`explain (analyze, buffers) ${q.sql}`, q.params);
            plans.push(`--- ${role}: ${read.name} — ${label}\n${plan.map((r) => r['QUERY PLAN']).join('\n')}`);
          }
        }
      }
    }
    const os = await import('node:os');
    console.log(
      `\nDeal reads at ${Number(dealCount).toLocaleString('en')} deals: ${iterations} iterations at c=1, ${iterations * 2} at c=8; ms;` +
        ` load average at the end ${os
          .loadavg()
          .map((x) => x.toFixed(1))
          .join(' ')} on ${os.cpus().length} cores\n`,
    );
    console.log('| deals | role | c | read | API p50 | API p95 | SQL p95 | API/SQL p95 | goal met |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of results) console.log(r);
    console.log(`\nPlans (EXPLAIN (ANALYZE, BUFFERS)):\n\n${plans.join('\n\n')}`);
  } finally {
    await h.close();
    await dropTemplate(adminUrl, runId);
    await temporal.stop();
    await embedded?.stop();
  }
}

/**
 * HTTP latencies measured from a worker thread, so the load generator (requests, JSON parsing) does not share the
 * API's event loop, as with a separate client against `npm start`. Each path is requested in turn; any answer but
 * 200 fails the run.
 */
function httpLoad(
  baseUrl: string,
  cookie: string,
  paths: string[],
  concurrency: number,
  iterations: number,
): Promise<number[]> {
  const code = `
    const { parentPort, workerData: w } = require('node:worker_threads');
    (async () => {
      const get = async (i) => {
        const r = await fetch(w.baseUrl + '/api/v1' + w.paths[i % w.paths.length], { headers: w.cookie ? { cookie: w.cookie } : {} });
        const body = await r.text();
        if (r.status !== 200) throw new Error('expected 200, got ' + r.status + ': ' + body.slice(0, 300));
        JSON.parse(body);
      };
      for (let i = 0; i < Math.min(10, w.iterations); i++) await get(i);
      const out = [];
      let next = 0;
      await Promise.all(Array.from({ length: w.concurrency }, async () => {
        for (let i = next++; i < w.iterations; i = next++) {
          const t = performance.now();
          await get(i);
          out.push(performance.now() - t);
        }
      }));
      parentPort.postMessage(out.sort((a, b) => a - b));
    })().catch((e) => parentPort.postMessage({ error: String(e) }));`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { baseUrl, cookie, paths, concurrency, iterations } });
    worker.once('message', (m: number[] | { error: string }) => {
      void worker.terminate();
      if (Array.isArray(m)) resolve(m);
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
  });
}
