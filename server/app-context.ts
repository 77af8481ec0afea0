import path from 'node:path';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import multer from 'multer';
import type { AppContext } from './context.ts';
import { FileStorage } from '../modules/files/storage.ts';
import { LiveFeed } from '../modules/timeline/live.ts';
import { FeedProjector } from '../modules/feed/projector.ts';
import { RegulationWaker } from '../modules/regulations/wake.ts';
import type { Config } from './config.ts';
import { initORM } from './orm.ts';
import { requestIdClientInterceptor } from './temporal-interceptors.ts';

/** Connects what the API needs: the ORM (migrated), the Temporal client, file storage and the upload parser. */
export async function createAppContext(
  config: Config,
  urls: { databaseUrl: string; temporalAddress: string },
): Promise<AppContext> {
  const orm = await initORM(urls.databaseUrl, { migrate: true });
  const retries = retriesStoppedOnClose();
  const connection = await Connection.connect({ address: urls.temporalAddress, interceptors: [retries.interceptor] });
  closeHooks.set(connection, retries.stop);
  const temporal = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    interceptors: { workflow: [requestIdClientInterceptor] },
  });
  const storage = new FileStorage(path.join(config.DEALFLOW_DATA_DIR, 'files'));
  const upload = multer({
    dest: storage.tmpDir,
    // a plain filename="…" is read as UTF-8, as browsers send it; filename*= names its charset itself (RFC 5987)
    defParamCharset: 'utf8',
    limits: { fileSize: config.DEALFLOW_UPLOAD_LIMIT_MB * 1024 * 1024, files: 1, fields: 10, fieldSize: 10_000 },
  });
  const live = new LiveFeed(urls.databaseUrl, orm);
  // system posts from the timeline (durable by its cursor; every process, API or worker, runs it, one at a time)
  const feedProjector = new FeedProjector(orm).start();
  // runs for regulation instances whose start could not hand them to Temporal (modules/regulations/wake.ts)
  const regulationWaker = new RegulationWaker(orm, temporal, config.TEMPORAL_TASK_QUEUE).start();
  return { config, orm, temporal, storage, upload, live, feedProjector, regulationWaker };
}

/**
 * Stops what createAppContext started, in order. `step` is given each part by name (a caller may time it, or tell
 * which one it waits for).
 */
export async function closeAppContext(
  ctx: AppContext,
  step: (what: string, done: Promise<unknown>) => Promise<unknown> = (_what, done) => done,
): Promise<void> {
  await step('the feed projector', ctx.feedProjector.stop());
  await step('the regulation waker', ctx.regulationWaker.stop());
  await step('the live feed', ctx.live.close());
  await step(
    'the Temporal connection',
    (closeHooks.get(ctx.temporal.connection)?.() ?? Promise.resolve()).then(() => ctx.temporal.connection.close()),
  );
  await step('the database pool', ctx.orm.close());
}

const closeHooks = new WeakMap<object, () => Promise<void>>();

/**
 * The Temporal client's retries (its default policy), stopped before its connection closes: a retry the client
 * scheduled (Temporal down, a call still retrying after its caller gave up) would otherwise fire on the closed
 * channel, where the library throws it uncaught. `stop` refuses further retries and waits out any already scheduled.
 */
function retriesStoppedOnClose() {
  const base = defaultGrpcRetryOptions();
  let closing = false;
  let lastDue = 0;
  const interceptor = makeGrpcRetryInterceptor({
    retryableDecider: (attempt, status) => !closing && base.retryableDecider(attempt, status),
    delayFunction: (attempt, status) => {
      const ms = base.delayFunction(attempt, status);
      lastDue = Math.max(lastDue, Date.now() + ms);
      return ms;
    },
  });
  const stop = async () => {
    closing = true;
    const wait = lastDue - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait + 50));
  };
  return { interceptor, stop };
}
