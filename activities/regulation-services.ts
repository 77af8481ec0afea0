/**
 * The services a regulation's service and send tasks may run: an allow-list, each through the module that owns the
 * thing it changes, never around it — a deal field through the deal's workflow Update (as the deal API does), a
 * calendar event through the calendar's create command (its workflow started as the calendar API starts it), an email
 * as a notification that the notifications module mails. Each is idempotent by the step's opId (instance, token and
 * service): run again after a worker died, it finds what it did and does not do it twice.
 *
 * Parameters come from the node (`<dealflow:param>`, Zeebe input mappings): a literal, or FEEL over the instance's
 * variables when it starts with '='; a parameter the node does not give is read from the variable of that name, so a
 * process owner resolving an incident can set it and retry.
 */
import { createHash } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { evaluate } from 'feelin';
import type { ServiceType } from '../bpmn/graph.ts';
import { createEventCommand } from '../modules/calendar/commands.ts';
import { editDealCommand, reloadDeal } from '../modules/deals/commands.ts';
import type { DealChanges } from '../modules/deals/gate.ts';
import { DomainError } from '../modules/shared/errors.ts';
import { notify } from '../modules/notifications/write.ts';
import { dueAfter } from '../modules/regulations/instance.ts';

/** A UUID derived from a text: the same step always names the same calendar event and the same deal command. */
export function derivedUuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A service's failure: its token is parked as an incident showing this message. */
export class ServiceError extends Error {}

/** A parameter's value: FEEL when it starts with '=', else the literal; missing → the variable of that name. */
export function paramValue(
  params: Record<string, string> | undefined,
  name: string,
  variables: Record<string, unknown>,
): unknown {
  const raw = params?.[name];
  if (raw === undefined) return variables[name];
  const text = raw.trim();
  if (!text.startsWith('=')) return raw;
  try {
    return evaluate(text.slice(1), variables).value ?? null;
  } catch (err) {
    throw new ServiceError(`Parameter "${name}" (${raw}): ${(err as Error).message}`);
  }
}

export interface ServiceRun {
  instanceId: string;
  tokenId: string;
  node: string;
  serviceType: string;
  params?: Record<string, string>;
  variables: Record<string, unknown>;
  /** when the instance may run into this step (the workflow's clock), for waits */
  now?: number;
}

/** What a service answers: the values it sets, or (waiting for a deal's stage) when to look again. */
export type ServiceOutcome = { variables: Record<string, unknown> } | { recheckAt: string };

interface InstanceRow {
  key: string;
  started_by: string | null;
  deal_id: string | null;
  role: string | null;
}

export interface ServiceDeps {
  orm: MikroORM;
  temporal: () => Client;
  taskQueue: () => string;
  /** mails notifications after their transaction committed */
  mail?: (ids: string[]) => Promise<void>;
}

/** A value as text: numbers, booleans, objects and lists as JSON writes them. */
const text = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How often a wait for a deal's stage looks again, unless the node says (`every`). */
export const STAGE_RECHECK = 'PT30S';

