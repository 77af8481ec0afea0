import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type LogLevel,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client, Connection } from '@temporalio/client';
import { createActivities } from '../activities/index.ts';
import type { FileStorage } from '../modules/files/storage.ts';
import { createNotificationMailer } from '../modules/notifications/mail.ts';
import type { Config } from '../server/config.ts';
import { DISPATCHERS, dispatchWorkflowId } from '../workflows/dispatch.ts';
import { fileSweepWorkflowId } from '../workflows/file-sweep.ts';
import { planDeadlinesWorkflowId } from '../workflows/plan-deadlines.ts';
import { logger } from '../server/logger.ts';
import { setTemporalMetricsAddress } from '../server/metrics.ts';
import { requestIdActivityInterceptor } from '../server/temporal-interceptors.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const WORKFLOWS = path.join(ROOT, 'workflows', 'index.ts');
const WORKFLOW_INTERCEPTORS = path.join(ROOT, 'workflows', 'interceptors.ts');

/**
 * Libraries of the workflow code that are pure and costly to initialise (workflows/preload.ts: the FEEL engine with
 * its parser, RRULE), loaded once when the worker's V8 context is made and shared by every workflow (frozen), instead
 * of initialised again for each workflow run: a run started for one command (a regulation's task completed) otherwise
 * spends most of its time building the FEEL parser.
 */
const PRELOADED = [path.join(ROOT, 'workflows', 'preload.ts')];

function sourceHash(): string {
  const h = createHash('sha256');
  h.update('preload:workflows/preload.ts');
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.endsWith('.ts') || p.endsWith('.json')) h.update(p).update(fs.readFileSync(p));
    }
  };
  // every folder workflow code imports from, and the locked versions of the libraries it bundles (rrule, feelin…)
  walk(path.join(ROOT, 'workflows'));
  walk(path.join(ROOT, 'modules'));
  walk(path.join(ROOT, 'bpmn'));
  h.update(fs.readFileSync(path.join(ROOT, 'package-lock.json')));
  return h.digest('hex').slice(0, 16);
}

/** Bundles the workflow code once per source version and keeps the bundle in cacheDir, so a warm start skips webpack. */
export async function workflowBundle(cacheDir: string): Promise<WorkflowBundleWithSourceMap> {
  const file = path.join(cacheDir, `workflow-bundle-${sourceHash()}.js`);
  if (fs.existsSync(file)) return { code: fs.readFileSync(file, 'utf8'), sourceMap: '' };
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS,
    workflowInterceptorModules: [WORKFLOW_INTERCEPTORS],
    preloadModules: PRELOADED,
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
  });
  fs.mkdirSync(cacheDir, { recursive: true });
  for (const old of fs.readdirSync(cacheDir).filter((f) => f.startsWith('workflow-bundle-') && !f.endsWith('.tmp'))) {
    fs.rmSync(path.join(cacheDir, old), { force: true });
  }
  const tmp = `${file}.${process.pid}.tmp`; // replicas sharing the cache folder never write the same temporary file
  fs.writeFileSync(tmp, bundle.code);
  fs.renameSync(tmp, file);
  return bundle;
}

let runtimeInstalled = false;
/**
 * The SDK's logging (workflow, activity and Core log lines, with their request id) goes to the process's JSON log, at
 * warnings and above unless DEALFLOW_WORKER_LOG_LEVEL says otherwise; with metricsAddress the SDK's Core serves its
 * worker metrics there in Prometheus format (appended to /metrics). Once per process.
 */
function installRuntime(metricsAddress?: string) {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = (process.env.DEALFLOW_WORKER_LOG_LEVEL ?? 'WARN') as LogLevel;
  const sdkLog = logger.child({ component: 'temporal' });
  const method = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => sdkLog[method[entry.level]]({ ...entry.meta }, entry.message)),
    telemetryOptions: {
      logging: { filter: { core: level, other: level }, forward: {} },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
  if (metricsAddress) setTemporalMetricsAddress(metricsAddress);
}

/** The address users open the web app at, for links in emails. */
export function publicUrlOf(c: Pick<Config, 'DEALFLOW_PUBLIC_URL' | 'HOST' | 'PORT'>): string {
  return c.DEALFLOW_PUBLIC_URL ?? `http://${c.HOST === '0.0.0.0' || c.HOST === '::' ? 'localhost' : c.HOST}:${c.PORT}`;
}

export interface WorkerHandle {
  worker: Worker;
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorker(opts: {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  orm: MikroORM;
  storage: FileStorage;
  cacheDir: string;
  /** host:port where the SDK serves its worker metrics (only the first worker of a process sets it) */
  metricsAddress?: string;
  /** workflows kept in memory between their tasks (DEALFLOW_WORKFLOW_CACHE); beyond, the least recent is evicted */
  maxCachedWorkflows?: number;
  /** the SMTP settings notifications are mailed with (DEALFLOW_SMTP_URL, DEALFLOW_MAIL_FROM, DEALFLOW_PUBLIC_URL) */
  config?: Pick<Config, 'DEALFLOW_SMTP_URL' | 'DEALFLOW_MAIL_FROM' | 'DEALFLOW_PUBLIC_URL' | 'HOST' | 'PORT'>;
}): Promise<WorkerHandle> {
  installRuntime(opts.metricsAddress);
  const mailer = createNotificationMailer(
    opts.orm,
    {
      smtpUrl: opts.config?.DEALFLOW_SMTP_URL,
      from: opts.config?.DEALFLOW_MAIL_FROM,
      publicUrl: opts.config ? publicUrlOf(opts.config) : 'http://localhost:3000',
    },
    logger.child({ component: 'mail' }),
  );
  const connection = await NativeConnection.connect({ address: opts.temporalAddress });
  // set by stop(), or seen in the worker's state when the SDK stops it (a signal): long activities end then
  let stopping = false;
  const made: { worker?: Worker } = {};
  const shuttingDown = () =>
    stopping || (made.worker !== undefined && !['INITIALIZED', 'RUNNING'].includes(made.worker.getState()));
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: await workflowBundle(opts.cacheDir),
    ...(opts.maxCachedWorkflows ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    activities: createActivities({ orm: opts.orm, storage: opts.storage, mailer, shuttingDown }),
    interceptors: { activity: [requestIdActivityInterceptor] },
  });
  made.worker = worker;
  const done = worker.run().finally(() => {
    mailer.close();
    return connection.close();
  });
  // the upkeep workflows run once per task queue, whichever worker starts first
  const client = new Client({
    connection: await Connection.connect({ address: opts.temporalAddress }),
    namespace: opts.namespace,
  });
  try {
    await client.workflow.start('fileSweepWorkflow', {
      workflowId: fileSweepWorkflowId(opts.taskQueue),
      taskQueue: opts.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    await client.workflow.start('planDeadlinesWorkflow', {
      workflowId: planDeadlinesWorkflowId(opts.taskQueue),
      taskQueue: opts.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    for (let n = 0; n < DISPATCHERS; n++) {
      await client.workflow.start('dispatchWorkflow', {
        workflowId: dispatchWorkflowId(opts.taskQueue, n),
        taskQueue: opts.taskQueue,
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    }
  } finally {
    await client.connection.close();
  }
  return {
    worker,
    done,
    stop: async () => {
      stopping = true;
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
