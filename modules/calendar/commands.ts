/**
 * The one path for every change to a calendar event and for recording a result: each is an Update to the event's
 * workflow (modules/kit/send.ts). What needs I/O — who may act, the references (a client, contact or deal the user
 * sees, active users as participants), the outcomes offered — is loaded here, before.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { visibleOwnerIds, type Viewer } from '../access/visibility.ts';
import { visibleClient, visibleContact } from '../clients/queries.ts';
import { readDeal } from '../deals/queries.ts';
import { send, type Target } from '../kit/send.ts';
import { DomainError, invalidReference, notFound } from '../shared/errors.ts';
import {
  cancelEvent,
  createEvent,
  editEvent,
  eventKind,
  recordResult,
  resyncEvent,
  type EventResult,
  type EventWorkflowInput,
} from '../../workflows/event-contract.ts';
import { eventWorkflow } from '../../workflows/event.ts';
import { EventFailure } from './contract.ts';
import { plannedState, type Disposition, type EventFields, type EventState } from './model.ts';
import { occurrencesBetween, parseRule, ruleEndingBefore } from './recurrence.ts';
import { eventProblems, type OutcomeChoice } from './rules.ts';
import { loadAskSettings, loadEventRow, loadEventState, stateOfRow, type EventRow } from './rows.ts';
import { outcomesFor } from './outcomes.ts';

export interface CalendarCommandContext {
  em: EntityManager;
  temporal: Client;
  taskQueue: string;
  actorId: string | null;
  viewer: Viewer;
}

const target = (id: string, start: () => Promise<EventWorkflowInput>): Target<EventWorkflowInput> => ({
  kind: eventKind,
  workflow: eventWorkflow,
  id,
  start,
});

const fromRow = (ctx: CalendarCommandContext, id: string) =>
  target(id, async () => {
    const event = await loadEventState(ctx.em.fork(), id);
    if (!event) throw notFound('Event');
    return { event, created: true };
  });

function sendChange<C extends Parameters<typeof send>[3]>(
  ctx: CalendarCommandContext,
  row: EventRow,
  update: Parameters<typeof send<EventWorkflowInput, EventResult, C>>[2],
  cmd: C,
): Promise<EventResult> {
  return send(ctx, fromRow(ctx, row.id), update, cmd, {
    storedVersion: async () => (await loadEventRow(ctx.em.fork(), row.id))?.version ?? null,
    resync: resyncEvent,
  });
}

const invalid = (problems: { field: string; message: string }[]) =>
  new DomainError(EventFailure.invalid, problems[0].message, { errors: problems });

/** Whose events the viewer sees and plans: their own, their group's (a lead), everyone's (an admin). */
async function mayManage(ctx: CalendarCommandContext, ownerId: string): Promise<boolean> {
  const owners = await visibleOwnerIds(ctx.em, ctx.viewer);
  return owners === 'all' || owners.includes(ownerId);
}

/** An event the viewer may change, or NOT_FOUND (another group's event looks like a missing one). */
export async function manageableEvent(ctx: CalendarCommandContext, id: string): Promise<EventRow> {
  const row = await loadEventRow(ctx.em, id);
  if (!row || !(await mayManage(ctx, row.ownerId))) throw notFound('Event');
  return row;
}

/** Checks what the fields refer to: a client, contact and deal the user sees, active users as participants. */
async function checkReferences(ctx: CalendarCommandContext, f: Partial<EventFields>): Promise<void> {
  if (f.clientId)
    await visibleClient(ctx.em, ctx.viewer, f.clientId).catch(() =>
      Promise.reject(invalidReference('clientId', 'client')),
    );
  if (f.contactId) {
    if (!f.clientId) throw invalidReference('contactId', 'contact without its client');
    await visibleContact(ctx.em, ctx.viewer, f.clientId, f.contactId).catch(() =>
      Promise.reject(invalidReference('contactId', 'contact of this client')),
    );
  }
  if (f.dealId) {
    const deal = await readDeal(ctx.em, ctx.viewer, f.dealId);
    if (!deal) throw invalidReference('dealId', 'deal');
    if (f.clientId && deal.clientId !== f.clientId) throw invalidReference('dealId', 'deal of this client');
  }
  const users = [...new Set(f.participantUserIds ?? [])];
  if (users.length) {
    const [row] = await ctx.em
      .getConnection()
      .execute<{ n: string }[]>(`select count(*) as n from users where id = any(?::uuid[]) and disabled_at is null`, [
        `{${users.join(',')}}`,
      ]);
    if (Number(row.n) !== users.length) throw invalidReference('participantUserIds', 'active user');
  }
  const contacts = [...new Set(f.participantContactIds ?? [])];
  if (contacts.length) {
    const [row] = await ctx.em
      .getConnection()
      .execute<{ n: string }[]>(`select count(*) as n from contacts where id = any(?::uuid[])`, [
        `{${contacts.join(',')}}`,
      ]);
    if (Number(row.n) !== contacts.length) throw invalidReference('participantContactIds', 'contact');
  }
}

