import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, invalidReference, notFound } from '../shared/errors.ts';
import { send, type Target } from '../kit/send.ts';
import type { KitCommand } from '../kit/contract.ts';
import { canSee, ownerScope, type Viewer } from '../access/visibility.ts';
import {
  archiveDeal,
  attachToDeal,
  createDeal,
  dealKind,
  detachFromDeal,
  editDeal,
  moveDealStage,
  resyncDeal,
  type AttachmentInput,
  type DealResult,
  type DealWorkflowInput,
} from '../../workflows/deal-contract.ts';
import { dealWorkflow } from '../../workflows/deal.ts';
import { DealFailure } from './contract.ts';
import { Deal, DealAttachment, type DealRow } from './entities.ts';
import {
  archiveRefusal,
  archivedRefusal,
  hasMissing,
  missingRequirements,
  moveRefusal,
  type DealChanges,
  type DealState,
} from './gate.ts';
import { dealStateOf } from './state.ts';
import { FieldError, validateChanges } from './fields.ts';
import { gateOf, loadGate } from '../pipelines/gates.ts';
import { DealField, Pipeline, Stage } from '../pipelines/entities.ts';
import { Client as ClientRecord } from '../clients/entities.ts';

/**
 * The one path for every change to a deal: the HTTP API, the web app and any later import or automation call
 * these functions, which send an Update to the deal's workflow (modules/kit/send.ts). The workflow's validators
 * hold the stage gate; what needs I/O (references, field values, the gate) is loaded here, before.
 */
export interface DealCommandContext {
  em: EntityManager;
  temporal: Client;
  taskQueue: string;
  actorId: string | null;
  /** who acts, for what they may reference (a contact of a client they can see) */
  viewer: Viewer;
}

/** The deal's workflow, started from the deal's stored state when it is not running. */
const target = (
  id: string,
  start: () => Promise<DealWorkflowInput> | DealWorkflowInput,
): Target<DealWorkflowInput> => ({ kind: dealKind, workflow: dealWorkflow, id, start });

const fromRow = (ctx: DealCommandContext, row: DealRow, state?: DealState) =>
  target(row.id, async () => ({ deal: state ?? (await dealStateOf(ctx.em, row)), created: true }));

/** An archived deal is read-only: answered here first (no workflow task), the workflow's validator holds it too. */
function refuseArchived(row: DealRow) {
  const refusal = row.archivedAt ? archivedRefusal({ id: row.id, archived: true }) : null;
  if (refusal) throw new DomainError(refusal.code, refusal.message, refusal.details);
}

/** Sends a change to an existing deal; a workflow holding another version than the row resyncs (see send). */
function sendChange<C extends KitCommand>(
  ctx: DealCommandContext,
  row: DealRow,
  update: UpdateDefinition<DealResult, [C]>,
  cmd: C,
  state?: DealState,
) {
  if (update.name !== archiveDeal.name) refuseArchived(row);
  return send(ctx, fromRow(ctx, row, state), update, cmd, {
    storedVersion: async () =>
      (await ctx.em.fork().findOne(Deal, { id: row.id }, { fields: ['version'] }))?.version ?? null,
    resync: resyncDeal,
  });
}

const current = (row: DealRow) => ({
  id: row.id,
  clientId: row.clientId,
  amount: row.amount ?? null,
  currency: row.currency ?? null,
  custom: row.custom ?? {},
});

function fieldError(err: unknown): never {
  if (err instanceof FieldError) throw new DomainError('INVALID_FIELD_VALUE', err.message, { field: err.field });
  throw err;
}

/**
 * Field values must be valid (user, client and file values name an active user, a client the user sees, a file of
 * this deal), and a contact must belong to the deal's client, which the user can still see.
 */
async function checkChanges(
  ctx: DealCommandContext,
  changes: DealChanges,
  current: {
    id: string | null;
    clientId: string;
    amount: string | null;
    currency: string | null;
    custom: Record<string, unknown>;
  },
) {
  await validateChanges(ctx.em, changes, current, { viewer: ctx.viewer, dealId: current.id }).catch(fieldError);
  if (changes.contactId) {
    const client = await ctx.em.findOne(ClientRecord, { id: current.clientId });
    if (!client || !(await canSee(ctx.em, ctx.viewer, 'client', client))) {
      throw new DomainError('INVALID_FIELD_VALUE', "contactId: no such contact at the deal's client", {
        field: 'contactId',
      });
    }
  }
}

