/**
 * `npm run bench`: how the main operations cost relative to a baseline measured in the same run
 * (GET /api/v1/health, the HTTP floor), on real Postgres and a real Temporal dev server.
 * The machine is shared and noisy: read the ratios, not the milliseconds.
 *
 * `npm run bench -- --reads 1000000 [--db URL]`: the reads at company scale instead (scripts/bench-reads.ts).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { startTemporalDevServer } from '../runtime/temporal-dev.ts';
import { createTemplate, dropTemplate, freePort, newRunId, testPostgres } from '../test/support/services.ts';
import { fixtures, login, Session, startHarness } from '../test/support/harness.ts';

process.env.DEALFLOW_WORKER_LOG_LEVEL ??= 'ERROR';
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

async function expectStatus(p: Promise<{ status: number; body: any }>, status: number) {
  const r = await p;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r;
}

async function main() {
  const runId = newRunId();
  const { adminUrl, embedded } = await testPostgres();
  const temporal = await startTemporalDevServer({ port: await freePort(), logFile: path.join(ROOT, '.data', 'bench-temporal.log') });
  await createTemplate(adminUrl, runId);
  const h = await startHarness({ pgAdminUrl: adminUrl, temporalAddress: temporal.address, runId });
  try {
    const f = fixtures(h);
    const user = await f.user('manager');
    const client = await f.client(user.id);
    const kind = await f.documentKind();
    const p = await f.pipeline([['New', 'open', [], []], ['Proposal', 'open', ['amount'], [kind.id]], ['Won', 'won', [], []]]);
    const s = await login(h, user.email);
    // a large board: deals written straight to the table (reads do not need their workflows)
    await h.ctx.orm.em.getConnection().execute(`
      insert into deals (id, title, client_id, owner_id, pipeline_id, stage_id, amount, currency, custom)
      select gen_random_uuid(), 'Bulk deal ' || g, ?, ?, ?, ?, (g % 1000) * 10, 'EUR', '{}'::jsonb
      from generate_series(1, ?) g`, [client.id, user.id, p.id, p.stages[0].id, BOARD_DEALS]);
    const deals: string[] = [];
    for (let i = 0; i < 12; i++) {
      deals.push((await expectStatus(s.post('/deals', { title: `Bench ${i}`, clientId: client.id, pipelineId: p.id }), 201)).body.id);
    }
    const pick = (i: number) => deals[Math.abs(i) % deals.length];
    const rows: [string, number[]][] = [];
    const baseline = await measure(ITERATIONS, () => expectStatus(s.get('/health'), 200));
    rows.push(['GET /health (baseline)', baseline]);
    rows.push([`GET /deals?limit=100 (${BOARD_DEALS} deals)`, await measure(ITERATIONS, () => expectStatus(s.get(`/deals?pipelineId=${p.id}&limit=100`), 200))]);
    rows.push(['GET /deals/:id', await measure(ITERATIONS, (i) => expectStatus(s.get(`/deals/${pick(i)}`), 200))]);
    rows.push(['POST /deals (update-with-start)', await measure(Math.ceil(ITERATIONS / 2), () =>
      expectStatus(s.post('/deals', { title: `New ${randomUUID()}`, clientId: client.id, pipelineId: p.id }), 201))]);
    rows.push(['PATCH /deals/:id (Update + write)', await measure(ITERATIONS, (i) => expectStatus(s.patch(`/deals/${pick(i)}`, { changes: { title: `T ${i}` } }), 200))]);
    rows.push(['POST stage, refused by the gate', await measure(ITERATIONS, (i) => expectStatus(s.post(`/deals/${pick(i)}/stage`, { stageId: p.stages[1].id }), 422))]);
    rows.push(['POST stage, accepted (New ↔ Won)', await measure(ITERATIONS, (i) => {
      const id = pick(i);
      return s.get(`/deals/${id}`).then((d) => expectStatus(s.post(`/deals/${id}/stage`,
        { stageId: d.body.stageId === p.stages[0].id ? p.stages[2].id : p.stages[0].id }), 200));
    })]);
    const attempt = (email: string, i: number) => new Session(h.baseUrl).request('POST', '/auth/login',
      { email, password: 'wrong password' }, { 'x-forwarded-for': `198.18.${Math.abs(i) % 250}.${Math.floor(Math.abs(i) / 250)}` });
    rows.push(['POST /auth/login, wrong password', await measure(ITERATIONS, (i) => expectStatus(attempt(user.email, i), 401))]);
    rows.push(['POST /auth/login, unknown email (same cost)', await measure(ITERATIONS, (i) => expectStatus(attempt(`nobody${i}@example.test`, i), 401))]);
    const base = pct(baseline, 0.5);
    const line = (cols: string[]) => `| ${cols[0].padEnd(42)} | ${cols.slice(1).map((c) => c.padStart(9)).join(' | ')} |`;
    console.log(`\nDealflow bench: ${ITERATIONS} iterations each, ratios against the median of the baseline (${base.toFixed(2)} ms)\n`);
    console.log(line(['operation', 'median ms', 'p95 ms', 'ratio']));
    console.log(line(['-'.repeat(42), '-'.repeat(9), '-'.repeat(9), '-'.repeat(9)]));
    for (const [name, xs] of rows) {
      console.log(line([name, pct(xs, 0.5).toFixed(2), pct(xs, 0.95).toFixed(2), `${(pct(xs, 0.5) / base).toFixed(1)}×`]));
    }
  } finally {
    await h.close();
    await dropTemplate(adminUrl, runId);
    await temporal.stop();
    await embedded?.stop();
  }
}

if (process.argv.includes('--reads')) {
  await (await import('./bench-reads.ts')).benchReads(process.argv.slice(2));
} else {
  await main();
}
