/**
 * `npm start`: the whole product on one machine. Starts what is not configured (embedded Postgres, a Temporal
 * dev server), migrates, builds the web app when its sources changed, then runs the worker and the API.
 */
import { execFileSync } from 'node:child_process';
import type { Server } from 'node:http';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ConfigError, parseConfig } from '../server/config.ts';
import { resolveServices, type Services } from '../server/services.ts';
import { closeAppContext, createAppContext } from '../server/app-context.ts';
import { createApp } from '../api/app.ts';
import type { AppContext } from '../server/context.ts';
import { startWorker, type WorkerHandle } from '../runtime/worker.ts';
import { within } from '../runtime/processes.ts';
import { ensureFirstAdmin, seedDefaults } from '../modules/setup/first-run.ts';
import { seedDemoDeals } from '../modules/setup/demo-deals.ts';
import { installExampleRegulations } from '../modules/regulations/examples/index.ts';
import { User } from '../modules/accounts/entities.ts';

const t0 = Date.now();
const log = (m: string) => console.log(`[dealflow ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
const ROOT = path.resolve(import.meta.dirname, '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function buildWebIfStale() {
  const index = path.join(ROOT, 'dist', 'web', 'index.html');
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  if (built >= newestMtime(path.join(ROOT, 'web'))) return;
  log('building the web app');
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
}

/** a free local port, for the Temporal SDK's worker metrics (served on it, appended to /metrics) */
const freeLocalPort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net
      .createServer()
      .listen(0, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      })
      .once('error', reject);
  });

async function main() {
  let config;
  try {
    config = parseConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  let services: Services | null = null;
  let worker: WorkerHandle | null = null;
  let ctx: AppContext | null = null;
  let server: Server | null = null;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping');
    // every step has a deadline (a dead Postgres must not keep the worker or the pool waiting), and the whole stop
    // ends within seconds; the local services are stopped last, each with SIGKILL after a grace period
    setTimeout(() => {
      console.error('stopping took too long; exiting');
      process.exit(code || 1);
    }, 20_000);
    server?.closeAllConnections();
    await within(2000, new Promise((r) => (server ? server.close(r) : r(null))));
    await within(5000, worker?.stop().catch(() => {}) ?? Promise.resolve());
    if (ctx)
      await within(
        3000,
        closeAppContext(ctx).catch(() => {}),
      );
    await services?.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  try {
    services = await resolveServices(config, log);
    if (config.DEALFLOW_ROLE !== 'worker') buildWebIfStale();
    log('connecting and migrating the database');
    ctx = await createAppContext(config, services);
    const em = ctx.orm.em.fork();
    const admin = await ensureFirstAdmin(em, {
      email: config.DEALFLOW_ADMIN_EMAIL,
      password: config.DEALFLOW_ADMIN_PASSWORD,
    });
    if (config.DEALFLOW_ROLE !== 'api') {
      log('starting the worker');
      worker = await startWorker({
        temporalAddress: services.temporalAddress,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        orm: ctx.orm,
        storage: ctx.storage,
        cacheDir: path.join(config.DEALFLOW_DATA_DIR, 'cache'),
        metricsAddress: `127.0.0.1:${await freeLocalPort()}`,
        maxCachedWorkflows: config.DEALFLOW_WORKFLOW_CACHE,
        config,
      });
      worker.done.catch((e) => {
        console.error('worker stopped:', e);
        void shutdown(1);
      });
    }
    const owner = await em.findOne(User, { role: 'admin' }, { orderBy: { createdAt: 'asc' } });
    if (owner) {
      const seeded = await seedDefaults(em, owner.id);
      const examples = await installExampleRegulations(em, owner.id);
      if (examples.length) log(`installed the example regulations ${examples.join(', ')}`);
      if (seeded.seeded && seeded.pipelineId && config.DEALFLOW_ROLE === 'all') {
        log('creating demo deals');
        await seedDemoDeals(ctx, owner.id, seeded.pipelineId);
      }
    }
    if (config.DEALFLOW_ROLE !== 'worker') {
      const app = createApp(ctx);
      server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(config.PORT, config.HOST, () => resolve(s)).once('error', reject);
      });
      const url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;
      log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      console.log(`\n  Dealflow is running at ${url}`);
      console.log(`  API reference: ${url}/api/v1/docs`);
      if (services.temporalUi) console.log(`  Temporal UI: ${services.temporalUi}`);
      if (admin) {
        console.log(`\n  Log in as ${admin.email} with password ${admin.password}`);
        if (admin.generated)
          console.log('  (generated now and shown only this once; set DEALFLOW_ADMIN_PASSWORD to choose it)');
      } else console.log('\n  Log in with your account (the first administrator was created on the first start).');
      console.log('  Stop with Ctrl+C.\n');
    } else log('worker running');
  } catch (e) {
    console.error(`\nDealflow could not start: ${(e as Error).message}`);
    await shutdown(1);
  }
}

await main();
