/**
 * The plan deadlines' workflow as the command side sees it: after the plan settings change, the workflow is woken (and
 * started, should it not run) so a new deadline or confirmation turned on applies at once, not at its next look.
 */
import type { Client } from '@temporalio/client';
import { planDeadlinesWorkflowId, wakePlanDeadlines } from '../../workflows/plan-deadlines.ts';

/** Wakes the deadlines' workflow of the task queue; false when Temporal could not be reached (it looks hourly anyway). */
export async function wakeDeadlines(temporal: Client, taskQueue: string): Promise<boolean> {
  try {
    await temporal.workflow.signalWithStart('planDeadlinesWorkflow', {
      workflowId: planDeadlinesWorkflowId(taskQueue),
      taskQueue,
      signal: wakePlanDeadlines,
      signalArgs: [],
    });
    return true;
  } catch {
    return false;
  }
}