export function createRegulationServices(deps: ServiceDeps) {
  const { orm } = deps;

  async function instanceRow(em: EntityManager, id: string): Promise<InstanceRow> {
    const [row] = await em.getConnection().execute<InstanceRow[]>(
      `select i.key, i.started_by, i.deal_id, u.role from regulation_instances i
         left join users u on u.id = i.started_by where i.id = ?`,
      [id],
    );
    if (!row) throw new ServiceError('The instance is gone');
    return row;
  }

  /** Who a service acts as: whoever started the instance (their rights, as if they did it by hand). */
  const actor = (row: InstanceRow) => {
    if (!row.started_by) throw new ServiceError('Nobody started this instance: the service has no one to act as');
    return { id: row.started_by, role: row.role ?? 'member' };
  };

  const commandContext = (em: EntityManager, row: InstanceRow) => {
    const viewer = actor(row);
    return { em, temporal: deps.temporal(), taskQueue: deps.taskQueue(), actorId: viewer.id, viewer };
  };

  const recipient = (run: ServiceRun, row: InstanceRow, name = 'to'): string => {
    const to = text(paramValue(run.params, name, run.variables)) || row.started_by || '';
    if (!UUID.test(to)) throw new ServiceError(`"${name}" must name a user (an id), not "${to}"`);
    return to;
  };

  const keyOf = (run: ServiceRun) => `regulation:${run.instanceId}:${run.tokenId}:${run.serviceType}`;

  async function tell(run: ServiceRun, kind: string, userId: string, data: Record<string, unknown>) {
    const ids = await orm.em.fork().transactional(async (em) => {
      const row = await instanceRow(em, run.instanceId);
      return notify(em, [
        {
          userId,
          kind,
          recordType: row.deal_id ? 'deal' : 'regulation',
          recordId: row.deal_id ?? run.instanceId,
          data: { key: row.key, node: run.node, instanceId: run.instanceId, ...data },
          key: keyOf(run),
        },
      ]);
    });
    return ids;
  }

  /** DomainErrors of the commands the services call become the incident's message. */
  const explained = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof DomainError) throw new ServiceError(`${err.code}: ${err.message}`);
      throw err;
    }
  };

  const services: Record<ServiceType, (run: ServiceRun) => Promise<ServiceOutcome>> = {
    async notify(run) {
      const row = await instanceRow(orm.em.fork(), run.instanceId);
      if (!row.started_by && run.params?.to === undefined) return { variables: {} };
      await tell(run, 'regulation_step', recipient(run, row), {
        message: text(paramValue(run.params, 'message', run.variables)),
      });
      return { variables: {} };
    },

    async sendEmail(run) {
      const row = await instanceRow(orm.em.fork(), run.instanceId);
      const subject = text(paramValue(run.params, 'subject', run.variables));
      if (!subject) throw new ServiceError('sendEmail needs a "subject"');
      const ids = await tell(run, 'regulation_email', recipient(run, row), {
        subject,
        body: text(paramValue(run.params, 'body', run.variables)),
      });
      // mailed once the row is committed; the mailer claims each row, so a step run again never mails twice
      if (ids.length) await deps.mail?.(ids);
      return { variables: {} };
    },

    async requestDocument(run) {
      const row = await instanceRow(orm.em.fork(), run.instanceId);
      const kind = text(paramValue(run.params, 'documentKind', run.variables));
      if (!kind) throw new ServiceError('requestDocument needs a "documentKind"');
      await tell(run, 'regulation_document_requested', recipient(run, row), {
        documentKind: kind,
        dealId: row.deal_id,
        message: text(paramValue(run.params, 'message', run.variables)),
      });
      return { variables: { [`${run.node}Requested`]: true } };
    },

    async setDealField(run) {
      const em = orm.em.fork();
      const row = await instanceRow(em, run.instanceId);
      const dealId = text(paramValue(run.params, 'dealId', run.variables)) || row.deal_id;
      if (!dealId) throw new ServiceError('setDealField: the instance is not linked to a deal');
      const field = text(paramValue(run.params, 'field', run.variables));
      if (!field) throw new ServiceError('setDealField needs a "field"');
      const value = paramValue(run.params, 'value', run.variables);
      const deal = await reloadDeal(em, dealId).catch(() => {
        throw new ServiceError(`setDealField: no deal ${dealId}`);
      });
      await explained(() =>
        editDealCommand(
          commandContext(em, row),
          deal,
          dealChanges({ [field]: value }),
          undefined,
          derivedUuid(keyOf(run)),
        ),
      );
      return { variables: {} };
    },

    async createCalendarEvent(run) {
      const em = orm.em.fork();
      const row = await instanceRow(em, run.instanceId);
      const title = text(paramValue(run.params, 'title', run.variables));
      if (!title) throw new ServiceError('createCalendarEvent needs a "title"');
      const now = run.now ?? Date.now();
      const startParam = text(paramValue(run.params, 'start', run.variables)) || 'P1D';
      const startsAt = startParam.startsWith('P') ? dueAfter(now, { duration: startParam }) : Date.parse(startParam);
      if (Number.isNaN(startsAt)) throw new ServiceError(`"${startParam}" is neither a date-time nor a duration`);
      const minutes = Number(paramValue(run.params, 'minutes', run.variables) ?? 60) || 60;
      const kind = text(paramValue(run.params, 'kind', run.variables)) || 'meeting';
      const ctx = commandContext(em, row);
      const event = await explained(() =>
        createEventCommand(ctx, {
          id: derivedUuid(keyOf(run)),
          kind: kind as 'meeting',
          title,
          description: text(paramValue(run.params, 'description', run.variables)),
          startsAt: new Date(startsAt).toISOString(),
          endsAt: new Date(startsAt + minutes * 60_000).toISOString(),
          allDay: false,
          timeZone: 'UTC',
          rrule: null,
          location: '',
          clientId: null,
          contactId: null,
          dealId: row.deal_id,
          participantUserIds: [],
          participantContactIds: [],
          reminders: [],
        }),
      );
      return { variables: { [`${run.node}EventId`]: event.id } };
    },

    async waitDealStage(run) {
      const em = orm.em.fork();
      const row = await instanceRow(em, run.instanceId);
      const dealId = text(paramValue(run.params, 'dealId', run.variables)) || row.deal_id;
      if (!dealId) throw new ServiceError('waitDealStage: the instance is not linked to a deal');
      const wanted = text(paramValue(run.params, 'stageId', run.variables));
      if (!wanted) throw new ServiceError('waitDealStage needs a "stageId"');
      const [deal] = await em
        .getConnection()
        .execute<{ stage_id: string; name: string }[]>(
          `select d.stage_id, s.name from deals d join stages s on s.id = d.stage_id where d.id = ?`,
          [dealId],
        );
      if (!deal) throw new ServiceError(`waitDealStage: no deal ${dealId}`);
      if (deal.stage_id === wanted || deal.name.toLowerCase() === wanted.toLowerCase()) {
        return { variables: { dealStageId: deal.stage_id } };
      }
      const every = text(paramValue(run.params, 'every', run.variables)) || STAGE_RECHECK;
      return { recheckAt: new Date(dueAfter(run.now ?? Date.now(), { duration: every })).toISOString() };
    },
  };

  return async function runService(run: ServiceRun): Promise<ServiceOutcome> {
    const service = services[run.serviceType as ServiceType];
    if (!service) throw new ServiceError(`The service "${run.serviceType}" is not on the allow-list`);
    return service(run);
  };
}

const CORE = ['title', 'amount', 'currency', 'expectedCloseDate', 'contactId'] as const;

/** Values for deal fields as a deal edit: the deal's own fields by name, any other as a custom field. */
export function dealChanges(values: Record<string, unknown>): DealChanges {
  const changes: DealChanges = {};
  const custom: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if ((CORE as readonly string[]).includes(field)) {
      (changes as Record<string, unknown>)[field] = value === null ? null : text(value);
    } else custom[field] = value;
  }
  if (Object.keys(custom).length) changes.custom = custom as DealChanges['custom'];
  return changes;
}
