/**
 * What a bench of the whole system runs on: a Postgres (the machine's or an embedded one), a Temporal dev server,
 * and the app with its worker (the tests' harness), started together and taken down together.
 */
import path from 'node:path';
import { startTemporalDevServer } from '../runtime/temporal-dev.ts';
import { createTemplate, dropTemplate, freePort, newRunId, testPostgres } from '../test/support/services.ts';
import { startHarness, type Harness } from '../test/support/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The number a bench's flag is given (`--documents 100000`), or its default. */
export function flagCount(argv: string[], flag: string, fallback: number): number {
  const next = argv[argv.indexOf(flag) + 1];
  return Number(next && !next.startsWith('--') ? next : fallback);
}

/** Starts the services and the app; `close` stops everything it started, the databases included. */
export async function benchServices(config: Record<string, string> = {}): Promise<{
  h: Harness;
  /** the Temporal dev server's process, for a bench that reads its CPU time */
  temporalPid: number | undefined;
  close: () => Promise<void>;
}> {
  const runId = newRunId();
  const { adminUrl, embedded } = await testPostgres();
  const temporal = await startTemporalDevServer({
    port: await freePort(),
    logFile: path.join(ROOT, '.data', 'bench-temporal.log'),
  });
  await createTemplate(adminUrl, runId);
  const h = await startHarness({ pgAdminUrl: adminUrl, temporalAddress: temporal.address, runId, config });
  return {
    h,
    temporalPid: temporal.pid,
    close: async () => {
      await h.close();
      await dropTemplate(adminUrl, runId);
      await temporal.stop();
      await embedded?.stop();
    },
  };
}
