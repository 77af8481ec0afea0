/**
 * What the deal's workflow, its activities and its commands agree on besides the Temporal definitions
 * (workflows/deal-contract.ts): the deal's failure codes and the payload of an attachment. Plain data: the
 * activities and the workflow bundle both import it.
 */
import { KitFailure, recordCodes } from '../kit/contract.ts';

/** DEAL_BUSY, DEAL_NOT_FOUND, DEAL_STATE_STALE */
export const DEAL_CODES = recordCodes('DEAL');

/** Failure types of deal commands; `api/errors.ts` STATUS_BY_CODE gives each its HTTP status. */
export const DealFailure = {
  ...KitFailure,
  requirementsUnmet: 'STAGE_REQUIREMENTS_UNMET',
  lostReasonRequired: 'LOST_REASON_REQUIRED',
  stageUnchanged: 'STAGE_UNCHANGED',
  stageNotInPipeline: 'STAGE_NOT_IN_PIPELINE',
  busy: DEAL_CODES.busy,
  notCreated: DEAL_CODES.notFound,
  stale: DEAL_CODES.stale,
  attachmentNotFound: 'ATTACHMENT_NOT_FOUND',
  /** a file field names a file no longer attached to the deal (it was detached after the value was checked) */
  invalidFieldValue: 'INVALID_FIELD_VALUE',
  /** an admin changed the requirements of the stage a command was checked against before it was written */
  gateChanged: 'STAGE_REQUIREMENTS_CHANGED',
  /** the deal is archived: read-only until it is restored */
  archived: 'DEAL_ARCHIVED',
  /** restore of a deal that is not archived */
  notArchived: 'DEAL_NOT_ARCHIVED',
} as const;
export type DealFailureType = (typeof DealFailure)[keyof typeof DealFailure];

export interface AttachmentInput {
  id: string;
  documentKindId: string | null;
  fileSha256: string;
  fileName: string;
  contentType: string;
  size: number;
}
