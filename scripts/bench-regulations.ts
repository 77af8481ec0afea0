/**
 * Regulation rows of the bench (`npm run bench -- --regulations`): instances started at 100 a second (open loop: each
 * start is sent at its slot whether or not the earlier ones answered) with the time from its slot until its first
 * user task is in the inbox; then a task completed to the next task visible. A start's answer comes after the write
 * of the instance row, which inserts the task row in the same transaction (modules/regulations/start.ts), so its
 * answer is the moment the task is in the inbox; the rows are counted afterwards to be sure. The baseline (GET /health) is measured in
 * the same run.
 */
import { fixtures, login, type Harness, type Session } from '../test/support/harness.ts';

const RATE = Number(process.env.BENCH_REGULATION_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_REGULATION_SECONDS ?? 5);
const COMPLETIONS = Number(process.env.BENCH_REGULATION_COMPLETIONS ?? 100);

type Measure = (n: number, fn: (i: number) => Promise<unknown>) => Promise<number[]>;
type Expect = (p: Promise<{ status: number; body: unknown }>, status: number) => Promise<unknown>;

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:dealflow="https://dealflow.dev/schema/bpmn/1.0" id="d" targetNamespace="x">
  <bpmn:process id="bench_review" name="Bench review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first" />
    <bpmn:userTask id="first" name="First look" dealflow:candidateGroups="Bench" dealflow:formKey="first" />
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second" />
    <bpmn:userTask id="second" name="Second look" dealflow:candidateGroups="Bench" dealflow:formKey="second" />
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

/** the same, its first task due in a day: a run is started to wake on the due time (modules/regulations/start.ts) */
const XML_DUE = XML.replace('bench_review', 'bench_due')
  .replace('name="Bench review"', 'name="Bench review with a due time"')
  .replace('dealflow:formKey="first" />', 'dealflow:formKey="first" dealflow:due="P1D" />');

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];
const row = (name: string, xs: number[]) =>
  `| ${name.padEnd(58)} | ${String(xs.length).padStart(5)} | ${pct(xs, 0.5).toFixed(1).padStart(8)} | ${pct(xs, 0.95).toFixed(1).padStart(8)} | ${pct(xs, 0.99).toFixed(1).padStart(8)} |`;

