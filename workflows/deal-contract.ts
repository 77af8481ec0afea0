/**
 * The deal workflow's public contract: its Updates, Query and their payloads.
 * Imported by the workflow itself and by the API's command layer; no runtime dependencies but Temporal's definitions.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DealChanges, DealState, StageGate } from '../modules/deals/gate.ts';
import type { KitCommand, RecordKind } from '../modules/kit/contract.ts';
import type { DealView } from '../modules/deals/queries.ts';
import { DEAL_CODES, type AttachmentInput } from '../modules/deals/contract.ts';

export type { AttachmentInput } from '../modules/deals/contract.ts';

export const dealWorkflowId = (dealId: string): string => `deal-${dealId}`;

/** How the command layer addresses deals: `deal-<id>`, failures DEAL_BUSY, DEAL_NOT_FOUND, DEAL_STATE_STALE. */
export const dealKind: RecordKind = { workflowId: dealWorkflowId, codes: DEAL_CODES };

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

type Command = KitCommand;

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

export interface AttachCommand extends Command {
  attachment: AttachmentInput;
}

export interface DetachCommand extends Command {
  attachmentId: string;
  documentKindId: string | null;
  currentGate: StageGate;
  /**
   * the keys of the deal's file fields: those naming this attachment when the detachment's turn comes are cleared
   * in the same step (absent in commands sent before file fields existed)
   */
  fileFields?: string[];
}

/** Archive (archive: true) or restore (false): the deal keeps its stage, fields, documents and history. */
export interface ArchiveCommand extends Command {
  archive: boolean;
}

export interface DealResult {
  version: number;
  stageId: string;
  /** the deal as the change's write left it; absent when it was not written just now (then read it back) */
  deal?: DealView;
}

export const createDeal = defineUpdate<DealResult, [CreateCommand]>('createDeal');
export const editDeal = defineUpdate<DealResult, [EditCommand]>('editDeal');
export const moveDealStage = defineUpdate<DealResult, [MoveStageCommand]>('moveDealStage');
export const attachToDeal = defineUpdate<DealResult, [AttachCommand]>('attachToDeal');
export const detachFromDeal = defineUpdate<DealResult, [DetachCommand]>('detachFromDeal');
/** Added after the first release: histories recorded before never contain it, so they replay unchanged. */
export const archiveDeal = defineUpdate<DealResult, [ArchiveCommand]>('archiveDeal');
/** Reloads the workflow's state from Postgres (after a restart from an old snapshot). */
export const resyncDeal = defineUpdate<DealResult, []>('resyncDeal');
export const dealState = defineQuery<{ deal: DealState; created: boolean; handledTotal: number }>('dealState');
