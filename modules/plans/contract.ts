/**
 * What the plan workflow, its activities and its commands agree on besides the Temporal definitions
 * (workflows/plan-contract.ts): the failure codes. Plain data: bundled into the workflow code.
 */
import { KitFailure, recordCodes } from '../kit/contract.ts';

/** PLAN_BUSY, PLAN_NOT_FOUND, PLAN_STATE_STALE */
export const PLAN_CODES = recordCodes('PLAN');

/** Failure types of plan commands; `api/errors.ts` STATUS_BY_CODE gives each its HTTP status. */
export const PlanFailure = {
  ...KitFailure,
  busy: PLAN_CODES.busy,
  notFound: PLAN_CODES.notFound,
  stale: PLAN_CODES.stale,
  /** not a period a plan is made for (a day, week or month); details.field */
  badPeriod: 'PLAN_PERIOD_INVALID',
  /** a line breaks a rule (amount, date outside the period, currency without a rate…); details.errors name them */
  lineInvalid: 'PLAN_LINE_INVALID',
  /** the plan is final: a decision or a submission on it is refused (a save opens a new revision) */
  locked: 'PLAN_LOCKED',
  /** under review only doubtful lines may be changed or removed; details.lines */
  underReview: 'PLAN_UNDER_REVIEW',
  /** nothing to submit: the plan is submitted already with no revised line, or has no lines */
  notSubmittable: 'PLAN_NOT_SUBMITTABLE',
  /** a decision or a finalisation before the plan was submitted */
  notSubmitted: 'PLAN_NOT_SUBMITTED',
  /** the company does not confirm plans: a saved plan is final */
  confirmationOff: 'PLAN_CONFIRMATION_OFF',
  /** only the plan's lead, or a lead above them, decides */
  notReviewer: 'PLAN_NOT_REVIEWER',
  /** a decision on a line already decided; details.lines */
  lineClosed: 'PLAN_LINE_CLOSED',
  /** no such line in this plan; details.lines */
  lineNotFound: 'PLAN_LINE_NOT_FOUND',
  /** a finalisation while lines await a decision; details.lines */
  linesOpen: 'PLAN_LINES_OPEN',
} as const;
