/**
 * Once per test run: a real Temporal dev server (in memory) and a migrated template database on a real Postgres.
 * Each test file then clones the template into a fresh database (test/support/harness.ts).
 */
import path from 'node:path';
import net from 'node:net';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startTemporalDevServer, type TemporalDevServer } from '../../runtime/temporal-dev.ts';
import { startEmbeddedPostgres, type LocalPostgres } from '../../runtime/embedded-postgres.ts';
import { initORM } from '../../server/orm.ts';
import { workflowBundle } from '../../runtime/worker.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** one template per run, so that runs started side by side never drop each other's databases */
export const templateDb = (runId: string) => `dealflow_tpl_${runId}`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try { await c.connect(); await c.end(); return true; } catch { return false; }
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

let temporal: TemporalDevServer | null = null;
let runId = '';
let pgAdminUrl = '';
let embedded: LocalPostgres | null = null;

export async function setup(project: TestProject) {
  // Postgres: TEST_DATABASE_URL, else the machine's server on 127.0.0.1:5432, else an embedded one
  let adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!(await reachable(adminUrl))) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(ROOT, '.data', 'test'), port: 54339 });
    adminUrl = withDb(embedded.url, 'postgres');
  }
  runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${templateDb(runId)}`);
  await admin.end();
  const orm = await initORM(withDb(adminUrl, templateDb(runId)), { migrate: true });
  await orm.close();
  pgAdminUrl = adminUrl;

  const port = await freePort();
  const [server] = await Promise.all([
    startTemporalDevServer({ port, logFile: path.join(ROOT, '.data', 'test-temporal.log') }),
    workflowBundle(path.join(ROOT, '.data', 'cache')),
  ]);
  temporal = server;
  project.provide('pgAdminUrl', adminUrl);
  project.provide('runId', runId);
  project.provide('temporalAddress', temporal.address);
}

export async function teardown() {
  await temporal?.stop();
  if (pgAdminUrl) {
    const admin = new pg.Client({ connectionString: pgAdminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${templateDb(runId)} with (force)`);
    await admin.end();
  }
  await embedded?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    temporalAddress: string;
    runId: string;
  }
}
