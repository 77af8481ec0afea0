import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client, Connection } from '@temporalio/client';
import { createActivities } from '../activities/index.ts';
import type { FileStorage } from '../modules/files/storage.ts';
import { fileSweepWorkflowId } from '../workflows/file-sweep.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const WORKFLOWS = path.join(ROOT, 'workflows', 'index.ts');

function sourceHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) h.update(p).update(fs.readFileSync(p));
    }
  };
  walk(path.join(ROOT, 'workflows'));
  walk(path.join(ROOT, 'modules'));
  h.update(fs.readFileSync(path.join(ROOT, 'node_modules', '@temporalio', 'workflow', 'package.json')));
  return h.digest('hex').slice(0, 16);
}

/** Bundles the workflow code once per source version and keeps the bundle in cacheDir, so a warm start skips webpack. */
export async function workflowBundle(cacheDir: string): Promise<WorkflowBundleWithSourceMap> {
  const file = path.join(cacheDir, `workflow-bundle-${sourceHash()}.js`);
  if (fs.existsSync(file)) return { code: fs.readFileSync(file, 'utf8'), sourceMap: '' } as WorkflowBundleWithSourceMap;
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS, logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never });
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
/** Quiets the SDK's own logging to warnings (or what DEALFLOW_WORKER_LOG_LEVEL says); once per process. */
function installRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = (process.env.DEALFLOW_WORKER_LOG_LEVEL ?? 'WARN') as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level),
    telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
  });
}

export interface WorkerHandle { worker: Worker; done: Promise<void>; stop(): Promise<void> }

export async function startWorker(opts: {
  temporalAddress: string; namespace: string; taskQueue: string; orm: MikroORM; storage: FileStorage; cacheDir: string;
}): Promise<WorkerHandle> {
  installRuntime();
  const connection = await NativeConnection.connect({ address: opts.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: await workflowBundle(opts.cacheDir),
    activities: createActivities({ orm: opts.orm, storage: opts.storage }),
  });
  const done = worker.run().finally(() => connection.close());
  // the upkeep workflows run once per task queue, whichever worker starts first
  const client = new Client({ connection: await Connection.connect({ address: opts.temporalAddress }), namespace: opts.namespace });
  try {
    await client.workflow.start('fileSweepWorkflow', {
      workflowId: fileSweepWorkflowId(opts.taskQueue), taskQueue: opts.taskQueue, workflowIdConflictPolicy: 'USE_EXISTING',
    });
  } finally {
    await client.connection.close();
  }
  return {
    worker, done,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
