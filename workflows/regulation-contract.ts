/**
 * The regulation instance workflow's contract (`regulation-<instanceId>`): start, complete a task, resolve an incident.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { KitCommand, RecordKind } from '../modules/kit/contract.ts';
import { recordCodes } from '../modules/kit/contract.ts';
import type { RegulationState } from '../modules/regulations/instance.ts';

export const regulationWorkflowId = (instanceId: string): string => `regulation-${instanceId}`;
export const REGULATION_CODES = recordCodes('INSTANCE');
export const regulationKind: RecordKind = { workflowId: regulationWorkflowId, codes: REGULATION_CODES };

export interface RegulationWorkflowInput {
  instance: RegulationState;
  created: boolean;
  handledTotal?: number;
  updatesPerRun?: number;
  createWindow?: string;
}

export interface StartCommand extends Omit<KitCommand, 'expectedVersion' | 'storedVersion'> {
  instance: RegulationState;
  variables: Record<string, unknown>;
  dealId: string | null;
}

export interface CompleteTaskCommand extends KitCommand {
  tokenId: string;
  /** the form's values, checked against its schema by the command layer */
  variables: Record<string, unknown>;
}

export interface ResolveIncidentCommand extends KitCommand {
  tokenId: string;
  action: 'retry' | 'skip';
  variables?: Record<string, unknown>;
}

/** A called regulation has ended: its calling instance's call activity moves on (or catches its error). */
export interface CallFinishedCommand extends KitCommand {
  tokenId: string;
  childId: string;
  status: 'completed' | 'terminated' | 'failed';
  /** the called regulation's outputs */
  variables: Record<string, unknown>;
  error?: string;
}

export type CancelRegulationCommand = KitCommand;

export interface RegulationResult {
  version: number;
  instance: RegulationState;
}

export const startRegulation = defineUpdate<RegulationResult, [StartCommand]>('startRegulation');
export const completeTask = defineUpdate<RegulationResult, [CompleteTaskCommand]>('completeTask');
export const resolveIncident = defineUpdate<RegulationResult, [ResolveIncidentCommand]>('resolveIncident');
export const callFinished = defineUpdate<RegulationResult, [CallFinishedCommand]>('callFinished');
export const cancelRegulation = defineUpdate<RegulationResult, [CancelRegulationCommand]>('cancelRegulation');
export const resyncRegulation = defineUpdate<RegulationResult, []>('resyncRegulation');
export const regulationState = defineQuery<{ instance: RegulationState }>('regulationState');
