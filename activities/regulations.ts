/**
 * The regulation instance's writes and its services. A write mirrors the workflow's state into Postgres in one
 * transaction claimed by its opId: the instance row (guarded by its version) and the task inbox — tasks the step
 * opened are inserted, the one completed and those cancelled are closed. Services are the allow-list; one not
 * available fails, and the workflow parks its token as an incident the process owner resolves.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { evaluate } from 'feelin';
import { KitFailure } from '../modules/kit/contract.ts';
import { send } from '../modules/kit/send.ts';
import { editDealCommand, reloadDeal } from '../modules/deals/commands.ts';
import { DomainError } from '../modules/shared/errors.ts';
import type { NotificationMailer } from '../modules/notifications/mail.ts';
import { recordEvent } from '../modules/timeline/write.ts';
import { TASK_KINDS, callOutputs, taskDueAt, type RegulationState } from '../modules/regulations/instance.ts';
import { startInstance } from '../modules/regulations/start.ts';
import {
  callFinished,
  cancelRegulation,
  regulationKind,
  resyncRegulation,
  type RegulationWorkflowInput,
} from '../workflows/regulation-contract.ts';
import { regulationWorkflow } from '../workflows/regulation.ts';
import { claimOp, finalFailure, refusingBadData } from './kit/ops.ts';
import {
  ServiceError,
  createRegulationServices,
  dealChanges,
  derivedUuid,
  paramValue,
  type ServiceOutcome,
} from './regulation-services.ts';

interface TaskRow {
  tokenId: string;
  node: string;
}

/** The tokens of a state waiting for a person: user tasks and receive tasks (the inbox's rows). */
const userTasks = (s: RegulationState): TaskRow[] =>
  s.interp.tokens
    .filter((t) => !t.boundaryOf && TASK_KINDS.includes(s.graph.nodes[t.node]?.kind))
    .map((t) => ({ tokenId: t.id, node: t.node }));

/**
 * Who a task is for, decided when it opens: an assignee written as FEEL (`=deal.ownerId`, `=requester`) is evaluated
 * over the instance's values then; one that yields nothing leaves the task to its candidate groups.
 */
export function resolveAssignee(assignee: string | undefined, variables: Record<string, unknown>): string | null {
  if (!assignee) return null;
  if (!assignee.trim().startsWith('=')) return assignee;
  try {
    const v = evaluate(assignee.trim().slice(1), variables).value;
    return typeof v === 'string' && v ? v : null;
  } catch {
    return null;
  }
}

type DealStep = 'started' | 'task_opened' | 'task_completed' | 'task_overdue' | 'incident' | 'finished';

export interface PersistRegulationInput {
  opId: string;
  actorId: string | null;
  fromVersion: number;
  before: RegulationState;
  next: RegulationState;
  /** the task a person completed in this change */
  completedToken: string | null;
  dealId?: string | null;
}

