/**
 * One test file's world: a fresh database cloned from the migrated template, the real worker on its own task
 * queue against the run's Temporal dev server, and the real HTTP app listening on a free port.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pg from 'pg';
import { parseConfig } from '../../server/config.ts';
import { createAppContext, closeAppContext } from '../../server/app-context.ts';
import { createApp } from '../../api/app.ts';
import { initORM } from '../../server/orm.ts';
import { startWorker, type WorkerHandle } from '../../runtime/worker.ts';
import type { AppContext } from '../../server/context.ts';
import { User, type Role } from '../../modules/accounts/entities.ts';
import { hashPassword } from '../../modules/accounts/secrets.ts';
import { Department } from '../../modules/org/entities.ts';
import { Client } from '../../modules/clients/entities.ts';
import { DealField, DocumentKind, Pipeline, Stage } from '../../modules/pipelines/entities.ts';
import { templateDb } from './services.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const PASSWORD = 'correct horse battery';
let passwordHash: Promise<string> | null = null;

export interface Harness {
  ctx: AppContext;
  baseUrl: string;
  databaseUrl: string;
  taskQueue: string;
  /** the worker running now (replaced by startAnotherWorker) */
  worker: WorkerHandle;
  /** starts a worker like the first one (after a test stopped `worker`), and makes it the one `close` stops */
  startAnotherWorker(): Promise<WorkerHandle>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** defaults: what the run's global setup provides */
  pgAdminUrl?: string;
  temporalAddress?: string;
  /** the run whose template database to clone */
  runId?: string;
  /** rewrites the addresses the app and worker use, e.g. to route them through a proxy that a test can cut */
  route?: (addr: {
    databaseUrl: string;
    temporalAddress: string;
  }) => Promise<{ databaseUrl: string; temporalAddress: string }>;
  /** gives the worker its own connection to the database at this address (e.g. through a proxy only it uses) */
  workerDatabaseUrl?: (databaseUrl: string) => Promise<string>;
  /** connects the worker to Temporal at this address (e.g. through a proxy only it uses) */
  workerTemporalAddress?: (temporalAddress: string) => Promise<string>;
  /** more settings, as environment variables (e.g. DEALFLOW_TRUST_PROXY) */
  config?: Record<string, string>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const provided = opts.pgAdminUrl && opts.temporalAddress && opts.runId ? null : (await import('vitest')).inject;
  const runId = opts.runId ?? provided!('runId');
  const adminUrl = opts.pgAdminUrl ?? provided!('pgAdminUrl');
  const directTemporal = opts.temporalAddress ?? provided!('temporalAddress');
  const dbName = `dealflow_test_${runId}_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName} template ${templateDb(runId)}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const routed = opts.route
    ? await opts.route({ databaseUrl: u.toString(), temporalAddress: directTemporal })
    : { databaseUrl: u.toString(), temporalAddress: directTemporal };
  const { databaseUrl, temporalAddress } = routed;
  const taskQueue = `test-${dbName}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dealflow-test-'));
  const config = parseConfig({
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DEALFLOW_DATA_DIR: dataDir,
    DEALFLOW_UPLOAD_LIMIT_MB: '1',
    ...opts.config,
  });
  const ctx = await createAppContext(config, { databaseUrl, temporalAddress });
  const workerOrm = opts.workerDatabaseUrl ? await initORM(await opts.workerDatabaseUrl(databaseUrl)) : null;
  const workerOptions = {
    temporalAddress: opts.workerTemporalAddress ? await opts.workerTemporalAddress(temporalAddress) : temporalAddress,
    namespace: 'default',
    taskQueue,
    orm: workerOrm ?? ctx.orm,
    storage: ctx.storage,
    cacheDir: path.join(ROOT, '.data', 'cache'),
    maxCachedWorkflows: config.DEALFLOW_WORKFLOW_CACHE,
    config,
  };
  const worker = await startWorker(workerOptions);
  const server: Server = await new Promise((resolve) => {
    const s = createApp(ctx).listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const harness: Harness = {
    ctx,
    baseUrl,
    databaseUrl,
    taskQueue,
    worker,
    startAnotherWorker: async () => (harness.worker = await startWorker(workerOptions)),
    close: async () => {
      const pool = await ctx.orm.em.getConnection().getNativeClient();
      const step = named(dbName, adminUrl, () => ({
        pool: { clients: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
      }));
      server.closeAllConnections();
      await step('the HTTP server', new Promise((r) => server.close(r)));
      await step('the first worker', worker.stop(), worker);
      await step('the worker running now', harness.worker.stop(), harness.worker);
      await step("the worker's own database pool", workerOrm?.close());
      await closeAppContext(ctx, (what, done) => step(`the app context: ${what}`, done));
      fs.rmSync(dataDir, { recursive: true, force: true });
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${dbName} with (force)`);
      await a.end();
    },
  };
  return harness;
}

/**
 * Awaits one step of closing the harness. Should it take over 20 s, it says which step is waiting, what the test
 * database's connections and the app's pool are doing and, for a worker, what the worker still has in flight, so a
 * close that hangs explains itself in the test's output. A step is given up on after a minute, as `npm start` gives
 * up on its own after seconds (scripts/start.ts): the test has passed or failed by then, and its database is dropped
 * next, whatever it still holds.
 */
function named(dbName: string, adminUrl: string, state: () => Record<string, unknown>) {
  return async <T>(what: string, p: Promise<T> | undefined, worker?: WorkerHandle): Promise<T | undefined> => {
    const timer = setTimeout(() => {
      const a = new pg.Client({ connectionString: adminUrl });
      a.on('error', () => {});
      const seen = JSON.stringify({ ...state(), ...(worker ? { worker: worker.worker.getStatus() } : {}) });
      void a
        .connect()
        .then(() =>
          a.query(
            `select pid, state, wait_event_type, wait_event, now() - query_start as running, left(query, 200) as query
               from pg_stat_activity where datname = $1`,
            [dbName],
          ),
        )
        .then((r) => console.error(`harness: closing ${what} has taken over 20 s`, seen, r.rows))
        .catch((e: unknown) => console.error(`harness: closing ${what} has taken over 20 s`, seen, e))
        .finally(() => void a.end().catch(() => {}));
    }, 20_000);
    let giveUp: NodeJS.Timeout | undefined;
    const bound = new Promise<undefined>((resolve) => {
      giveUp = setTimeout(() => {
        console.error(`harness: closing ${what} has not ended in 60 s; going on without it`);
        resolve(undefined);
      }, 60_000);
    });
    try {
      return await Promise.race([p, bound]);
    } finally {
      clearTimeout(timer);
      clearTimeout(giveUp);
    }
  };
}

/** An HTTP client holding one user's session, as the browser would (cookie + CSRF header). */
export class Session {
  cookie = '';
  csrf = '';
  constructor(
    readonly baseUrl: string,
    readonly bearer?: string,
  ) {}

  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (typeof body === 'string') {
      payload = body;
      h['content-type'] ??= 'application/json';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] = 'application/json';
    }
    const res = await fetch(`${this.baseUrl}/api/v1${url}`, { method, headers: h, body: payload });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON the tests read and assert on
    let json: any;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  }

  get = (url: string) => this.request('GET', url);
  post = (url: string, body?: unknown) => this.request('POST', url, body ?? {});
  patch = (url: string, body: unknown) => this.request('PATCH', url, body);
  put = (url: string, body: unknown) => this.request('PUT', url, body);
  delete = (url: string) => this.request('DELETE', url);
}

export async function login(h: Harness, email: string, password = PASSWORD): Promise<Session> {
  const s = new Session(h.baseUrl);
  const r = await s.post('/auth/login', { email, password });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  s.csrf = r.body.csrfToken;
  return s;
}

/** Fixture builders write straight to the database; the behaviour under test always goes through HTTP. */
export function fixtures(h: Harness) {
  const em = () => h.ctx.orm.em.fork();
  return {
    async user(role: Role, extra: { departmentId?: string; name?: string } = {}) {
      passwordHash ??= hashPassword(PASSWORD);
      const e = em();
      const id = randomUUID();
      const user = e.create(User, {
        id,
        email: `${role}-${id.slice(0, 8)}@example.test`,
        name: extra.name ?? `${role} ${id.slice(0, 4)}`,
        passwordHash: await passwordHash,
        role,
        departmentId: extra.departmentId ?? null,
      });
      await e.flush();
      return { id: user.id, email: user.email, name: user.name, role };
    },
    async department(name: string, leadId: string | null = null, parentId: string | null = null) {
      const e = em();
      const d = e.create(Department, { id: randomUUID(), name, leadId, parentId, isSalesGroup: true });
      await e.flush();
      return d;
    },
    async client(ownerId: string, name = `Client ${randomUUID().slice(0, 6)}`) {
      const e = em();
      const c = e.create(Client, { id: randomUUID(), name, ownerId });
      await e.flush();
      return c;
    },
    async documentKind(code = `kind_${randomUUID().slice(0, 8)}`, name = 'Commercial proposal') {
      const e = em();
      const k = e.create(DocumentKind, { id: randomUUID(), code, name });
      await e.flush();
      return k;
    },
    async dealField(
      key: string,
      type: 'text' | 'number' | 'money' | 'date' | 'select' | 'user' | 'client' | 'file',
      options: string[] = [],
    ) {
      const e = em();
      const f = e.create(DealField, { id: randomUUID(), key, label: key, type, options });
      await e.flush();
      return f;
    },
    /** A pipeline; each stage: [name, kind, required field keys, required document kind ids] */
    async pipeline(stages: [string, 'open' | 'won' | 'lost', string[], string[]][], name = 'Sales') {
      const e = em();
      const p = e.create(Pipeline, { id: randomUUID(), name });
      const rows = stages.map(([n, kind, fields, kinds], position) =>
        e.create(Stage, {
          id: randomUUID(),
          pipelineId: p.id,
          name: n,
          position,
          kind,
          requiredFields: fields,
          requiredDocumentKinds: kinds,
        }),
      );
      await e.flush();
      return { id: p.id, stages: rows.map((r) => ({ id: r.id, name: r.name })) };
    },
  };
}

/** The version a record has now, as the client would have read it before an edit (1 when there is no such row). */
export async function versionOf(
  h: Harness,
  table: 'users' | 'departments' | 'clients' | 'contacts' | 'pipelines',
  id: string,
) {
  const rows = await h.ctx.orm.em
    .fork()
    .getConnection()
    .execute<{ version: number }[]>(`select version from ${table} where id = ?`, [id]);
  return rows[0]?.version ?? 1;
}
