import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.ts';

const { sweepFiles } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumInterval: '1 minute' },
});

export const fileSweepWorkflowId = (taskQueue: string) => `file-sweep-${taskQueue}`;

/** Removes stored files no attachment uses, a day after their last upload; every six hours, for as long as Dealflow runs. */
export async function fileSweepWorkflow(): Promise<void> {
  for (let round = 0; round < 100; round++) {
    await sweepFiles({ graceHours: 24 });
    await sleep('6 hours');
  }
  await continueAsNew<typeof fileSweepWorkflow>();
}
