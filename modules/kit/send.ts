/**
 * The command side of every workflow-backed record: the one place that sends an Update to a record's workflow
 * (and the only file in modules/ and api/ that calls executeUpdateWithStart). Every command is an Update with
 * start: if the record's workflow is not running (a new record, a terminated workflow, a Temporal that lost its
 * data) it is started from the record as Postgres holds it, in the same call, so the record's rules hold either way.
 */
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client, type Workflow } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { DomainError } from '../shared/errors.ts';
import { KitFailure, type KitCommand, type RecordKind } from './contract.ts';

/** How long a command may wait for Temporal before it is answered; bounded so a user is never left hanging. */
export const COMMAND_DEADLINE_MS = 10_000;

export interface SendContext {
  temporal: Client;
  taskQueue: string;
}

/** A record's workflow: a function taking its start input (what Postgres holds). */
export type EntityWorkflowFn<I> = (input: I) => Promise<unknown>;

export interface Target<I> {
  kind: RecordKind;
  /** the record's workflow function itself; its name is the workflow type */
  workflow: EntityWorkflowFn<I> & Workflow;
  id: string;
  /** what the workflow starts from when it is not running: the record as Postgres holds it now */
  start: () => I | Promise<I>;
}

const deadlineError = () =>
  new DomainError(
    KitFailure.outcomeUnknown,
    'The workflow service did not answer in time; the change may or may not have been applied: reload before retrying',
  );

/** The failure an Update answered with, as the DomainError the API maps to a status (api/errors.ts). */
export function mapFailure(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof WorkflowUpdateFailedError) {
    let cause = err.cause;
    if (cause instanceof ActivityFailure) cause = cause.cause;
    if (cause instanceof ApplicationFailure && cause.type) {
      return new DomainError(cause.type, cause.message, (cause.details?.[0] ?? {}) as Record<string, unknown>);
    }
    return new DomainError(
      KitFailure.unavailable,
      'The change could not be written; nothing was changed, try again shortly',
    );
  }
  return deadlineError();
}

const PROBE_DEADLINE_MS = 2_000;

/**
 * A quick look whether Temporal answers at all, so that an outage is reported in seconds, before anything is sent,
 * as SERVICE_UNAVAILABLE (nothing changed) rather than OUTCOME_UNKNOWN after the command deadline.
 */
async function ensureTemporalReachable(temporal: Client): Promise<void> {
  try {
    await temporal.connection.withDeadline(Date.now() + PROBE_DEADLINE_MS, () =>
      temporal.connection.workflowService.getSystemInfo({}),
    );
  } catch {
    throw new DomainError(
      KitFailure.unavailable,
      'The workflow service is unreachable; nothing was changed, try again shortly',
    );
  }
}

/**
 * Sends one Update to a record's workflow with start. When the workflow holds another version than the row the
 * command was made from (`<RECORD>_STATE_STALE`): usually another change committed since the row was read, and
 * the command is made again from the row as it is now (`storedVersion` refreshed); if the row and the workflow
 * still disagree, the workflow was restarted from an old snapshot or the row was restored, and the workflow
 * reloads the row first (`resync`). A third disagreement means the record keeps changing: VERSION_CONFLICT.
 */
export async function send<I, R, C extends KitCommand>(
  ctx: SendContext,
  target: Target<I>,
  update: UpdateDefinition<R, [C]>,
  cmd: C,
  recover?: { storedVersion: () => Promise<number | null>; resync: UpdateDefinition<R, []> },
): Promise<R> {
  await ensureTemporalReachable(ctx.temporal);
  const lane = await enterLane(target.kind.workflowId(target.id), target.kind.codes.busy);
  try {
    // a command that waited behind another from this process was made from the row as it was before that one
    const fresh =
      lane.waited && recover ? { ...cmd, storedVersion: (await recover.storedVersion()) ?? cmd.storedVersion } : cmd;
    return await sendChecked(ctx, target, update, fresh, recover);
  } finally {
    lane.leave();
  }
}

async function sendChecked<I, R, C extends KitCommand>(
  ctx: SendContext,
  target: Target<I>,
  update: UpdateDefinition<R, [C]>,
  cmd: C,
  recover?: { storedVersion: () => Promise<number | null>; resync: UpdateDefinition<R, []> },
): Promise<R> {
  try {
    return await sendOnce(ctx, target, update, [cmd]);
  } catch (err) {
    if (!(err instanceof DomainError && err.code === target.kind.codes.stale) || !recover) throw err;
    const version = await recover.storedVersion();
    if (version === null) throw new DomainError('NOT_FOUND', 'Not found');
    if (version !== err.details.currentVersion) await sendOnce(ctx, target, recover.resync, []);
    return sendOnce(ctx, target, update, [{ ...cmd, storedVersion: version }]).catch((again: unknown) => {
      if (again instanceof DomainError && again.code === target.kind.codes.stale) {
        throw new DomainError(KitFailure.versionConflict, 'Changed meanwhile; reload and try again');
      }
      throw again;
    });
  }
}

/** Commands to one record that may wait in this process behind the one being sent; more are answered BUSY at once. */
export const LANE_WAITING = 4;
/** How long a command waits in this process for the commands to its record ahead of it. */
export const LANE_WAIT_MS = 3_000;

interface Lane {
  queue: (() => void)[];
}
const lanes = new Map<string, Lane>();

/**
 * Commands to one record from this process go to its workflow one at a time. Temporal takes at most ten Updates
 * in flight per workflow and makes the rest back off for seconds, and every command sent while another is written
 * queues in the workflow anyway; waiting here is cheaper and wakes up at once. A crowd beyond LANE_WAITING, or a
 * wait beyond LANE_WAIT_MS, is answered `<RECORD>_BUSY` (409) instead of a timeout.
 */
async function enterLane(key: string, busyCode: string): Promise<{ waited: boolean; leave(): void }> {
  const leave = () => {
    const lane = lanes.get(key);
    const next = lane?.queue.shift();
    if (next) next();
    else lanes.delete(key);
  };
  const lane = lanes.get(key);
  if (!lane) {
    lanes.set(key, { queue: [] });
    return { waited: false, leave };
  }
  const busy = () => new DomainError(busyCode, 'Other changes to this record are being written; try again');
  if (lane.queue.length >= LANE_WAITING) throw busy();
  await new Promise<void>((resolve, reject) => {
    const turn = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      lane.queue.splice(lane.queue.indexOf(turn), 1);
      reject(busy());
    }, LANE_WAIT_MS);
    lane.queue.push(turn);
  });
  return { waited: true, leave };
}

/** One Update with start, inside the command deadline; its failure as a DomainError. */
export async function sendOnce<I, R, A extends unknown[]>(
  ctx: SendContext,
  target: Target<I>,
  update: UpdateDefinition<R, A>,
  args: A,
): Promise<R> {
  const startOp = new WithStartWorkflowOperation(target.workflow, {
    workflowId: target.kind.workflowId(target.id),
    taskQueue: ctx.taskQueue,
    args: [await target.start()] as Parameters<typeof target.workflow>,
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  try {
    return await ctx.temporal.connection.withDeadline(Date.now() + COMMAND_DEADLINE_MS, () =>
      ctx.temporal.workflow.executeUpdateWithStart(update, { args, startWorkflowOperation: startOp }),
    );
  } catch (err) {
    throw mapFailure(err);
  }
}
