import { createHash, randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../server/app-error.ts';
import {
  DEAL_FAILURE_STATUS, DealFailure, attachToDeal, createDeal, dealWorkflowId, detachFromDeal, editDeal, moveDealStage, resyncDeal,
  type AttachmentInput, type DealFailureType, type DealResult, type DealWorkflowInput,
} from '../../workflows/deal-contract.ts';
import { Deal, DealAttachment, type DealRow } from './entities.ts';
import { hasMissing, missingRequirements, type DealChanges, type DealState } from './gate.ts';
import { dealStateOf } from './state.ts';
import { FieldError, validateChanges } from './fields.ts';
import { gateOf, loadGate } from '../pipelines/gates.ts';
import { Pipeline, Stage } from '../pipelines/entities.ts';

/**
 * The one path for every change to a deal: the HTTP API, the web app and any later import or automation call
 * these functions, which send an Update to the deal's workflow. The workflow's validators hold the stage gate.
 */
export interface DealCommandContext {
  em: EntityManager;
  temporal: Client;
  taskQueue: string;
  actorId: string | null;
}

/** How long a command may wait for Temporal before the API answers 503; bounded so a user is never left hanging. */
const COMMAND_DEADLINE_MS = 10_000;

function mapFailure(err: unknown): AppError {
  if (err instanceof WorkflowUpdateFailedError) {
    let cause = err.cause;
    if (cause instanceof ActivityFailure) cause = cause.cause;
    const status = cause instanceof ApplicationFailure && cause.type ? DEAL_FAILURE_STATUS[cause.type as DealFailureType] : undefined;
    if (cause instanceof ApplicationFailure && status) {
      const details = (cause.details?.[0] ?? {}) as Record<string, unknown>;
      return new AppError(status, cause.type!, cause.message, details, status === 503 ? { 'Retry-After': '5' } : {});
    }
    return new AppError(503, 'SERVICE_UNAVAILABLE', 'The change could not be written; nothing was changed, try again shortly', {}, { 'Retry-After': '5' });
  }
  if (err instanceof AppError) return err;
  return new AppError(503, 'OUTCOME_UNKNOWN',
    'The workflow service did not answer in time; the change may or may not have been applied: reload the deal before retrying',
    {}, { 'Retry-After': '5' });
}

const PROBE_DEADLINE_MS = 2_000;

/** A quick look whether Temporal answers at all, so that an outage is reported in seconds and before anything is sent. */
async function ensureTemporalReachable(temporal: Client): Promise<void> {
  try {
    await temporal.connection.withDeadline(Date.now() + PROBE_DEADLINE_MS, () => temporal.connection.workflowService.getSystemInfo({}));
  } catch {
    throw new AppError(503, 'SERVICE_UNAVAILABLE', 'The workflow service is unreachable; nothing was changed, try again shortly', {}, { 'Retry-After': '5' });
  }
}

/**
 * Sends one Update to deal-<id>, starting the workflow from the deal's stored state if it is not running
 * (a new deal, or a Temporal that lost its data): the deal's rules hold either way.
 */
async function send<A extends object>(
  ctx: DealCommandContext, start: DealWorkflowInput, update: UpdateDefinition<DealResult, [A]> | UpdateDefinition<DealResult, []>, arg?: A,
): Promise<DealResult> {
  const once = async (a: A | undefined) => {
    const startOp = new WithStartWorkflowOperation('dealWorkflow', {
      workflowId: dealWorkflowId(start.deal.id),
      taskQueue: ctx.taskQueue,
      args: [start],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    try {
      return await ctx.temporal.connection.withDeadline(Date.now() + COMMAND_DEADLINE_MS, () =>
        ctx.temporal.workflow.executeUpdateWithStart(update as UpdateDefinition<DealResult, unknown[]>,
          { args: a === undefined ? [] : [a], startWorkflowOperation: startOp }));
    } catch (err) {
      throw mapFailure(err);
    }
  };
  await ensureTemporalReachable(ctx.temporal);
  try {
    return await once(arg);
  } catch (err) {
    // The workflow holds another version than the row the command was made from. Usually another change
    // committed since the row was read: the command is made again from the row as it is now. If the row and the
    // workflow still disagree, the workflow was restarted from an old snapshot or the row was restored: the
    // workflow reloads the row first. A third disagreement means the deal keeps changing: 409.
    if (!(err instanceof AppError && err.code === DealFailure.stale) || arg === undefined) throw err;
    const row = await ctx.em.fork().findOne(Deal, { id: start.deal.id }, { fields: ['version'] });
    if (!row) throw new AppError(404, 'NOT_FOUND', 'Deal not found');
    if (row.version !== err.extra.currentVersion) await send(ctx, start, resyncDeal);
    return once({ ...arg, storedVersion: row.version }).catch((again: unknown) => {
      if (again instanceof AppError && again.code === DealFailure.stale) {
        throw new AppError(409, DealFailure.versionConflict, 'The deal changed meanwhile; reload it and try again');
      }
      throw again;
    });
  }
}

const current = (row: DealRow) => ({ clientId: row.clientId, amount: row.amount ?? null, currency: row.currency ?? null });

function fieldError(err: unknown): never {
  if (err instanceof FieldError) throw new AppError(422, 'INVALID_FIELD_VALUE', err.message, { field: err.field });
  throw err;
}

export interface CreateDealInput extends DealChanges {
  title: string;
  clientId: string;
  pipelineId: string;
}

/** A deal id derived from the caller and their idempotency key: a retried create lands on the same deal. */
export function dealIdFor(ownerId: string, idempotencyKey: string): string {
  const h = createHash('sha256').update(`deal:${ownerId}:${idempotencyKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function createDealCommand(
  ctx: DealCommandContext, ownerId: string, input: CreateDealInput, idempotencyKey?: string,
): Promise<{ id: string } & DealResult> {
  if (idempotencyKey) {
    // a retry of a create that went through returns that deal, whatever happened to its workflow since
    const existing = await ctx.em.findOne(Deal, { id: dealIdFor(ownerId, idempotencyKey) });
    if (existing) return { id: existing.id, version: existing.version, stageId: existing.stageId };
  }
  const pipeline = await ctx.em.findOne(Pipeline, { id: input.pipelineId, archivedAt: null });
  if (!pipeline) throw new AppError(422, 'INVALID_REFERENCE', 'pipelineId: no such pipeline', { field: 'pipelineId' });
  const first = await ctx.em.findOne(Stage, { pipelineId: pipeline.id }, { orderBy: { position: 'asc' } });
  if (!first) throw new AppError(422, 'PIPELINE_HAS_NO_STAGES', 'The pipeline has no stages');
  await validateChanges(ctx.em, input, { clientId: input.clientId, amount: null, currency: null }).catch(fieldError);
  const deal: DealState = {
    id: idempotencyKey ? dealIdFor(ownerId, idempotencyKey) : randomUUID(), title: input.title, clientId: input.clientId, contactId: input.contactId ?? null, ownerId,
    pipelineId: pipeline.id, stageId: first.id, amount: input.amount ?? null, currency: input.currency ?? null,
    expectedCloseDate: input.expectedCloseDate ?? null,
    custom: Object.fromEntries(Object.entries(input.custom ?? {}).filter(([, v]) => v !== null)),
    lostReason: null, documentKinds: {}, version: 1,
  };
  const gate = await gateOf(ctx.em, first);
  const missing = missingRequirements(deal, gate);
  if (hasMissing(missing)) { // answered before Temporal is asked; the workflow's validator holds the same rule
    throw new AppError(422, 'STAGE_REQUIREMENTS_UNMET', `Stage "${gate.name}" requires more information`, { stageId: gate.stageId, missing });
  }
  const result = await send(ctx, { deal, created: false }, createDeal, { opId: randomUUID(), actorId: ctx.actorId, deal, gate });
  return { id: deal.id, ...result };
}

async function currentGate(em: EntityManager, row: DealRow) {
  const gate = await loadGate(em, row.stageId);
  if (!gate) throw new AppError(409, 'VERSION_CONFLICT', 'The deal changed meanwhile');
  return gate;
}

export async function editDealCommand(ctx: DealCommandContext, row: DealRow, changes: DealChanges, expectedVersion?: number) {
  await validateChanges(ctx.em, changes, current(row)).catch(fieldError);
  const state = await dealStateOf(ctx.em, row);
  return send(ctx, { deal: state, created: true }, editDeal, {
    opId: randomUUID(), actorId: ctx.actorId, expectedVersion, storedVersion: row.version, changes,
    currentGate: await currentGate(ctx.em, row),
  });
}

export interface MoveInput { stageId: string; expectedVersion?: number; changes?: DealChanges; lostReason?: string }

export async function moveDealStageCommand(ctx: DealCommandContext, row: DealRow, input: MoveInput) {
  const gate = await loadGate(ctx.em, input.stageId);
  if (!gate || gate.pipelineId !== row.pipelineId) {
    throw new AppError(422, 'STAGE_NOT_IN_PIPELINE', "stageId: no such stage in the deal's pipeline", { field: 'stageId' });
  }
  if (input.changes) await validateChanges(ctx.em, input.changes, current(row)).catch(fieldError);
  const state = await dealStateOf(ctx.em, row);
  return send(ctx, { deal: state, created: true }, moveDealStage, {
    opId: randomUUID(), actorId: ctx.actorId, expectedVersion: input.expectedVersion, storedVersion: row.version, gate,
    changes: input.changes, lostReason: input.lostReason,
  });
}

/** Attachments one deal may carry; the deal page lists them all. */
export const MAX_ATTACHMENTS_PER_DEAL = 200;

export async function attachCommand(ctx: DealCommandContext, row: DealRow, attachment: Omit<AttachmentInput, 'id'>, expectedVersion?: number) {
  if ((await ctx.em.count(DealAttachment, { dealId: row.id })) >= MAX_ATTACHMENTS_PER_DEAL) {
    throw new AppError(422, 'TOO_MANY_ATTACHMENTS', `A deal carries at most ${MAX_ATTACHMENTS_PER_DEAL} attachments; remove some first`);
  }
  const state = await dealStateOf(ctx.em, row);
  const id = randomUUID();
  const result = await send(ctx, { deal: state, created: true }, attachToDeal,
    { opId: randomUUID(), actorId: ctx.actorId, expectedVersion, storedVersion: row.version, attachment: { id, ...attachment } });
  return { attachmentId: id, ...result };
}

export async function detachCommand(ctx: DealCommandContext, row: DealRow, attachmentId: string, expectedVersion?: number) {
  const attachment = await ctx.em.findOne(DealAttachment, { id: attachmentId, dealId: row.id });
  if (!attachment) throw new AppError(404, 'NOT_FOUND', 'Attachment not found');
  const state = await dealStateOf(ctx.em, row);
  return send(ctx, { deal: state, created: true }, detachFromDeal, {
    opId: randomUUID(), actorId: ctx.actorId, expectedVersion, storedVersion: row.version, attachmentId,
    documentKindId: attachment.documentKindId ?? null, currentGate: await currentGate(ctx.em, row),
  });
}

export async function reloadDeal(em: EntityManager, id: string): Promise<DealRow> {
  return em.fork().findOneOrFail(Deal, { id });
}
