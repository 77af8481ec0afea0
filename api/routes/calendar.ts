import { z } from 'zod';
import {
  cancelEventCommand,
  createEventCommand,
  editEventCommand,
  recordResultCommand,
  type CalendarCommandContext,
} from '../../modules/calendar/commands.ts';
import { DISPOSITIONS, EVENT_KINDS, REPORT_KINDS, type EventState } from '../../modules/calendar/model.ts';
import { createOutcome, listOutcomes, updateOutcome } from '../../modules/calendar/outcomes.ts';
import { calendarCounters, listOccurrences, readEvent } from '../../modules/calendar/queries.ts';
import { createReport, listReports } from '../../modules/calendar/reports.ts';
import { eventProblems } from '../../modules/calendar/rules.ts';
import { isTimeZone } from '../../modules/calendar/recurrence.ts';
import { readCalendarSettings, updateCalendarSettings } from '../../modules/calendar/settings.ts';
import { idParams, pageOf, pageQuery, route, type Ctx, type RouteSpec } from '../http.ts';

const instant = z.iso.datetime({ offset: true });
const kind = z.enum(EVENT_KINDS);

/** The event's fields; `eventProblems` adds the rules across fields, each named by its field (400 VALIDATION_FAILED). */
const fieldShape = {
  kind,
  title: z.string().trim().min(1).max(300),
  description: z.string().max(10_000).default(''),
  startsAt: instant,
  endsAt: instant,
  allDay: z.boolean().default(false),
  timeZone: z.string().max(64).describe("IANA time zone, e.g. Europe/Moscow (the web app sends the user's)"),
  rrule: z
    .string()
    .max(500)
    .nullable()
    .default(null)
    .describe(
      'recurrence: an RRULE without DTSTART, e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10 (DAILY, WEEKLY, MONTHLY, YEARLY)',
    ),
  location: z.string().max(500).default('').describe('a place or a meeting link'),
  clientId: z.uuid().nullable().default(null),
  contactId: z.uuid().nullable().default(null),
  dealId: z.uuid().nullable().default(null),
  participantUserIds: z.array(z.uuid()).max(50).default([]),
  participantContactIds: z.array(z.uuid()).max(50).default([]),
  reminders: z.array(z.number().int()).max(10).default([]).describe('minutes before the start, e.g. [1440, 15]'),
};

const withRules = <T extends z.ZodType<Record<string, unknown>>>(schema: T) =>
  schema.superRefine((v, ctx) => {
    for (const p of eventProblems(v)) ctx.addIssue({ code: 'custom', path: p.field.split('.'), message: p.message });
  });

const newEventBody = withRules(
  z.strictObject({
    ...fieldShape,
    ownerId: z.uuid().optional().describe("whose calendar (a lead may plan for their group's)"),
  }),
);

const eventSchema = z
  .object({
    id: z.uuid(),
    ownerId: z.uuid(),
    ownerName: z.string(),
    kind,
    title: z.string(),
    description: z.string(),
    startsAt: z.string(),
    endsAt: z.string(),
    allDay: z.boolean(),
    timeZone: z.string(),
    rrule: z.string().nullable(),
    exdates: z.array(z.string()),
    cancelledOccurrences: z.array(z.string()),
    location: z.string(),
    clientId: z.uuid().nullable(),
    clientName: z.string().nullable(),
    contactId: z.uuid().nullable(),
    contactName: z.string().nullable(),
    dealId: z.uuid().nullable(),
    dealTitle: z.string().nullable(),
    participantUserIds: z.array(z.uuid()),
    participantContactIds: z.array(z.uuid()),
    reminders: z.array(z.number().int()),
    status: z.enum(['planned', 'cancelled']),
    seriesId: z.uuid().nullable(),
    recurrenceId: z.string().nullable(),
    sequence: z.number().int(),
    resultsDue: z.array(z.string()).describe('occurrence starts whose result is awaited'),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    canEdit: z.boolean(),
  })
  .meta({ id: 'CalendarEvent' });

