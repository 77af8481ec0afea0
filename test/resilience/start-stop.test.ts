/**
 * `npm start` as an operator runs it, on its own ports and data folder: killed with SIGKILL it leaves the embedded
 * Postgres and the Temporal dev server behind, and the next start stops those orphans (by their recorded PIDs) and
 * comes up; SIGINT ends every child within seconds, also after Postgres crashed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/services.ts';
import { pidAlive } from '../../runtime/processes.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealflow-start-'));
// as root, the embedded Postgres runs as another user, which must reach its folder inside
fs.chmodSync(dataDir, 0o755);
const started: ChildProcess[] = [];
let env: Record<string, string>;

afterAll(() => {
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
  for (const pid of [postgresPid(), temporalPid()]) if (pid && pidAlive(pid)) process.kill(pid, 'SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const readPid = (f: string) => {
  try {
    return Number(fs.readFileSync(f, 'utf8').split('\n')[0]);
  } catch {
    return 0;
  }
};
const postgresPid = () => readPid(path.join(dataDir, 'postgres', 'postmaster.pid'));
const temporalPid = () => readPid(path.join(dataDir, 'temporal.pid'));

/** a free port whose UI neighbour (port + 1000, the Temporal UI) is a valid port too */
async function temporalPort() {
  for (;;) {
    const p = await freePort();
    if (p < 60000) return p;
  }
}

async function start(): Promise<{ child: ChildProcess; output: () => string }> {
  env ??= {
    PORT: String(await freePort()),
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    EMBEDDED_TEMPORAL_PORT: String(await temporalPort()),
    DEALFLOW_DATA_DIR: dataDir,
    DEALFLOW_ADMIN_PASSWORD: 'a start-stop test secret',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, DATABASE_URL: '', TEMPORAL_ADDRESS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const deadline = Date.now() + 150_000;
  while (!out.includes('Dealflow is running')) {
    if (child.exitCode !== null) {
      const tlog = path.join(dataDir, 'temporal.log');
      throw new Error(
        `npm start exited ${child.exitCode}:\n${out}\n${fs.existsSync(tlog) ? fs.readFileSync(tlog, 'utf8').slice(-2000) : ''}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, output: () => out };
}

async function exitWithin(child: ChildProcess, ms: number): Promise<number> {
  const t0 = Date.now();
  if (child.exitCode === null && child.signalCode === null) {
    await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, ms))]);
  }
  expect(child.exitCode !== null || child.signalCode !== null, `exited within ${ms} ms`).toBe(true);
  return Date.now() - t0;
}

async function goneWithin(pid: number, ms: number) {
  const deadline = Date.now() + ms;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(pidAlive(pid), `process ${pid} still running`).toBe(false);
}

/** the readiness answer's status, or why there was none */
const health = async () =>
  fetch(`http://127.0.0.1:${env.PORT}/api/v1/ready`).then(
    (r) => r.status,
    (e: Error) => `${e.message}: ${String((e.cause as Error | undefined)?.message ?? '')}`,
  );

describe('npm start and its children', () => {
  it('after kill -9, the next start stops the orphans it recorded and comes up; SIGINT then ends every child', async () => {
    const first = await start();
    const [pg1, t1] = [postgresPid(), temporalPid()];
    expect(pg1).toBeGreaterThan(0);
    expect(t1).toBeGreaterThan(0);
    first.child.kill('SIGKILL');
    await exitWithin(first.child, 5000);
    expect(pidAlive(pg1) && pidAlive(t1), 'the orphans are still running').toBe(true);

    const second = await start();
    await goneWithin(pg1, 1000);
    await goneWithin(t1, 1000);
    expect(await health(), second.output()).toBe(200);
    // metrics: HTTP by route, the database pool, and the Temporal SDK's worker metrics
    const metrics = await (await fetch(`http://127.0.0.1:${env.PORT}/metrics`)).text();
    expect(metrics).toMatch(
      /dealflow_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/ready",status="200"\}/,
    );
    expect(metrics).toMatch(/dealflow_db_pool_connections\{state="idle"\}/);
    expect(metrics).toMatch(/^temporal_\w+/m);
    const [pg2, t2] = [postgresPid(), temporalPid()];
    second.child.kill('SIGINT');
    expect(await exitWithin(second.child, 15_000)).toBeLessThan(15_000);
    await goneWithin(pg2, 3000);
    await goneWithin(t2, 3000);
  }, 400_000);

  it('SIGINT after Postgres crashed still ends within seconds, leaving nothing running', async () => {
    const run = await start();
    const [pg, t] = [postgresPid(), temporalPid()];
    process.kill(pg, 'SIGKILL');
    await goneWithin(pg, 3000);
    run.child.kill('SIGINT');
    expect(await exitWithin(run.child, 20_000)).toBeLessThan(20_000);
    await goneWithin(t, 3000);
  }, 300_000);
});
