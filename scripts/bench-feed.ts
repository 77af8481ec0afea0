/**
 * `npm run bench -- --feed-fanout [N]` (default 1,000): N browsers' streams (GET /api/v1/stream) connected to one API
 * process on real Postgres, and a post to the company: the time from sending POST /feed/posts to each stream receiving
 * its `event: feed`, for 20 posts one after another. The baseline, in the same run, is the same with one stream
 * connected. The streams are read in a worker thread (scripts/bench-feed-clients.ts), so they do not share the API's
 * event loop; they are one process with it all the same, on the same cores.
 */
import { Worker } from 'node:worker_threads';
import { benchServices, flagCount } from './bench-services.ts';
import { fixtures, login, type Harness, type Session } from '../test/support/harness.ts';
import { LiveFeed } from '../modules/timeline/live.ts';

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];
const POSTS = 20;
const STREAMS_PER_USER = 10;

/** Posts one after another; each waits until every stream has it. Returns the delays in ms, sorted. */
async function fanOut(h: Harness, author: Session, readers: Session[], streamsEach: number) {
  const arrived = new Map<string, number[]>();
  const early: [string, number][] = [];
  const cookies = readers.flatMap((r) => Array.from({ length: streamsEach }, () => r.cookie));
  const total = cookies.length;
  const worker = new Worker(new URL('./bench-feed-clients.ts', import.meta.url), {
    workerData: { baseUrl: author.baseUrl, cookies },
  });
  worker.on('message', (m: { type: string; items?: [string, number][] }) => {
    for (const [postId, at] of m.items ?? []) {
      const list = arrived.get(postId);
      if (list) list.push(at);
      else early.push([postId, at]);
    }
  });
  while (h.ctx.live.size < total) await new Promise((r) => setTimeout(r, 100));
  const delays: number[] = [];
  let missing = 0;
  for (let p = 0; p < POSTS; p++) {
    early.length = 0;
    const sent = performance.timeOrigin + performance.now();
    const r = await author.post('/feed/posts', { audience: 'company', body: `Bench post ${p}` });
    if (r.status !== 201) throw new Error(`post: ${r.status} ${JSON.stringify(r.body)}`);
    const id = (r.body as { id: string }).id;
    // streams may have received it before the POST's answer came back
    const list = early.filter(([pid]) => pid === id).map(([, at]) => at);
    arrived.set(id, list);
    const deadline = Date.now() + 30_000;
    while (list.length < total && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
    missing += total - list.length;
    for (const at of list) delays.push(at - sent);
  }
  worker.postMessage({ type: 'close' });
  while (h.ctx.live.size > 0) await new Promise((r) => setTimeout(r, 100));
  await worker.terminate();
  return { delays: delays.sort((a, b) => a - b), missing, total };
}

export async function benchFeed(argv: string[]) {
  const n = flagCount(argv, '--feed-fanout', 1000);
  const { h, close } = await benchServices();
  try {
    // each reader holds STREAMS_PER_USER streams (several tabs of several browsers); the API process allows that many
    await h.ctx.live.close();
    h.ctx.live = new LiveFeed(h.databaseUrl, h.ctx.orm, { maxStreamsPerUser: STREAMS_PER_USER });
    const f = fixtures(h);
    const author = await login(h, (await f.user('manager')).email);
    const users = [];
    for (let k = 0; k < Math.ceil(n / STREAMS_PER_USER); k++) users.push(await f.user('manager'));
    const readers: Session[] = [];
    for (const u of users) readers.push(await login(h, u.email));
    const base = await fanOut(h, author, readers.slice(0, 1), 1);
    const load = await fanOut(h, author, readers, Math.min(STREAMS_PER_USER, n));
    const row = (name: string, r: { delays: number[]; missing: number; total: number }) =>
      `| ${name.padEnd(40)} | ${String(r.total).padStart(7)} | ${String(r.delays.length).padStart(7)} | ${pct(
        r.delays,
        0.5,
      )
        .toFixed(0)
        .padStart(
          6,
        )} | ${pct(r.delays, 0.95).toFixed(0).padStart(6)} | ${pct(r.delays, 0.99).toFixed(0).padStart(6)} | ${r.delays[
        r.delays.length - 1
      ]
        .toFixed(0)
        .padStart(6)} | ${String(r.missing).padStart(7)} |`;
    console.log(`\nFeed fan-out: ms from POST /feed/posts to each connected stream's \`event: feed\` (${POSTS} posts)`);
    console.log(`| ${'run'.padEnd(40)} | streams | samples |    p50 |    p95 |    p99 |    max | missing |`);
    console.log(`|${'-'.repeat(42)}|---------|---------|--------|--------|--------|--------|---------|`);
    console.log(row('baseline: 1 stream', base));
    console.log(row(`${load.total} streams`, load));
    console.log(
      `\np99 target: ≤ 500 ms; p99 ratio to the baseline's: ${(pct(load.delays, 0.99) / Math.max(1, pct(base.delays, 0.99))).toFixed(1)}×`,
    );
  } finally {
    await close();
  }
}