export interface CreateDealInput extends DealChanges {
  title: string;
  clientId: string;
  pipelineId: string;
  /** the stage the deal starts in (an import's deals may be further along): the pipeline's first when not given */
  stageId?: string;
  /** why a deal created in a lost stage was lost */
  lostReason?: string | null;
}

/** A deal id derived from the caller and their idempotency key: a retried create lands on the same deal. */
export function dealIdFor(ownerId: string, idempotencyKey: string): string {
  const h = createHash('sha256').update(`deal:${ownerId}:${idempotencyKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function createDealCommand(
  ctx: DealCommandContext,
  ownerId: string,
  input: CreateDealInput,
  idempotencyKey?: string,
): Promise<{ id: string } & DealResult> {
  if (idempotencyKey) {
    // a retry of a create that went through returns that deal, whatever happened to its workflow since
    const existing = await ctx.em.findOne(Deal, { id: dealIdFor(ownerId, idempotencyKey) });
    if (existing) return { id: existing.id, version: existing.version, stageId: existing.stageId };
  }
  const pipeline = await ctx.em.findOne(Pipeline, { id: input.pipelineId, archivedAt: null });
  if (!pipeline) throw invalidReference('pipelineId', 'pipeline');
  const first = input.stageId
    ? await ctx.em.findOne(Stage, { id: input.stageId })
    : await ctx.em.findOne(Stage, { pipelineId: pipeline.id }, { orderBy: { position: 'asc' } });
  if (input.stageId && first?.pipelineId !== pipeline.id) {
    throw new DomainError(DealFailure.stageNotInPipeline, "stageId: no such stage in the deal's pipeline", {
      field: 'stageId',
    });
  }
  if (!first) throw new DomainError('PIPELINE_HAS_NO_STAGES', 'The pipeline has no stages');
  const lostReason = first.kind === 'lost' ? (input.lostReason?.trim() ?? '') : '';
  if (first.kind === 'lost' && !lostReason) throw new DomainError('LOST_REASON_REQUIRED', 'A lost deal needs a reason');
  await checkChanges(ctx, input, { id: null, clientId: input.clientId, amount: null, currency: null, custom: {} });
  const deal: DealState = {
    id: idempotencyKey ? dealIdFor(ownerId, idempotencyKey) : randomUUID(),
    title: input.title,
    clientId: input.clientId,
    contactId: input.contactId ?? null,
    ownerId,
    pipelineId: pipeline.id,
    stageId: first.id,
    amount: input.amount ?? null,
    currency: input.currency ?? null,
    expectedCloseDate: input.expectedCloseDate ?? null,
    custom: Object.fromEntries(Object.entries(input.custom ?? {}).filter(([, v]) => v !== null)),
    lostReason: lostReason || null,
    documentKinds: {},
    version: 1,
  };
  const gate = await gateOf(ctx.em, first);
  const missing = missingRequirements(deal, gate);
  if (hasMissing(missing)) {
    // answered before Temporal is asked; the workflow's validator holds the same rule
    throw new DomainError(DealFailure.requirementsUnmet, `Stage "${gate.name}" requires more information`, {
      stageId: gate.stageId,
      missing,
    });
  }
  const result = await send(
    ctx,
    target(deal.id, () => ({ deal, created: false })),
    createDeal,
    { opId: randomUUID(), actorId: ctx.actorId, deal, gate },
  );
  return { id: deal.id, ...result };
}

async function currentGate(em: EntityManager, row: DealRow) {
  const gate = await loadGate(em, row.stageId);
  if (!gate) throw new DomainError(DealFailure.versionConflict, 'The deal changed meanwhile');
  return gate;
}

export async function editDealCommand(
  ctx: DealCommandContext,
  row: DealRow,
  changes: DealChanges,
  expectedVersion?: number,
  /** an automation's own idempotency key (a regulation's service run again): the same opId is written once */
  opId: string = randomUUID(),
) {
  refuseArchived(row);
  await checkChanges(ctx, changes, current(row));
  return sendChange(ctx, row, editDeal, {
    opId,
    actorId: ctx.actorId,
    expectedVersion,
    storedVersion: row.version,
    changes,
    currentGate: await currentGate(ctx.em, row),
  });
}

export interface MoveInput {
  stageId: string;
  expectedVersion?: number;
  changes?: DealChanges;
  lostReason?: string;
}

export async function moveDealStageCommand(ctx: DealCommandContext, row: DealRow, input: MoveInput) {
  refuseArchived(row);
  const gate = await loadGate(ctx.em, input.stageId);
  if (!gate || gate.pipelineId !== row.pipelineId) {
    throw new DomainError(DealFailure.stageNotInPipeline, "stageId: no such stage in the deal's pipeline", {
      field: 'stageId',
    });
  }
  if (input.changes) await checkChanges(ctx, input.changes, current(row));
  if (input.expectedVersion !== undefined && input.expectedVersion !== row.version) {
    throw new DomainError(
      DealFailure.versionConflict,
      `Deal changed meanwhile (version ${row.version}, expected ${input.expectedVersion})`,
      { currentVersion: row.version },
    );
  }
  // the workflow's validator holds the same rule; asked here first, a refusal costs no workflow task
  const state = await dealStateOf(ctx.em, row);
  const refusal = moveRefusal(state, gate, input.changes, input.lostReason);
  if (refusal) throw new DomainError(refusal.code, refusal.message, refusal.details);
  return sendChange(
    ctx,
    row,
    moveDealStage,
    {
      opId: randomUUID(),
      actorId: ctx.actorId,
      expectedVersion: input.expectedVersion,
      storedVersion: row.version,
      gate,
      changes: input.changes,
      lostReason: input.lostReason,
    },
    state,
  );
}

/** Attachments one deal may carry; the deal page lists them all. */
export const MAX_ATTACHMENTS_PER_DEAL = 200;

export async function attachCommand(
  ctx: DealCommandContext,
  row: DealRow,
  attachment: Omit<AttachmentInput, 'id'>,
  expectedVersion?: number,
) {
  refuseArchived(row);
  if ((await ctx.em.count(DealAttachment, { dealId: row.id })) >= MAX_ATTACHMENTS_PER_DEAL) {
    throw new DomainError(
      'TOO_MANY_ATTACHMENTS',
      `A deal carries at most ${MAX_ATTACHMENTS_PER_DEAL} attachments; remove some first`,
    );
  }
  const id = randomUUID();
  const result = await sendChange(ctx, row, attachToDeal, {
    opId: randomUUID(),
    actorId: ctx.actorId,
    expectedVersion,
    storedVersion: row.version,
    attachment: { id, ...attachment },
  });
  return { attachmentId: id, ...result };
}

export async function detachCommand(
  ctx: DealCommandContext,
  row: DealRow,
  attachmentId: string,
  expectedVersion?: number,
) {
  refuseArchived(row);
  const attachment = await ctx.em.findOne(DealAttachment, { id: attachmentId, dealId: row.id });
  if (!attachment) throw notFound('Attachment');
  // the file fields naming this attachment when the detachment's turn comes are cleared with it
  const fileFields = (await ctx.em.find(DealField, { type: 'file' }, { fields: ['key'] })).map((f) => f.key);
  return sendChange(ctx, row, detachFromDeal, {
    opId: randomUUID(),
    actorId: ctx.actorId,
    expectedVersion,
    storedVersion: row.version,
    attachmentId,
    documentKindId: attachment.documentKindId ?? null,
    currentGate: await currentGate(ctx.em, row),
    ...(fileFields.length ? { fileFields } : {}),
  });
}

/**
 * Archive (archive: true) or restore a deal: its owner, a lead of the owner's department (or one above it) and
 * administrators may; someone who sees the deal only because it was shared with them may not (403). Restore puts the
 * deal back in the stage it kept, without the stage gate: the deal entered that stage through the gate, archiving
 * changed nothing the gate checks, and its requirements are held again for every later change.
 */
export async function archiveDealCommand(
  ctx: DealCommandContext,
  row: DealRow,
  archive: boolean,
  expectedVersion?: number,
) {
  const scope = await ownerScope(ctx.em, ctx.viewer);
  if (!scope.all && !scope.owners.includes(row.ownerId)) {
    throw new DomainError(
      'FORBIDDEN',
      "Only the deal's owner, their lead or an administrator may archive or restore it",
    );
  }
  const refusal = archiveRefusal({ id: row.id, archived: !!row.archivedAt }, archive);
  if (refusal) throw new DomainError(refusal.code, refusal.message, refusal.details);
  return sendChange(ctx, row, archiveDeal, {
    opId: randomUUID(),
    actorId: ctx.actorId,
    expectedVersion,
    storedVersion: row.version,
    archive,
  });
}

export async function reloadDeal(em: EntityManager, id: string): Promise<DealRow> {
  return em.fork().findOneOrFail(Deal, { id });
}