export interface NewEventInput extends EventFields {
  /** whose calendar: the user's own by default; a lead may plan for their group */
  ownerId?: string;
  /** the event's id when the caller derives it (an automation run again creates the same event once) */
  id?: string;
}

async function createWith(
  ctx: CalendarCommandContext,
  input: NewEventInput,
  extra: { seriesId?: string; recurrenceId?: string; exdates?: string[] } = {},
): Promise<EventState> {
  const problems = eventProblems(input);
  if (problems.length) throw invalid(problems);
  const ownerId = input.ownerId ?? ctx.viewer.id;
  if (!(await mayManage(ctx, ownerId))) throw invalidReference('ownerId', 'user whose calendar you plan');
  await checkReferences(ctx, input);
  const id = input.id ?? randomUUID();
  const fields: EventFields = {
    kind: input.kind,
    title: input.title.trim(),
    description: input.description,
    startsAt: new Date(input.startsAt).toISOString(),
    endsAt: new Date(input.endsAt).toISOString(),
    allDay: input.allDay,
    timeZone: input.timeZone,
    rrule: input.rrule ? input.rrule.replace(/^RRULE:/i, '') : null,
    location: input.location,
    clientId: input.clientId,
    contactId: input.contactId,
    dealId: input.dealId,
    participantUserIds: [...new Set(input.participantUserIds)],
    participantContactIds: [...new Set(input.participantContactIds)],
    reminders: [...new Set(input.reminders)].sort((a, b) => b - a),
  };
  const state = {
    ...plannedState({ ...fields, id, ownerId }, await loadAskSettings(ctx.em), new Date().toISOString()),
    ...extra,
  };
  const start = { event: { ...state, version: 0 }, created: false };
  const result = await send(
    ctx,
    target(id, () => Promise.resolve(start)),
    createEvent,
    {
      opId: randomUUID(),
      actorId: ctx.actorId,
      event: state,
    },
  );
  return result.event;
}

export function createEventCommand(ctx: CalendarCommandContext, input: NewEventInput): Promise<EventState> {
  return createWith(ctx, input);
}

export interface EditInput {
  changes: Partial<EventFields>;
  expectedVersion?: number;
  /** for a series: all occurrences (default), this one only, or this and the following ones */
  scope?: 'all' | 'this' | 'following';
  occurrence?: string;
}

const fieldsOf = (s: EventState): EventFields => ({
  kind: s.kind,
  title: s.title,
  description: s.description,
  startsAt: s.startsAt,
  endsAt: s.endsAt,
  allDay: s.allDay,
  timeZone: s.timeZone,
  rrule: s.rrule,
  location: s.location,
  clientId: s.clientId,
  contactId: s.contactId,
  dealId: s.dealId,
  participantUserIds: s.participantUserIds,
  participantContactIds: s.participantContactIds,
  reminders: s.reminders,
});

/** Edits an event; for one occurrence or the following ones of a series, the series is split (see below). */
export async function editEventCommand(ctx: CalendarCommandContext, id: string, input: EditInput): Promise<EventState> {
  const row = await manageableEvent(ctx, id);
  const changes = { ...input.changes };
  if (changes.startsAt) changes.startsAt = new Date(changes.startsAt).toISOString();
  if (changes.endsAt) changes.endsAt = new Date(changes.endsAt).toISOString();
  if (changes.rrule) changes.rrule = changes.rrule.replace(/^RRULE:/i, '');
  const scope = input.scope ?? 'all';
  const current = stateOfRow(row, await loadAskSettings(ctx.em));
  const merged = { ...fieldsOf(current), ...changes };
  const problems = eventProblems(merged);
  if (problems.length) throw invalid(problems);
  await checkReferences(ctx, merged);
  const base = {
    opId: randomUUID(),
    actorId: ctx.actorId,
    expectedVersion: input.expectedVersion,
    storedVersion: row.version,
  };
  if (scope === 'all' || !row.rrule) {
    const r = await sendChange(ctx, row, editEvent, { ...base, changes, at: new Date().toISOString() });
    return r.event;
  }
  if (!input.occurrence) throw invalid([{ field: 'occurrence', message: 'Name the occurrence to change' }]);
  const t = Date.parse(input.occurrence);
  const occ = occurrencesBetween(current, t - 1, t, 1)[0];
  if (!occ) throw new DomainError(EventFailure.noOccurrence, 'No such occurrence');
  const duration = Date.parse(current.endsAt) - Date.parse(current.startsAt);
  if (scope === 'this') {
    // the occurrence becomes an event of its own; the series leaves it out
    const startsAt = changes.startsAt ?? occ.start;
    const endsAt = changes.endsAt ?? new Date(Date.parse(startsAt) + duration).toISOString();
    await sendChange(ctx, row, editEvent, {
      ...base,
      changes: { exdates: [...current.exdates, occ.start] },
      at: new Date().toISOString(),
    });
    return createWith(
      ctx,
      { ...merged, ownerId: row.ownerId, startsAt, endsAt, rrule: null },
      { seriesId: row.id, recurrenceId: occ.start },
    );
  }
  // this and following: the series ends before the occurrence, a new series starts there with the changes
  const parsed = parseRule(current.rrule!);
  let rule = changes.rrule ?? current.rrule!;
  if (!changes.rrule && 'options' in parsed && parsed.options.count) {
    const before = occurrencesBetween({ ...current, exdates: [] }, Date.parse(current.startsAt) - 1, t - 1).length;
    rule = rule.replace(/COUNT=\d+/i, `COUNT=${Math.max(1, parsed.options.count - before)}`);
  }
  const startsAt = changes.startsAt ?? occ.start;
  const endsAt = changes.endsAt ?? new Date(Date.parse(startsAt) + duration).toISOString();
  if (t <= Date.parse(current.startsAt)) {
    const r = await sendChange(ctx, row, editEvent, { ...base, changes, at: new Date().toISOString() });
    return r.event;
  }
  await sendChange(ctx, row, editEvent, {
    ...base,
    changes: { rrule: ruleEndingBefore(current.rrule!, occ.start) },
    at: new Date().toISOString(),
  });
  return createWith(ctx, { ...merged, ownerId: row.ownerId, startsAt, endsAt, rrule: rule }, { seriesId: row.id });
}

