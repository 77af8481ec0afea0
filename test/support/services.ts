/** Shared by the test run's global setup and by `npm run bench`: the real services a run needs. */
import path from 'node:path';
import net from 'node:net';
import pg from 'pg';
import type { LocalPostgres } from '../../runtime/embedded-postgres.ts';
import { initORM } from '../../server/orm.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** one template per run, so that runs started side by side never drop each other's databases */
export const templateDb = (runId: string) => `dealflow_tpl_${runId}`;
export const newRunId = () => `${Date.now().toString(36)}${process.pid.toString(36)}`;

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

export function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** TEST_DATABASE_URL, else the machine's Postgres on 127.0.0.1:5432, else an embedded one under .data/test. */
export async function testPostgres(): Promise<{ adminUrl: string; embedded: LocalPostgres | null }> {
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await reachable(adminUrl)) return { adminUrl, embedded: null };
  // imported only when used: the package installs process exit hooks as soon as it is loaded
  const { startEmbeddedPostgres } = await import('../../runtime/embedded-postgres.ts');
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(ROOT, '.data', 'test'), port: 54339 });
  return { adminUrl: withDb(embedded.url, 'postgres'), embedded };
}

export async function createTemplate(adminUrl: string, runId: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${templateDb(runId)}`);
  await admin.end();
  const orm = await initORM(withDb(adminUrl, templateDb(runId)), { migrate: true });
  await orm.close();
}

export async function dropTemplate(adminUrl: string, runId: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${templateDb(runId)} with (force)`);
  await admin.end();
}
