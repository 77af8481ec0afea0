/**
 * The regulation instance's writes and its services. A write mirrors the workflow's state into Postgres in one
 * transaction claimed by its opId: the instance row (guarded by its version) and the task inbox — tasks the step
 * opened are inserted, the one completed and those cancelled are closed. Services are the allow-list; one not
 * available fails, and the workflow parks its token as an incident the process owner resolves.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { KitFailure } from '../modules/kit/contract.ts';
import { send } from '../modules/kit/send.ts';
import { editDealCommand, reloadDeal } from '../modules/deals/commands.ts';
import { DomainError } from '../modules/shared/errors.ts';
import type { NotificationMailer } from '../modules/notifications/mail.ts';
import { callOutputs, type RegulationState } from '../modules/regulations/instance.ts';
import { loadInstanceState, writeInstance, type InstanceWrite } from '../modules/regulations/write.ts';
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

/** What a step's write is given (modules/regulations/write.ts). */
export type PersistRegulationInput = InstanceWrite;

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
  const load = (em: EntityManager, instanceId: string) => loadInstanceState(em, instanceId);

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

  return {
    async loadRegulationState({ instanceId }: { instanceId: string }): Promise<RegulationState | null> {
      return load(orm.em.fork(), instanceId);
    },

    async persistRegulation(input: PersistRegulationInput): Promise<{ version: number }> {
      return refusingBadData(() =>
        orm.em.fork().transactional(async (em) => {
          if (!(await claimOp(em, input.opId))) return { version: (await load(em, input.next.id))?.version ?? 0 };
          const w = await writeInstance(em, input);
          if (!w) throw finalFailure(KitFailure.versionConflict, 'The instance changed meanwhile');
          return w;
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
    async writeOutputsToDeal({ instanceId }: { instanceId: string }): Promise<void | { refused: string }> {
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
      if (!row?.started_by) return { refused: 'The outputs have no one to be written as: the instance has no starter' };
      const viewer = { id: row.started_by, role: row.role ?? 'member' };
      try {
        const deal = await reloadDeal(em, s.dealId);
        await editDealCommand(
          { em, ...sendContext(), actorId: viewer.id, viewer },
          deal,
          dealChanges(values),
          undefined,
          // retried after its incident: a new command (the refused one may have been given up by the deal)
          derivedUuid(`write-back:${instanceId}${s.writeBackRetries ? `:${s.writeBackRetries}` : ''}`),
        );
      } catch (err) {
        // a value the deal refuses for good (an archived deal, a field that is not there) is not retried forever:
        // the workflow parks it as an incident the process owner retries or skips
        if (err instanceof DomainError && !['SERVICE_UNAVAILABLE', 'OUTCOME_UNKNOWN', 'DEAL_BUSY'].includes(err.code)) {
          return { refused: `The deal refused the outputs: ${err.code}: ${err.message}` };
        }
        throw err;
      }
    },
  };
}
