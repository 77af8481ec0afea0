import { defineConfig } from 'vitest/config';

/** Pure code (rules, validation, trees, predicates): beside the code in `__tests__/`, no services, seconds. */
const UNIT = ['{bpmn,modules,workflows,activities,api,server,web/src}/**/__tests__/**/*.test.{ts,tsx}'];

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: { name: 'unit', include: UNIT, pool: 'threads' },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // what a user sees comes when it comes: on a busy shared machine a reloaded page may take seconds to show
          // its rows; a poll bounds liveness, never speed (speed lives in `npm run bench`)
          expect: { poll: { timeout: 15_000 } },
          pool: 'forks',
          maxWorkers: 2,
          fileParallelism: true,
          env: { DEALFLOW_WORKER_LOG_LEVEL: 'ERROR', DEALFLOW_LOG_LEVEL: 'warn' },
        },
      },
    ],
  },
});