const occurrenceSchema = z
  .object({
    eventId: z.uuid(),
    occurrence: z.string(),
    start: z.string(),
    end: z.string(),
    title: z.string(),
    kind,
    allDay: z.boolean(),
    timeZone: z.string(),
    recurring: z.boolean(),
    cancelled: z.boolean(),
    ownerId: z.uuid(),
    ownerName: z.string(),
    location: z.string(),
    dealId: z.uuid().nullable(),
    dealTitle: z.string().nullable(),
    clientId: z.uuid().nullable(),
    clientName: z.string().nullable(),
    contactId: z.uuid().nullable(),
    resultDue: z.boolean(),
    reported: z.boolean(),
    version: z.number().int(),
  })
  .meta({ id: 'CalendarOccurrence' });

const outcomeSchema = z
  .object({
    id: z.uuid(),
    kind,
    label: z.string(),
    closes: z.boolean().describe('closes the matter: no next step is required'),
    position: z.number().int(),
    archived: z.boolean(),
  })
  .meta({ id: 'EventOutcome' });

const reportSchema = z
  .object({
    id: z.uuid(),
    authorId: z.uuid(),
    authorName: z.string(),
    kind: z.enum(REPORT_KINDS),
    occurredAt: z.string(),
    eventId: z.uuid().nullable(),
    occurrence: z.string().nullable(),
    clientId: z.uuid().nullable(),
    clientName: z.string().nullable(),
    contactId: z.uuid().nullable(),
    dealId: z.uuid().nullable(),
    dealTitle: z.string().nullable(),
    disposition: z.enum(DISPOSITIONS).nullable(),
    outcome: z.string(),
    summary: z.string(),
    nextStep: z.string(),
    nextEventId: z.uuid().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'InteractionReport' });

const countersSchema = z
  .object({
    userId: z.uuid(),
    name: z.string(),
    resultsOverdue: z.number().int(),
    dueToday: z.number().int(),
    dealsWithoutActivity: z.number().int(),
  })
  .meta({ id: 'CalendarCounters' });

const HM = /^([01]\d|2[0-3]):[0-5]\d$/;
const settingsShape = {
  askEveryMinutes: z.number().int().min(5).max(10_080).describe('ask an unanswered result again after this long'),
  escalateAfterAsks: z.number().int().min(1).max(100).describe('tell the lead at this ask'),
  workStart: z.string().regex(HM).describe('HH:MM'),
  workEnd: z.string().regex(HM).describe('HH:MM, after workStart'),
  workDays: z.array(z.number().int().min(1).max(7)).min(1).max(7).describe('ISO weekdays, 1 = Monday'),
  timeZone: z.string().max(64).refine(isTimeZone, 'Unknown time zone'),
};
const settingsSchema = z.object({ ...settingsShape, version: z.number().int() }).meta({ id: 'CalendarSettings' });

const commandContext = (c: Ctx<unknown, unknown, unknown>): CalendarCommandContext => ({
  em: c.em,
  temporal: c.app.temporal,
  taskQueue: c.app.config.TEMPORAL_TASK_QUEUE,
  actorId: c.user.id,
  viewer: c.user,
});

const viewOf = (c: Ctx<unknown, unknown, unknown>, e: EventState) => readEvent(c.em.fork(), c.user, e.id);

const occurrenceQuery = z.strictObject({
  from: instant,
  to: instant,
  owner: z
    .union([z.enum(['me', 'group']), z.uuid()])
    .optional()
    .describe("me, group (a lead's group and themselves) or a user id; default: everyone you see"),
  dealId: z.uuid().optional(),
  clientId: z.uuid().optional(),
  contactId: z.uuid().optional(),
});