export async function cancelEventCommand(
  ctx: CalendarCommandContext,
  id: string,
  input: { occurrence?: string; expectedVersion?: number },
): Promise<EventState> {
  const row = await manageableEvent(ctx, id);
  const r = await sendChange(ctx, row, cancelEvent, {
    opId: randomUUID(),
    actorId: ctx.actorId,
    expectedVersion: input.expectedVersion,
    storedVersion: row.version,
    occurrence: input.occurrence ? new Date(input.occurrence).toISOString() : undefined,
    at: new Date().toISOString(),
  });
  return r.event;
}

export interface ResultInput {
  occurrence?: string;
  outcomeId: string;
  disposition?: Disposition | null;
  summary: string;
  /** the next step: a follow-up event (pre-filled by the form), required unless the outcome closes the matter */
  next?: NewEventInput | null;
}

/**
 * Records the result of an occurrence: the follow-up is planned first (its own event), then the result is an Update
 * whose validator refuses an occurrence not begun or answered already and an outcome not offered. A refused result
 * cancels the follow-up it planned, so nothing is left half-done.
 */
export async function recordResultCommand(
  ctx: CalendarCommandContext,
  id: string,
  input: ResultInput,
): Promise<{ event: EventState; reportId: string; nextEvent: EventState | null }> {
  const row = await loadEventRow(ctx.em, id);
  if (!row || (row.ownerId !== ctx.viewer.id && ctx.viewer.role !== 'admin' && !(await mayManage(ctx, row.ownerId)))) {
    throw notFound('Event');
  }
  const state = await loadEventState(ctx.em, id);
  if (!state) throw notFound('Event');
  const occurrence = input.occurrence
    ? new Date(input.occurrence).toISOString()
    : (state.resultsDue[0]?.occurrence ?? (state.rrule ? undefined : state.startsAt));
  if (!occurrence) throw invalid([{ field: 'occurrence', message: 'Name the occurrence this result answers' }]);
  const outcomes = await outcomesFor(ctx.em, state.kind);
  const outcome = outcomes.find((o) => o.id === input.outcomeId);
  if (!outcome) {
    throw new DomainError(EventFailure.resultInvalid, 'Choose one of the outcomes offered', {
      errors: [{ field: 'outcomeId', message: 'Choose one of the outcomes offered' }],
    });
  }
  if (!outcome.closes && !input.next) {
    throw new DomainError(EventFailure.resultInvalid, 'Plan the next step: this outcome does not close the matter', {
      errors: [{ field: 'next', message: 'Plan the next step: this outcome does not close the matter' }],
    });
  }
  if (input.disposition && state.kind !== 'call') {
    throw invalid([{ field: 'disposition', message: 'Only a call has a disposition' }]);
  }
  const nextEvent = input.next
    ? await createWith(ctx, {
        ...input.next,
        ownerId: input.next.ownerId ?? state.ownerId,
        dealId: input.next.dealId ?? state.dealId,
        clientId: input.next.clientId ?? state.clientId,
        contactId: input.next.contactId ?? state.contactId,
      })
    : null;
  const reportId = randomUUID();
  try {
    const r = await sendChange(ctx, row, recordResult, {
      opId: randomUUID(),
      actorId: ctx.actorId,
      storedVersion: row.version,
      occurrence,
      outcome: outcome satisfies OutcomeChoice,
      outcomes,
      at: new Date().toISOString(),
      report: {
        id: reportId,
        disposition: input.disposition ?? null,
        summary: input.summary,
        nextStep: nextEvent ? nextEvent.title : '',
        nextEventId: nextEvent?.id ?? null,
        clientId: state.clientId,
        contactId: state.contactId,
        dealId: state.dealId,
      },
    });
    return { event: r.event, reportId, nextEvent };
  } catch (err) {
    if (nextEvent && err instanceof DomainError && err.code !== 'OUTCOME_UNKNOWN') {
      await cancelEventCommand(ctx, nextEvent.id, {}).catch(() => undefined);
    }
    throw err;
  }
}
