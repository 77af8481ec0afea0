/**
 * Starting a regulation instance: by a person or the API (with the inputs it declares), for a deal (its inputs
 * pre-filled from the deal, the instance linked to it: outputs go back, steps show on its timeline), or by a calling
 * instance's call activity (the latest or a pinned version, its inputs mapped from the caller's values).
 *
 * The start's step is taken here (the interpreter is pure). When it leaves the instance waiting only for people
 * (user and receive tasks, no timer, service or call due), the instance row and its first tasks are written in one
 * transaction and no workflow runs: the workflow would only write them and end, as a run does whenever it waits for
 * a person; the first command to the instance starts it from the row (update-with-start). A first task with a due
 * time needs a run to notice it fall due: its run is started from the row after the commit (wake.ts), and the
 * answer does not wait for the run. Otherwise the
 * `startRegulation` Update of `regulation-<id>`, started from nothing by update-with-start, writes the row and goes on
 * with the work due.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InterpreterError, initialState } from '../../bpmn/interpreter.ts';
import type { Viewer } from '../access/visibility.ts';
import { readDeal, type DealView } from '../deals/queries.ts';
import { KitFailure } from '../kit/contract.ts';
import { send } from '../kit/send.ts';
import { DomainError, invalidReference } from '../shared/errors.ts';
import { regulationKind, startRegulation } from '../../workflows/regulation-contract.ts';
import { regulationWorkflow } from '../../workflows/regulation.ts';
import { advance, nextTaskDue, nextWork, trackTaskDue, type RegulationState } from './instance.ts';
import { regulationGraph } from './versions.ts';
import { wakeInstance } from './wake.ts';
import { loadInstanceState, writeInstance } from './write.ts';

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
  const reg = await regulationGraph(ctx.em, input.key, input.version ?? 'latest');
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
  const opId = input.opId ?? randomUUID();
  let next: RegulationState;
  const now = Date.now();
  try {
    // its first tasks' due times kept from now, as a run does (workflows/regulation.ts TASK_DUE_PATCH)
    next = trackTaskDue(advance(instance, { type: 'start', variables }, now).state, now);
  } catch (err) {
    if (err instanceof InterpreterError) throw new DomainError('INSTANCE_STEP_REFUSED', err.message);
    throw err;
  }
  // no timer, service or call due: written here; a task that falls due needs a run to notice it (wake.ts)
  if (nextWork(next, now) === null) {
    const wake = nextTaskDue(next) !== null;
    const written = await writeStart(ctx.em, {
      opId,
      actorId: ctx.actorId,
      instance,
      next,
      dealId: input.dealId,
      wake,
    });
    if (written) {
      if (wake) {
        // the mark stays for the waker when Temporal does not take the run now
        await wakeInstance(ctx.em.fork(), ctx.temporal, ctx.taskQueue, written.id).catch(() => undefined);
      }
      return written;
    }
  }
  const r = await send(
    ctx,
    {
      kind: regulationKind,
      workflow: regulationWorkflow,
      id,
      start: () => Promise.resolve({ instance, created: false }),
    },
    startRegulation,
    { opId, actorId: ctx.actorId, instance, variables, dealId: input.dealId },
  );
  return r.instance;
}

/**
 * A start that leaves the instance waiting for people, written without its workflow: claimed by its opId (a start
 * run again — a call activity's — answers the instance as written), the row at version 1 and its first tasks.
 * Null when the opId was given up by a workflow earlier (an attempt through the workflow failed): the workflow path
 * answers then.
 */
async function writeStart(
  em: EntityManager,
  w: {
    opId: string;
    actorId: string | null;
    instance: RegulationState;
    next: RegulationState;
    dealId: string | null;
    /** a task falls due: the row is marked for a run (wake.ts) in the same transaction */
    wake: boolean;
  },
): Promise<RegulationState | null> {
  const write = em.fork().transactional(async (tx) => {
    const [claim] = await tx.getConnection().execute<{ state: string; mine: boolean }[]>(
      `insert into command_ops as o (op_id, state) values (?, 'applied')
         on conflict (op_id) do update set state = o.state returning state, (xmax = 0) as mine`,
      [w.opId],
      'all',
      tx.getTransactionContext(),
    );
    if (!claim.mine) return claim.state === 'applied' ? await loadInstanceState(tx, w.instance.id) : null;
    const written = await writeInstance(tx, {
      opId: w.opId,
      actorId: w.actorId,
      fromVersion: 0,
      before: w.instance,
      next: w.next,
      completedToken: null,
      dealId: w.dealId,
    });
    if (w.wake) {
      await tx
        .getConnection()
        .execute(
          'update regulation_instances set wake_pending = true where id = ?',
          [w.instance.id],
          'run',
          tx.getTransactionContext(),
        );
    }
    return { ...w.next, version: written!.version };
  });
  return write.catch((err: unknown) => {
    // Postgres data and constraint errors (SQLSTATE classes 22 and 23) are the input's fault
    if (/^2[23]/.test(String((err as { code?: string }).code ?? ''))) {
      throw new DomainError(
        KitFailure.invalidData,
        `The database refused a value: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    throw err;
  });
}
