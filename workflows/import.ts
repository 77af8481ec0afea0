import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.ts';
import { IMPORT_BATCH_ROWS, type ImportWorkflowInput } from './import-contract.ts';

const { importBatch, finishImport } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 minutes',
  // a worker that dies mid-batch is noticed within this; the next attempt resumes at the first row not settled
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Batches a history holds before the workflow continues as new. */
const BATCHES_PER_RUN = 200;

/**
 * One import (`import-<id>`): its rows in batches, in file order, until none is pending; then the import is done.
 * Every row is settled in Postgres by the activity as it goes, so a killed worker or a retried batch resumes where
 * the rows say, and writes nothing twice (activities/import-row.ts).
 */
export async function importWorkflow(input: ImportWorkflowInput): Promise<void> {
  for (let batch = 0; ; batch++) {
    const { remaining } = await importBatch({
      importId: input.importId,
      size: IMPORT_BATCH_ROWS,
      taskQueue: workflowInfo().taskQueue,
    });
    if (remaining === 0) break;
    if (batch + 1 >= BATCHES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof importWorkflow>(input);
    }
  }
  await finishImport({ importId: input.importId });
}
