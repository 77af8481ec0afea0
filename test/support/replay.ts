/**
 * Replaying recorded workflow histories with the current code, many through one replay worker (a worker each would
 * take seconds apiece on a busy machine). Answers what failed to replay, each named and with its error. A history
 * in which the code decided nothing yet (a run just continued as new, before its first workflow task completed) has
 * nothing to replay, and the replay worker would wait for that task: it is left out.
 */
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';

export type HistoryJson = { events: { eventType: string }[] };

export async function replayAll(
  workflowBundle: { code: string },
  histories: [name: string, json: HistoryJson][],
): Promise<string[]> {
  const decided = histories.filter(([, json]) =>
    json.events.some((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED'),
  );
  const items = decided.map(([, json], i) => ({ workflowId: `replay-${i}`, history: historyFromJSON(json) }));
  const failed: string[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle }, items)) {
    if (r.error) failed.push(`${decided[Number(r.workflowId.slice('replay-'.length))][0]}: ${r.error.message}`);
  }
  return failed;
}