export const calendarRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/calendar/occurrences',
    operationId: 'listOccurrences',
    summary: 'Occurrences overlapping a window (at most 100 days), series expanded in their time zones, in start order',
    tag: 'Calendar',
    access: 'user',
    query: occurrenceQuery
      .refine((q) => Date.parse(q.to) > Date.parse(q.from), { path: ['to'], message: 'to must be after from' })
      .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 100 * 86_400_000, {
        path: ['to'],
        message: 'A window is at most 100 days',
      }),
    response: z.object({ items: z.array(occurrenceSchema) }),
    handler: async ({ em, user, query }) => ({ items: await listOccurrences(em, user, query) }),
  }),
  route({
    method: 'post',
    path: '/calendar/events',
    operationId: 'createEvent',
    summary: 'Plan an event (a call, meeting, email to send or task); with reminders and a result to collect',
    tag: 'Calendar',
    access: 'user',
    status: 201,
    errors: [400, 409, 422, 503],
    body: newEventBody,
    response: eventSchema,
    handler: async (c) => viewOf(c, await createEventCommand(commandContext(c), c.body)),
  }),
  route({
    method: 'get',
    path: '/calendar/events/:id',
    operationId: 'getEvent',
    summary: 'One event',
    tag: 'Calendar',
    access: 'user',
    errors: [404],
    params: idParams,
    response: eventSchema,
    handler: ({ em, user, params }) => readEvent(em, user, params.id),
  }),
  route({
    method: 'patch',
    path: '/calendar/events/:id',
    operationId: 'editEvent',
    summary:
      'Change an event; for a series, all occurrences (default), one occurrence (scope this) or this and the following',
    tag: 'Calendar',
    access: 'user',
    errors: [400, 404, 409, 422, 503],
    params: idParams,
    body: z.strictObject({
      changes: z.strictObject(fieldShape).partial(),
      version: z.number().int().positive().optional().describe('the version you saw'),
      scope: z.enum(['all', 'this', 'following']).default('all'),
      occurrence: instant.optional().describe('the occurrence (its start) for scope this or following'),
    }),
    response: eventSchema,
    handler: async (c) =>
      viewOf(
        c,
        await editEventCommand(commandContext(c), c.params.id, {
          changes: c.body.changes,
          expectedVersion: c.body.version,
          scope: c.body.scope,
          occurrence: c.body.occurrence,
        }),
      ),
  }),
  route({
    method: 'post',
    path: '/calendar/events/:id/cancel',
    operationId: 'cancelEvent',
    summary: 'Cancel an event, or one occurrence of a series',
    tag: 'Calendar',
    access: 'user',
    errors: [404, 409, 422, 503],
    params: idParams,
    body: z.strictObject({ occurrence: instant.optional(), version: z.number().int().positive().optional() }),
    response: eventSchema,
    handler: async (c) =>
      viewOf(
        c,
        await cancelEventCommand(commandContext(c), c.params.id, {
          occurrence: c.body.occurrence,
          expectedVersion: c.body.version,
        }),
      ),
  }),
  route({
    method: 'post',
    path: '/calendar/events/:id/result',
    operationId: 'recordEventResult',
    summary:
      'Record the result of an occurrence: outcome, summary and the next step (a follow-up event), required unless the outcome closes the matter',
    tag: 'Calendar',
    access: 'user',
    status: 201,
    errors: [400, 404, 409, 422, 503],
    params: idParams,
    body: z.strictObject({
      occurrence: instant.optional().describe('the occurrence (its start); default: the first one awaiting a result'),
      outcomeId: z.uuid(),
      disposition: z
        .enum(DISPOSITIONS)
        .nullable()
        .default(null)
        .describe('calls: answered, no_answer, busy, voicemail'),
      summary: z.string().trim().max(5000).default(''),
      next: withRules(z.strictObject({ ...fieldShape, ownerId: z.uuid().optional() }))
        .nullable()
        .default(null),
    }),
    response: z.object({ event: eventSchema, reportId: z.uuid(), nextEvent: eventSchema.nullable() }),
    handler: async (c) => {
      const r = await recordResultCommand(commandContext(c), c.params.id, c.body);
      return {
        event: await viewOf(c, r.event),
        reportId: r.reportId,
        nextEvent: r.nextEvent ? await viewOf(c, r.nextEvent) : null,
      };
    },
  }),
  route({
    method: 'get',
    path: '/calendar/counters',
    operationId: 'calendarCounters',
    summary:
      'Results overdue, events due today and open deals with no planned activity: yours, and per manager for a lead',
    tag: 'Calendar',
    access: 'user',
    response: z.object({ items: z.array(countersSchema) }),
    handler: async ({ em, user }) => ({ items: await calendarCounters(em, user) }),
  }),
  route({
    method: 'get',
    path: '/calendar/outcomes',
    operationId: 'listOutcomes',
    summary: 'The outcomes a result may name, per kind',
    tag: 'Calendar',
    access: 'user',
    query: z.strictObject({ archived: z.enum(['true', 'false']).default('false') }),
    response: z.object({ items: z.array(outcomeSchema) }),
    handler: async ({ em, query }) => ({ items: await listOutcomes(em, query.archived === 'true') }),
  }),
  route({
    method: 'post',
    path: '/calendar/outcomes',
    operationId: 'createOutcome',
    summary: 'Offer an outcome for a kind of event',
    tag: 'Calendar',
    access: 'admin',
    status: 201,
    errors: [409],
    body: z.strictObject({ kind, label: z.string().trim().min(1).max(100), closes: z.boolean().default(false) }),
    response: outcomeSchema,
    handler: ({ em, body }) => createOutcome(em, body),
  }),
  route({
    method: 'patch',
    path: '/calendar/outcomes/:id',
    operationId: 'updateOutcome',
    summary: 'Rename, reorder or archive an outcome',
    tag: 'Calendar',
    access: 'admin',
    errors: [404, 409],
    params: idParams,
    body: z.strictObject({
      label: z.string().trim().min(1).max(100).optional(),
      closes: z.boolean().optional(),
      position: z.number().int().min(0).max(1000).optional(),
      archived: z.boolean().optional(),
    }),
    response: outcomeSchema,
    handler: ({ em, params, body }) => updateOutcome(em, params.id, body),
  }),
  route({
    method: 'get',
    path: '/calendar/settings',
    operationId: 'getCalendarSettings',
    summary: "The company's cadence for asking results: how often, within which working hours, when the lead is told",
    tag: 'Calendar',
    access: 'user',
    response: settingsSchema,
    handler: ({ em }) => readCalendarSettings(em),
  }),
  route({
    method: 'put',
    path: '/calendar/settings',
    operationId: 'updateCalendarSettings',
    summary: "Change the company's cadence for asking results (applies from each event's next ask)",
    tag: 'Calendar',
    access: 'admin',
    errors: [409],
    body: z
      .strictObject({ ...settingsShape, version: z.number().int().positive() })
      .refine((b) => b.workEnd > b.workStart, { path: ['workEnd'], message: 'The working day ends after it starts' }),
    response: settingsSchema,
    handler: ({ em, body }) => updateCalendarSettings(em, body),
  }),
  route({
    method: 'get',
    path: '/reports',
    operationId: 'listReports',
    summary: 'Interaction reports you see, newest first, filtered by manager, client, contact, deal, kind and period',
    tag: 'Calendar',
    access: 'user',
    query: z.strictObject({
      ...pageQuery,
      authorId: z.uuid().optional(),
      clientId: z.uuid().optional(),
      contactId: z.uuid().optional(),
      dealId: z.uuid().optional(),
      kind: z.enum(REPORT_KINDS).optional(),
      from: instant.optional(),
      to: instant.optional(),
    }),
    response: pageOf(reportSchema),
    handler: ({ em, user, query }) => listReports(em, user, query),
  }),
  route({
    method: 'post',
    path: '/reports',
    operationId: 'createReport',
    summary: 'Write an interaction report without an event (a call, meeting or negotiation that was not planned)',
    tag: 'Calendar',
    access: 'user',
    status: 201,
    errors: [400, 422],
    body: z.strictObject({
      kind: z.enum(REPORT_KINDS),
      occurredAt: instant,
      clientId: z.uuid().nullable().default(null),
      contactId: z.uuid().nullable().default(null),
      dealId: z.uuid().nullable().default(null),
      participantUserIds: z.array(z.uuid()).max(50).default([]),
      participantContactIds: z.array(z.uuid()).max(50).default([]),
      disposition: z.enum(DISPOSITIONS).nullable().default(null),
      outcomeId: z.uuid(),
      summary: z.string().trim().max(5000).default(''),
      nextStep: z.string().trim().max(1000).default(''),
    }),
    response: reportSchema,
    handler: ({ em, user, body, req }) => createReport(em, user, body, req.get('idempotency-key') ?? undefined),
  }),
];