export async function benchRegulations(h: Harness, iterations: number, measure: Measure, expectStatus: Expect) {
  const f = fixtures(h);
  const team = await f.department('Bench');
  const owner = await login(h, (await f.user('process_owner')).email);
  const member = await login(h, (await f.user('member', { departmentId: team.id })).email);
  await expectStatus(owner.post('/regulations', { xml: XML }), 201);
  await expectStatus(owner.post('/regulations', { xml: XML_DUE }), 201);

  const baseline = await measure(iterations, () => expectStatus(member.get('/health'), 200));
  // warm-up: the workflow code, the connections
  for (let i = 0; i < 5; i++) {
    await expectStatus(member.post('/regulations/bench_review/instances', {}), 201);
    await expectStatus(member.post('/regulations/bench_due/instances', {}), 201);
  }

  /** open loop: `rate` starts a second for `seconds`, each timed from its slot (a start queued behind others counts) */
  const burst = async (rate: number, seconds: number, key = 'bench_review') => {
    const n = rate * seconds;
    const xs: number[] = [];
    const ids: string[] = [];
    let failed = 0;
    const t0 = performance.now() + 50;
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const slot = t0 + (i * 1000) / rate;
        await new Promise((r) => setTimeout(r, Math.max(0, slot - performance.now())));
        const r = await member.post(`/regulations/${key}/instances`, {}).catch(() => null);
        if (r?.status !== 201) {
          failed++;
          return;
        }
        xs.push(performance.now() - slot);
        ids.push((r.body as { id: string }).id);
      }),
    );
    const wall = (performance.now() - t0) / 1000;
    xs.sort((x, y) => x - y);
    return { n, xs, ids, failed, achieved: ids.length / wall };
  };
  const openFirsts = async (ids: string[]) =>
    Number(
      (
        await h.ctx.orm.em
          .fork()
          .getConnection()
          .execute<{ n: string }[]>(
            `select count(*) as n from regulation_tasks where node_id = 'first' and status = 'open' and instance_id = any(?::uuid[])`,
            [`{${ids.join(',')}}`],
          )
      )[0].n,
    );
  /** until the workflows of starts that timed out have caught up (their tasks appear later), at most a minute */
  const drain = async () => {
    let last = -1;
    for (let i = 0; i < 60; i++) {
      const [r] = await h.ctx.orm.em
        .fork()
        .getConnection()
        .execute<{ n: string }[]>(`select count(*) as n from regulation_instances`);
      if (Number(r.n) === last) return;
      last = Number(r.n);
      await new Promise((res) => setTimeout(res, 1000));
    }
  };

  const slow = await burst(Math.max(1, Math.round(RATE / 5)), SECONDS);
  const slowOpen = await openFirsts(slow.ids);
  await drain();
  const fast = await burst(RATE, SECONDS);
  const fastOpen = await openFirsts(fast.ids);
  await drain();
  const due = await burst(RATE, SECONDS, 'bench_due');
  const dueOpen = await openFirsts(due.ids);
  await drain();

  // a task completed → the next one in the inbox (the answer comes after the write that opened it)
  const tasks = async (s: Session) =>
    ((await s.get('/tasks')).body as { items: { id: string; instanceId: string; nodeId: string }[] }).items;
  const firsts = (await tasks(member)).filter((t) => t.nodeId === 'first').slice(0, COMPLETIONS);
  const toNext: number[] = [];
  let completionsFailed = 0;
  for (const t of firsts) {
    const a = performance.now();
    const r = await member.post(`/tasks/${t.id}/complete`, { variables: { ok: true } }).catch(() => null);
    if (r?.status === 200) toNext.push(performance.now() - a);
    else completionsFailed++;
  }
  toNext.sort((a, b) => a - b);
  const [next] = await h.ctx.orm.em
    .fork()
    .getConnection()
    .execute<{ n: string }[]>(
      `select count(*) as n from regulation_tasks where node_id = 'second' and status = 'open' and instance_id = any(?::uuid[])`,
      [`{${firsts.map((t) => t.instanceId).join(',')}}`],
    );
  const inbox = await measure(iterations, () => tasks(member));

  const line = (b: Awaited<ReturnType<typeof burst>>, open: number) =>
    `${b.xs.length} of ${b.n} answered 201 (${b.failed} failed, ${b.achieved.toFixed(0)}/s achieved), ${open} first tasks open at once`;
  console.log(`\n| ${'regulations (ms)'.padEnd(58)} |     n |      p50 |      p95 |      p99 |`);
  console.log(`|${'-'.repeat(60)}|-------|----------|----------|----------|`);
  console.log(row('GET /health (baseline)', baseline));
  const empty = (xs: number[]) => (xs.length ? xs : [NaN]);
  console.log(row(`start → first task in the inbox (${Math.round(RATE / 5)}/s for ${SECONDS} s)`, empty(slow.xs)));
  console.log(row(`start → first task in the inbox (${RATE}/s for ${SECONDS} s)`, empty(fast.xs)));
  console.log(row(`the same, its first task due in a day (a run started) (${RATE}/s)`, empty(due.xs)));
  console.log(row('task completed → next task in the inbox', empty(toNext)));
  console.log(row('GET /tasks (the inbox)', inbox));
  console.log(
    `\n${Math.round(RATE / 5)}/s: ${line(slow, slowOpen)}\n${RATE}/s: ${line(fast, fastOpen)}\n` +
      `${RATE}/s with a due time: ${line(due, dueOpen)}\n` +
      `completions: ${toNext.length} of ${firsts.length} (${completionsFailed} failed); ${next.n} second tasks open after them`,
  );
}
