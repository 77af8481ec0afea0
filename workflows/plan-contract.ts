/**
 * The revenue plan workflow's public contract (`plan-<manager>-<period>`): its Updates, Query and their payloads.
 * Imported by the workflow and by the command layer (modules/plans/commands.ts).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { KitCommand, RecordKind } from '../modules/kit/contract.ts';
import type { DecisionInput, LineWrite, PlanState } from '../modules/plans/model.ts';
import { PLAN_CODES } from '../modules/plans/contract.ts';

/** The key a plan's workflow is addressed by: its manager and period. */
export const planKey = (managerId: string, period: string): string => `${managerId}-${period}`;
export const planWorkflowId = (key: string): string => `plan-${key}`;
export const planKind: RecordKind = { workflowId: planWorkflowId, codes: PLAN_CODES };

export interface PlanWorkflowInput {
  plan: PlanState;
  created: boolean;
  handledTotal?: number;
  updatesPerRun?: number;
  createWindow?: string;
}

export interface CreatePlanCommand extends Omit<KitCommand, 'expectedVersion' | 'storedVersion'> {
  plan: PlanState;
  periodStart: string;
  periodEnd: string;
  periodKind: string;
  lines: LineWrite[];
}

/** Replaces the plan's lines (ids kept for the lines changed); `changed` names the existing lines whose values changed. */
export interface SavePlanCommand extends KitCommand {
  lines: LineWrite[];
  changed: string[];
  /** the company setting as loaded with the command (an administrator may have turned it since the run began) */
  confirmation?: boolean;
}

export interface SubmitPlanCommand extends KitCommand {
  note: string;
  confirmation?: boolean;
}

export interface DecideLinesCommand extends KitCommand {
  decisions: DecisionInput[];
  /** the leads above the manager as the org tree stands when the command is made */
  leadIds?: string[];
}

export interface FinalisePlanCommand extends KitCommand {
  leadIds?: string[];
}

export interface PlanResult {
  version: number;
  plan: PlanState;
}

export const createPlan = defineUpdate<PlanResult, [CreatePlanCommand]>('createPlan');
export const savePlan = defineUpdate<PlanResult, [SavePlanCommand]>('savePlan');
export const submitPlan = defineUpdate<PlanResult, [SubmitPlanCommand]>('submitPlan');
export const decideLines = defineUpdate<PlanResult, [DecideLinesCommand]>('decideLines');
export const finalisePlan = defineUpdate<PlanResult, [FinalisePlanCommand]>('finalisePlan');
export const resyncPlan = defineUpdate<PlanResult, []>('resyncPlan');
export const planState = defineQuery<{ plan: PlanState; created: boolean; handledTotal: number }>('planState');
