/**
 * Once per test run: a real Temporal dev server (in memory) and a migrated template database on a real Postgres.
 * Each test file then clones the template into a fresh database (test/support/harness.ts).
 */
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startTemporalDevServer, type TemporalDevServer } from '../../runtime/temporal-dev.ts';
import type { LocalPostgres } from '../../runtime/embedded-postgres.ts';
import { workflowBundle } from '../../runtime/worker.ts';
import { createTemplate, dropTemplate, freePort, newRunId, testPostgres } from './services.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

let temporal: TemporalDevServer | null = null;
let embedded: LocalPostgres | null = null;
let runId = '';
let pgAdminUrl = '';

export async function setup(project: TestProject) {
  runId = newRunId();
  const pgInfo = await testPostgres();
  embedded = pgInfo.embedded;
  pgAdminUrl = pgInfo.adminUrl;
  const [server] = await Promise.all([
    freePort().then((port) => startTemporalDevServer({ port, logFile: path.join(ROOT, '.data', 'test-temporal.log') })),
    createTemplate(pgAdminUrl, runId),
    workflowBundle(path.join(ROOT, '.data', 'cache')),
  ]);
  temporal = server;
  project.provide('pgAdminUrl', pgAdminUrl);
  project.provide('runId', runId);
  project.provide('temporalAddress', temporal.address);
}

export async function teardown() {
  await temporal?.stop();
  if (pgAdminUrl) await dropTemplate(pgAdminUrl, runId).catch(() => {});
  await embedded?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    temporalAddress: string;
    runId: string;
  }
}
