/**
 * Revenue plans as the workflow, the rules and the commands see them. Plain data and types only: bundled into the
 * workflow code. Amounts are decimal strings; dates are calendar dates (YYYY-MM-DD); instants ISO strings.
 */

export const LINE_STATUSES = ['open', 'approved', 'doubtful'] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];
export const PLAN_STATUSES = ['draft', 'submitted', 'final'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];
export type Decision = 'approved' | 'doubtful';

/** A line as the manager writes it. */
export interface LineInput {
  /** an existing line's id to change it; none for a new line */
  id?: string;
  clientId: string;
  dealId: string | null;
  amount: string;
  currency: string;
  expectedOn: string;
  comment: string;
}

/** A line as a save command carries it: its id given, and its amount in the company currency. */
export interface LineWrite extends Required<Omit<LineInput, 'id'>> {
  id: string;
  amountBase: string;
}

/** What the workflow holds of a line: enough for the rules. */
export interface PlanLineState {
  id: string;
  status: LineStatus;
  /** changed by the manager since the lead doubted it */
  revised: boolean;
}

/** What the `plan-<manager>-<period>` workflow holds. */
export interface PlanState {
  id: string;
  managerId: string;
  period: string;
  status: PlanStatus;
  revision: number;
  /** the company setting as loaded: a lead confirms plans */
  confirmation: boolean;
  /** the leads above the manager, nearest first: who may decide */
  leadIds: string[];
  lines: PlanLineState[];
  version: number;
  /** when a manager who has not submitted is reminded, and a lead who has not reviewed (instants) */
  submitDueAt: string;
  reviewDueAt: string;
  /** the revision whose reminder was delivered (0: none) */
  submitReminded: number;
  reviewReminded: number;
}

export interface DecisionInput {
  lineId: string;
  decision: Decision;
  comment: string;
}

/** A rule's refusal: the failure code, a message and what the caller may act on. */
export interface Refusal {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}
