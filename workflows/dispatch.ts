import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.ts';

/** Dispatchers started per task queue: they share the due rows, so a burst is delivered by all of them at once. */
export const DISPATCHERS = 2;

export const dispatchWorkflowId = (taskQueue: string, n: number) => `notification-dispatch-${taskQueue}-${n}`;

/**
 * One attempt runs for an hour; a worker that dies is noticed by the missed heartbeat (5 s) and one that shuts down
 * fails the attempt at once, so another worker (or the same one restarted) takes over within seconds.
 */
const { dispatchScheduled } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '70 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '2 seconds' },
});

/**
 * Delivers scheduled notifications (a calendar event's reminders) when they fall due, for as long as Dealflow runs:
 * the worker starts `DISPATCHERS` of them per task queue (activities/dispatch.ts does the work).
 */
export async function dispatchWorkflow(): Promise<void> {
  for (let round = 0; round < 100; round++) {
    await dispatchScheduled({ runForMs: 60 * 60_000 });
  }
  await continueAsNew<typeof dispatchWorkflow>();
}
