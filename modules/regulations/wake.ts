/**
 * Runs for instances written without one (modules/regulations/start.ts) that need a run to wake them: a task with a
 * due time waits for people, and only a run notices it fall due. The start marks the row (`wake_pending`) in its
 * transaction and, once committed, starts the instance's workflow from the row as a command would (the run keeps
 * the due times the row holds), then clears the mark. The start's answer waits for Temporal to take the run, not for
 * the run itself. A process that dies between the commit and the start, or a Temporal that refused it, leaves the
 * mark; the waker in every process (API or worker) starts those runs a few seconds later.
 */
import type { Client } from '@temporalio/client';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { regulationWorkflowId, type RegulationWorkflowInput } from '../../workflows/regulation-contract.ts';
import { regulationWorkflow } from '../../workflows/regulation.ts';
import { loadInstanceState } from './write.ts';

/** A mark older than this is taken by the waker: the start that set it has had its chance. */
const STALE_MS = 5_000;

/** Starts the instance's run from its row (an existing run is kept), then clears the mark. */
export async function wakeInstance(
  em: EntityManager,
  temporal: Client,
  taskQueue: string,
  instanceId: string,
): Promise<void> {
  const instance = await loadInstanceState(em, instanceId);
  if (!instance) return;
  const input: RegulationWorkflowInput = { instance, created: true };
  await temporal.workflow.start(regulationWorkflow, {
    workflowId: regulationWorkflowId(instanceId),
    taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  await em.getConnection().execute('update regulation_instances set wake_pending = false where id = ?', [instanceId]);
}

/** One look: starts the runs of marked instances left by their start; answers how many it started. */
export async function wakePending(orm: MikroORM, temporal: Client, taskQueue: string, limit = 100): Promise<number> {
  const em = orm.em.fork();
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `select id from regulation_instances where wake_pending and status = 'running'
         and started_at < now() - make_interval(secs => ?) order by started_at limit ?`,
    [STALE_MS / 1000, limit],
  );
  let woken = 0;
  for (const r of rows) {
    await wakeInstance(em, temporal, taskQueue, r.id).then(
      () => woken++,
      (err: unknown) => console.warn(`regulations: instance ${r.id} could not be woken; trying again`, err),
    );
  }
  return woken;
}

/** Looks now and then for marks left behind, until stopped. */
export class RegulationWaker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly intervalMs = STALE_MS,
  ) {}

  start() {
    this.schedule();
    return this;
  }

  private schedule() {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = wakePending(this.orm, this.temporal, this.taskQueue)
        .catch((err: unknown) => console.warn('regulations: looking for instances to wake failed; trying again', err))
        .finally(() => {
          this.running = null;
          this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
