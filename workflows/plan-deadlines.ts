import { condition, continueAsNew, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.ts';

const { remindMissingPlans } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export const planDeadlinesWorkflowId = (taskQueue: string) => `plan-deadlines-${taskQueue}`;

/** The plan settings changed (or a manager was added): look again now instead of at the next deadline. */
export const wakePlanDeadlines = defineSignal('wakePlanDeadlines');

/** The longest sleep between looks, so a manager added meanwhile is told within the hour. */
const RECHECK_MS = 3_600_000;
const ROUNDS_PER_RUN = 200;

/**
 * The submit deadline for managers who have no plan for a period (a plan's own workflow reminds its manager once it
 * exists): one run per task queue, started by the worker, a durable loop of Temporal timers until the next deadline
 * (at most an hour), woken early by a change of the plan settings. The step's reminders are keyed notifications, so a
 * step run again (a retried activity, a worker that died after its commit) tells nobody twice.
 */
export async function planDeadlinesWorkflow(): Promise<void> {
  let woken = false;
  setHandler(wakePlanDeadlines, () => {
    woken = true;
  });
  for (let round = 0; round < ROUNDS_PER_RUN; round++) {
    woken = false;
    const { nextAt } = await remindMissingPlans({ now: Date.now() });
    const wait = Math.min(nextAt ?? Infinity, Date.now() + RECHECK_MS) - Date.now();
    if (wait > 0) await condition(() => woken, wait);
  }
  await continueAsNew<typeof planDeadlinesWorkflow>();
}