export function createRegulationActivities({
  orm,
  temporal,
  mailer,
}: {
  orm: MikroORM;
  temporal?: Client;
  mailer?: NotificationMailer;
}) {
  const client = () => temporal ?? Context.current().client;
  const taskQueue = () => Context.current().info.taskQueue;
  const runService = createRegulationServices({
    orm,
    temporal: client,
    taskQueue,
    mail: mailer ? async (ids) => void (await mailer.mail(ids)) : undefined,
  });
  const sendContext = () => ({ temporal: client(), taskQueue: taskQueue() });

  /** Sends a command to an instance's workflow, started from its row when it is not running. */
  const sendTo = <C extends { opId: string; actorId: string | null; storedVersion?: number }>(
    id: string,
    update: Parameters<typeof send<RegulationWorkflowInput, unknown, C>>[2],
    cmd: C,
  ) =>
    send(
      sendContext(),
      {
        kind: regulationKind,
        workflow: regulationWorkflow,
        id,
        start: async () => ({ instance: (await load(orm.em.fork(), id))!, created: true }),
      },
      update,
      cmd,
      { storedVersion: async () => (await load(orm.em.fork(), id))?.version ?? null, resync: resyncRegulation },
    );

  /** The regulation's steps on its deal's timeline, in the write's transaction. */
  async function dealSteps(em: EntityManager, input: PersistRegulationInput, opened: TaskRow[]) {
    const { next, before } = input;
    const dealId = next.dealId ?? input.dealId;
    if (!dealId) return;
    const step = (kind: DealStep, data: Record<string, unknown> = {}) =>
      recordEvent(em, {
        recordType: 'deal',
        kind: 'regulation',
        recordId: dealId,
        actorId: input.actorId,
        data: { step: kind, instanceId: next.id, key: next.key, name: next.graph.name, ...data },
      });
    const nodeData = (node: string) => ({ node, nodeName: next.graph.nodes[node]?.name || node });
    if (input.fromVersion === 0) await step('started');
    if (input.completedToken) {
      const t = before.interp.tokens.find((x) => x.id === input.completedToken);
      if (t) await step('task_completed', nodeData(t.node));
    }
    for (const t of opened) await step('task_opened', nodeData(t.node));
    // a task past its due time (runs that keep due times, workflows/regulation.ts TASK_DUE_PATCH), told once
    const told = new Set(before.overdue ?? []);
    for (const tokenId of (next.overdue ?? []).filter((id) => !told.has(id))) {
      const t = next.interp.tokens.find((x) => x.id === tokenId);
      if (!t) continue;
      const [task] = await em
        .getConnection()
        .execute<{ id: string; due_at: Date | null }[]>(
          'select id, due_at from regulation_tasks where instance_id = ? and token_id = ?',
          [next.id, tokenId],
          'all',
          em.getTransactionContext(),
        );
      await step('task_overdue', {
        ...nodeData(t.node),
        taskId: task?.id ?? null,
        dueAt: task?.due_at ? new Date(task.due_at).toISOString() : null,
      });
    }
    const known = new Set(before.interp.incidents.map((i) => i.tokenId));
    for (const i of next.interp.incidents.filter((x) => !known.has(x.tokenId))) {
      await step('incident', { ...nodeData(i.node), message: i.message });
    }
    if (before.interp.status === 'running' && next.interp.status !== 'running') {
      await step('finished', {
        status: next.interp.status,
        ...(next.interp.error ? { error: next.interp.error } : {}),
      });
    }
  }

  async function load(em: EntityManager, instanceId: string): Promise<RegulationState | null> {
    const [row] = await em
      .getConnection()
      .execute<{ state: RegulationState; version: number }[]>(
        `select state, version from regulation_instances where id = ?`,
        [instanceId],
        'all',
        em.getTransactionContext(),
      );
    return row ? { ...row.state, version: row.version } : null;
  }

  return {
    async loadRegulationState({ instanceId }: { instanceId: string }): Promise<RegulationState | null> {
      return load(orm.em.fork(), instanceId);
    },

    async persistRegulation(input: PersistRegulationInput): Promise<{ version: number }> {
      const { next, before } = input;
      return refusingBadData(() =>
        orm.em.fork().transactional(async (em) => {
          const conn = em.getConnection();
          const ctx = em.getTransactionContext<object>();
          if (!(await claimOp(em, input.opId))) return { version: (await load(em, next.id))?.version ?? 0 };
          const status = next.interp.status;
          const stored = { ...next, version: 0 };
          let version: number;
          if (input.fromVersion === 0) {
            await conn.execute(
              `insert into regulation_instances (id, regulation_id, key, status, variables, state, deal_id, started_by, version)
               values (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, 1)`,
              [
                next.id,
                next.regulationId,
                next.key,
                status,
                JSON.stringify(next.interp.variables),
                JSON.stringify(stored),
                input.dealId ?? null,
                input.actorId,
              ],
              'all',
              ctx,
            );
            version = 1;
          } else {
            const [row] = await conn.execute<{ version: number }[]>(
              `update regulation_instances set status = ?, variables = ?::jsonb, state = ?::jsonb, error = ?,
                 ended_at = case when ? = 'running' then null else coalesce(ended_at, now()) end, version = version + 1
               where id = ? and version = ? returning version`,
              [
                status,
                JSON.stringify(next.interp.variables),
                JSON.stringify(stored),
                next.interp.error ?? null,
                status,
                next.id,
                input.fromVersion,
              ],
              'all',
              ctx,
            );
            if (!row) throw finalFailure(KitFailure.versionConflict, 'The instance changed meanwhile');
            version = row.version;
          }
          const was = new Set(userTasks(before).map((t) => t.tokenId));
          const now = new Set(userTasks(next).map((t) => t.tokenId));
          const now_ = Date.now();
          const opened = userTasks(next).filter((x) => !was.has(x.tokenId) || input.fromVersion === 0);
          for (const t of opened) {
            const node = next.graph.nodes[t.node];
            await conn.execute(
              `insert into regulation_tasks (id, instance_id, token_id, node_id, name, assignee, candidate_groups, form_key, due_at)
               values (gen_random_uuid(), ?, ?, ?, ?, ?, ?::text[], ?, ?) on conflict (instance_id, token_id) do nothing`,
              [
                next.id,
                t.tokenId,
                node.id,
                node.name || node.id,
                resolveAssignee(node.assignee, next.interp.variables),
                `{${(node.candidateGroups ?? []).map((g) => `"${g.replace(/"/g, '')}"`).join(',')}}`,
                node.formKey ?? null,
                next.taskDue?.[t.tokenId] ?? (node.due ? new Date(taskDueAt(now_, node.due)).toISOString() : null),
              ],
              'all',
              ctx,
            );
          }
          const gone = [...was].filter((id) => !now.has(id));
          if (gone.length) {
            await conn.execute(
              `update regulation_tasks set
                 status = case when token_id = ? then 'completed' else 'cancelled' end,
                 completed_by = case when token_id = ? then ?::uuid end,
                 completed_at = now()
               where instance_id = ? and token_id = any(?::text[]) and status = 'open'`,
              [input.completedToken, input.completedToken, input.actorId, next.id, `{${gone.join(',')}}`],
              'all',
              ctx,
            );
          }
          await dealSteps(em, input, opened);
          return { version };
        }),
      );
    },

    /** An allow-listed service (activities/regulation-services.ts); what fails it becomes the token's incident. */
    async runRegulationService(input: {
      instanceId: string;
      tokenId: string;
      node: string;
      serviceType: string;
      params?: Record<string, string>;
      variables: Record<string, unknown>;
      now?: number;
    }): Promise<ServiceOutcome> {
      try {
        return await runService(input);
      } catch (err) {
        if (err instanceof ServiceError) throw finalFailure('SERVICE_FAILED', err.message);
        throw err;
      }
    },

    /**
     * A call activity's regulation, started as an instance of its own (`regulation-<id>`, its id derived from the
     * calling token, so a call run again starts it once): the latest or the pinned version, its inputs from the
     * node's parameters (FEEL over the caller's values) or the caller's values of the same names, the caller's deal.
     */
    async startCalledRegulation(input: {
      instanceId: string;
      tokenId: string;
      calledElement: string;
      calledVersion: 'latest' | number;
      params?: Record<string, string>;
      variables: Record<string, unknown>;
    }): Promise<{ childId: string }> {
      const em = orm.em.fork();
      const [row] = await em
        .getConnection()
        .execute<{ started_by: string | null; deal_id: string | null }[]>(
          `select started_by, deal_id from regulation_instances where id = ?`,
          [input.instanceId],
        );
      const childId = derivedUuid(`call:${input.instanceId}:${input.tokenId}`);
      const values: Record<string, unknown> = {};
      try {
        for (const name of Object.keys(input.params ?? {}))
          values[name] = paramValue(input.params, name, input.variables);
      } catch (err) {
        throw finalFailure('SERVICE_FAILED', (err as Error).message);
      }
      // without parameters, the caller's values of the names the called regulation declares as inputs
      const inherit = Object.keys(values).length === 0;
      try {
        await startInstance(
          { em, ...sendContext(), actorId: row?.started_by ?? null, viewer: null },
          {
            key: input.calledElement,
            version: input.calledVersion,
            variables: inherit ? { ...input.variables } : values,
            dealId: row?.deal_id ?? null,
            parent: { instanceId: input.instanceId, tokenId: input.tokenId },
            id: childId,
            opId: derivedUuid(`call-start:${input.instanceId}:${input.tokenId}`),
          },
        );
      } catch (err) {
        if (err instanceof DomainError && err.code !== 'SERVICE_UNAVAILABLE') {
          throw finalFailure('SERVICE_FAILED', `Calling "${input.calledElement}": ${err.code}: ${err.message}`);
        }
        throw err;
      }
      return { childId };
    },

    /** A called instance whose call ended (interrupted, or its caller ended) is cancelled; one already ended stays. */
    async cancelCalledRegulation({ childId }: { childId: string }): Promise<void> {
      if (!(await load(orm.em.fork(), childId))) return;
      await sendTo(childId, cancelRegulation, {
        opId: derivedUuid(`cancel:${childId}`),
        actorId: null,
      }).catch((err: unknown) => {
        if (err instanceof DomainError && err.code === 'INSTANCE_NOT_RUNNING') return;
        throw err;
      });
    },

    /** A called instance has ended: its calling instance's call moves on with its outputs, or catches its error. */
    async tellCallingRegulation({ instanceId }: { instanceId: string }): Promise<void> {
      const child = await load(orm.em.fork(), instanceId);
      if (!child?.parent || child.interp.status === 'running') return;
      const status = child.interp.status;
      await sendTo(child.parent.instanceId, callFinished, {
        opId: derivedUuid(`call-finished:${instanceId}`),
        actorId: null,
        tokenId: child.parent.tokenId,
        childId: instanceId,
        status,
        variables: status === 'completed' ? callOutputs(child) : {},
        ...(child.interp.error ? { error: child.interp.error } : {}),
      }).catch((err: unknown) => {
        // the call was cancelled meanwhile (this instance was terminated because of it): nothing waits
        if (err instanceof DomainError && err.code === 'CALL_NOT_WAITING') return;
        throw err;
      });
    },

    /**
     * An instance run for a deal has completed: its outputs that name a deal field are written to the deal through
     * the deal's workflow (the deal API's edit; its opId derived, so written once), as whoever started it.
     */
    async writeOutputsToDeal({ instanceId }: { instanceId: string }): Promise<void> {
      const em = orm.em.fork();
      const s = await load(em, instanceId);
      if (!s?.dealId || s.interp.status !== 'completed') return;
      const values: Record<string, unknown> = {};
      for (const o of s.graph.outputs) {
        if (o.dealField && s.interp.variables[o.name] !== undefined) values[o.dealField] = s.interp.variables[o.name];
      }
      if (!Object.keys(values).length) return;
      const [row] = await em
        .getConnection()
        .execute<{ started_by: string | null; role: string | null }[]>(
          `select i.started_by, u.role from regulation_instances i left join users u on u.id = i.started_by where i.id = ?`,
          [instanceId],
        );
      if (!row?.started_by) return;
      const viewer = { id: row.started_by, role: row.role ?? 'member' };
      const deal = await reloadDeal(em, s.dealId);
      try {
        await editDealCommand(
          { em, ...sendContext(), actorId: viewer.id, viewer },
          deal,
          dealChanges(values),
          undefined,
          derivedUuid(`write-back:${instanceId}`),
        );
      } catch (err) {
        // a value the deal refuses (an archived deal, a field that is not there) is given up, not retried forever
        if (err instanceof DomainError && !['SERVICE_UNAVAILABLE', 'OUTCOME_UNKNOWN', 'DEAL_BUSY'].includes(err.code)) {
          return;
        }
        throw err;
      }
    },
  };
}
