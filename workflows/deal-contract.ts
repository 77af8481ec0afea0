/**
 * The deal workflow's public contract: its Updates, Query and their payloads.
 * Imported by the workflow itself and by the API's command layer; no runtime dependencies but Temporal's definitions.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DealChanges, DealState, StageGate } from '../modules/deals/gate.ts';

export const dealWorkflowId = (dealId: string): string => `deal-${dealId}`;

export interface DealWorkflowInput {
  deal: DealState;
  /** false until the create Update has written the deal to Postgres */
  created: boolean;
  /** Updates handled by earlier runs of this deal's chain, carried across continue-as-new */
  handledTotal?: number;
  /** Updates after which a run continues as new (default UPDATES_PER_RUN) */
  updatesPerRun?: number;
  /** how long a run started for a new deal waits for its create Update (default 2 minutes) */
  createWindow?: string;
}

interface Command {
  /** idempotency key of the command; the deal_events row it writes is unique on it */
  opId: string;
  actorId: string | null;
  /** the version the user saw; a different current version is a conflict */
  expectedVersion?: number;
  /** the version of the deal's row when the command was made; a workflow at another version resyncs first */
  storedVersion?: number;
}

export interface CreateCommand extends Omit<Command, 'expectedVersion' | 'storedVersion'> {
  /** the deal as this request describes it; a retry after a failed attempt may correct it */
  deal: DealState;
  gate: StageGate;
}

export interface EditCommand extends Command {
  changes: DealChanges;
  /** the gate of the stage the deal is in: an edit may not take away what it requires */
  currentGate: StageGate;
}

export interface MoveStageCommand extends Command {
  gate: StageGate;
  /** values the user filled in the stage dialog, applied in the same step as the move */
  changes?: DealChanges;
  lostReason?: string;
}

export interface AttachmentInput {
  id: string;
  documentKindId: string | null;
  fileSha256: string;
  fileName: string;
  contentType: string;
  size: number;
}

export interface AttachCommand extends Command {
  attachment: AttachmentInput;
}

export interface DetachCommand extends Command {
  attachmentId: string;
  documentKindId: string | null;
  currentGate: StageGate;
}

export interface DealResult { version: number; stageId: string }

export const createDeal = defineUpdate<DealResult, [CreateCommand]>('createDeal');
export const editDeal = defineUpdate<DealResult, [EditCommand]>('editDeal');
export const moveDealStage = defineUpdate<DealResult, [MoveStageCommand]>('moveDealStage');
export const attachToDeal = defineUpdate<DealResult, [AttachCommand]>('attachToDeal');
export const detachFromDeal = defineUpdate<DealResult, [DetachCommand]>('detachFromDeal');
/** Reloads the workflow's state from Postgres (after a restart from an old snapshot). */
export const resyncDeal = defineUpdate<DealResult, []>('resyncDeal');
export const dealState = defineQuery<{ deal: DealState; created: boolean; handledTotal: number }>('dealState');

/** Failure types the workflow raises; the API maps each to an HTTP status and a problem code. */
export const DealFailure = {
  requirementsUnmet: 'STAGE_REQUIREMENTS_UNMET',
  lostReasonRequired: 'LOST_REASON_REQUIRED',
  stageUnchanged: 'STAGE_UNCHANGED',
  stageNotInPipeline: 'STAGE_NOT_IN_PIPELINE',
  versionConflict: 'VERSION_CONFLICT',
  busy: 'DEAL_BUSY',
  notCreated: 'DEAL_NOT_FOUND',
  attachmentNotFound: 'ATTACHMENT_NOT_FOUND',
  /** an admin changed the target stage's requirements between loading the gate and writing the move */
  gateChanged: 'STAGE_REQUIREMENTS_CHANGED',
  /** Postgres refused a value (a data or constraint error): retrying cannot help */
  invalidData: 'INVALID_DATA',
  /** the workflow and the row the command was made from disagree: the command layer resyncs and sends it once more */
  stale: 'DEAL_STATE_STALE',
  /** the command was given up after its write failed; no attempt of it can commit any more */
  abandoned: 'COMMAND_ABANDONED',
  /** the write failed and Postgres could not be asked whether it committed: the caller must reload */
  outcomeUnknown: 'OUTCOME_UNKNOWN',
} as const;
export type DealFailureType = (typeof DealFailure)[keyof typeof DealFailure];

/** The HTTP status each failure is answered with. */
export const DEAL_FAILURE_STATUS: Record<DealFailureType, number> = {
  STAGE_REQUIREMENTS_UNMET: 422, LOST_REASON_REQUIRED: 422, STAGE_UNCHANGED: 422, STAGE_NOT_IN_PIPELINE: 422,
  VERSION_CONFLICT: 409, DEAL_BUSY: 409, DEAL_NOT_FOUND: 404, ATTACHMENT_NOT_FOUND: 404,
  STAGE_REQUIREMENTS_CHANGED: 409, INVALID_DATA: 422, DEAL_STATE_STALE: 409,
  COMMAND_ABANDONED: 503, OUTCOME_UNKNOWN: 503,
};
