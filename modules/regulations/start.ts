/**
 * Starting a regulation instance: by a person or the API (with the inputs it declares), for a deal (its inputs
 * pre-filled from the deal, the instance linked to it: outputs go back, steps show on its timeline), or by a calling
 * instance's call activity (the latest or a pinned version, its inputs mapped from the caller's values). One path for
 * all: the `startRegulation` Update of `regulation-<id>`, started from nothing by update-with-start.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { initialState } from '../../bpmn/interpreter.ts';
import type { Viewer } from '../access/visibility.ts';
import { readDeal, type DealView } from '../deals/queries.ts';
import { send } from '../kit/send.ts';
import { DomainError, invalidReference } from '../shared/errors.ts';
import { regulationKind, startRegulation } from '../../workflows/regulation-contract.ts';
import { regulationWorkflow } from '../../workflows/regulation.ts';
import type { RegulationState } from './instance.ts';
import { regulationVersion } from './versions.ts';

export interface StartContext {
  em: EntityManager;
  temporal: Client;
  taskQueue: string;
  actorId: string | null;
  viewer: Viewer | null;
}

export interface StartInput {
  key: string;
  version?: number | 'latest';
  variables: Record<string, unknown>;
  dealId: string | null;
  /** a call activity's: the calling instance and its token */
  parent?: { instanceId: string; tokenId: string } | null;
  /** derived by a caller that may start it again (a call activity run twice starts one instance) */
  id?: string;
  opId?: string;
}

/** The deal as a regulation's values see it (`deal.ownerId`, `deal.amount`, its custom fields by key). */
export function dealValues(d: DealView): Record<string, unknown> {
  return {
    ...d.custom,
    id: d.id,
    title: d.title,
    ownerId: d.ownerId,
    clientId: d.clientId,
    contactId: d.contactId,
    pipelineId: d.pipelineId,
    stageId: d.stageId,
    amount: d.amount === null ? null : Number(d.amount),
    currency: d.currency,
    expectedCloseDate: d.expectedCloseDate,
  };
}

/** Starts an instance; for a deal, its inputs not given are pre-filled from the deal's fields of the same name. */
export async function startInstance(ctx: StartContext, input: StartInput): Promise<RegulationState> {
  const reg = await regulationVersion(ctx.em, input.key, input.version ?? 'latest');
  const variables = { ...input.variables };
  if (input.dealId) {
    // the starter must see the deal; a called regulation inherits its caller's deal
    const deal = await readDeal(ctx.em, input.parent ? null : ctx.viewer, input.dealId);
    if (!deal) throw invalidReference('dealId', 'deal');
    const values = dealValues(deal);
    variables.deal = values;
    for (const f of reg.graph.inputs) {
      const from = values[f.dealField ?? f.name];
      if ((variables[f.name] === undefined || variables[f.name] === '') && from !== undefined && from !== null) {
        variables[f.name] = from;
      }
    }
  }
  const missing = reg.graph.inputs.filter(
    (f) => f.required && (variables[f.name] === undefined || variables[f.name] === '' || variables[f.name] === null),
  );
  if (missing.length) {
    throw new DomainError('REGULATION_INPUT_MISSING', `Give ${missing.map((f) => f.name).join(', ')}`, {
      errors: missing.map((f) => ({ field: `variables.${f.name}`, message: 'required' })),
    });
  }
  const id = input.id ?? randomUUID();
  const instance: RegulationState = {
    id,
    version: 0,
    regulationId: reg.id,
    key: reg.key,
    graph: reg.graph,
    interp: initialState(),
    timers: {},
    services: [],
    dealId: input.dealId,
    parent: input.parent ?? null,
  };
  const r = await send(
    ctx,
    {
      kind: regulationKind,
      workflow: regulationWorkflow,
      id,
      start: () => Promise.resolve({ instance, created: false }),
    },
    startRegulation,
    { opId: input.opId ?? randomUUID(), actorId: ctx.actorId, instance, variables, dealId: input.dealId },
  );
  return r.instance;
}
