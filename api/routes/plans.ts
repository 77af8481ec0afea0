import fs from 'node:fs';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import {
  decideLinesCommand,
  finalisePlanCommand,
  savePlanCommand,
  submitPlanCommand,
  type PlanCommandContext,
} from '../../modules/plans/commands.ts';
import { importPayments, recordPayment } from '../../modules/plans/payments.ts';
import {
  listPlans,
  overdueReviews,
  planHistory,
  planTotals,
  planVsActual,
  readPlan,
} from '../../modules/plans/queries.ts';
import { COMPANY_TOTALS_ROLES, loadPlanSettings } from '../../modules/plans/rows.ts';
import { setPlanSettings } from '../../modules/plans/settings.ts';
import { route, type Ctx, type RouteSpec } from '../http.ts';
import { clientAddress } from './auth.ts';
import { wakeDeadlines } from '../../modules/plans/deadlines.ts';

const money = z.string().describe('a decimal string, e.g. "1234.50"');
const date = z.string().describe('a calendar date, YYYY-MM-DD');
const amountIn = z
  .string()
  .trim()
  .max(20)
  .describe('a decimal string above zero with up to two decimals, e.g. "1234.50"');
const currency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR');

const planParams = z.strictObject({
  managerId: z.uuid(),
  period: z.string().max(20).describe('2026-12 (a month), 2026-W49 (an ISO week) or 2026-12-01 (a day)'),
});

const lineSchema = z.object({
  id: z.uuid(),
  clientId: z.uuid(),
  clientName: z.string(),
  dealId: z.uuid().nullable(),
  dealTitle: z.string().nullable(),
  amount: money,
  currency: z.string(),
  amountBase: money.describe('in the company currency at the rate of the expected date'),
  expectedOn: date,
  comment: z.string(),
  status: z.enum(['open', 'approved', 'doubtful']),
  revised: z.boolean().describe('changed by the manager since the lead doubted it'),
  decisionComment: z.string(),
  decidedBy: z.uuid().nullable(),
  decidedAt: z.string().nullable(),
});

const planSchema = z
  .object({
    id: z.uuid(),
    managerId: z.uuid(),
    managerName: z.string(),
    period: z.string(),
    periodKind: z.enum(['day', 'week', 'month']),
    startsAt: z.string().describe('the period begins, in the company time zone'),
    endsAt: z.string(),
    status: z.enum(['draft', 'submitted', 'final']),
    revision: z.number().int(),
    version: z.number().int(),
    confirmation: z.boolean(),
    canReview: z.boolean().describe('you are the lead, or a lead above, who decides on its lines'),
    finalisedAt: z.string().nullable(),
    lines: z.array(lineSchema.meta({ id: 'PlanLine' })),
    totals: z.object({
      submitted: money.describe('as submitted (the latest submission)'),
      confirmed: money.describe('approved lines: the final plan'),
      doubtful: money,
      pending: money.describe('lines awaiting a decision'),
    }),
    submission: z
      .object({
        number: z.number().int(),
        revision: z.number().int(),
        note: z.string(),
        total: money,
        submittedAt: z.string(),
        submittedBy: z.uuid().nullable(),
        lines: z.array(z.record(z.string(), z.unknown())),
      })
      .nullable()
      .describe('the current submission: the lines as frozen, with the note'),
  })
  .meta({ id: 'Plan' });

const figures = {
  submitted: money,
  approved: money.describe('the final plan: approved lines'),
  doubtful: money,
  pending: money,
  actual: money.describe('payments received in the period'),
};
const totalsSchema = z
  .object({
    period: z.string(),
    periodKind: z.string(),
    planKind: z.enum(['day', 'week', 'month']),
    by: z.enum(['group', 'manager', 'client', 'line']),
    total: z.object({ ...figures, lines: z.number().int() }),
    items: z.array(z.object({ key: z.string().nullable(), name: z.string(), lines: z.number().int(), ...figures })),
  })
  .meta({ id: 'PlanTotals' });

const settingsSchema = z
  .object({
    confirmation: z.boolean().describe('a lead confirms plans line by line; off: a saved plan is final'),
    submitDueDays: z.number().int().describe("days from the period's first day by which a manager submits"),
    reviewDueDays: z.number().int().describe("days from the period's first day by which the lead reviews"),
    timeZone: z.string().describe('the company time zone periods are bounded in'),
    remindPeriod: z
      .enum(['day', 'week', 'month'])
      .describe('the plan period a manager with no plan is reminded to submit for, at the submit deadline'),
    companyTotalsRoles: z
      .array(z.enum(COMPANY_TOTALS_ROLES))
      .describe("the roles, beside administrators, that read the company's plan totals (with drill-down)"),
    version: z.number().int(),
  })
  .meta({ id: 'PlanSettings' });

const versionIn = z.number().int().positive().optional().describe('the version you saw');

const commandContext = (c: Ctx<unknown, unknown, unknown>): PlanCommandContext => ({
  em: c.em,
  temporal: c.app.temporal,
  taskQueue: c.app.config.TEMPORAL_TASK_QUEUE,
  actorId: c.user.id,
  viewer: c.user,
});

const view = (c: Ctx<z.infer<typeof planParams>, unknown, unknown>) =>
  readPlan(c.em.fork(), c.user, c.params.managerId, c.params.period);

const paymentBody = z.strictObject({
  clientId: z.uuid(),
  dealId: z.uuid().nullable().default(null),
  amount: amountIn,
  currency,
  paidOn: date,
  comment: z.string().trim().max(2000).default(''),
  refund: z
    .boolean()
    .default(false)
    .describe('money returned to the client: counts negative (the amount may be given with or without its minus)'),
});

export const planRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/plan-settings',
    operationId: 'getPlanSettings',
    summary: 'Whether plans are confirmed by a lead, the deadlines and the time zone periods are bounded in',
    tag: 'Plans',
    access: 'user',
    response: settingsSchema,
    handler: ({ em }) => loadPlanSettings(em),
  }),
  route({
    method: 'put',
    path: '/plan-settings',
    operationId: 'setPlanSettings',
    summary:
      'Turn confirmation on or off, set the deadlines, the time zone, the period managers with no plan are reminded ' +
      "for and the roles granted the company's totals (409 when changed meanwhile); the change is audited",
    tag: 'Plans',
    access: 'admin',
    errors: [400, 409],
    body: z.strictObject({
      confirmation: z.boolean(),
      submitDueDays: z.number().int().min(-366).max(366),
      reviewDueDays: z.number().int().min(-366).max(366),
      timeZone: z.string().max(64),
      remindPeriod: z.enum(['day', 'week', 'month']).optional().describe('unchanged when left out'),
      companyTotalsRoles: z
        .array(z.enum(COMPANY_TOTALS_ROLES))
        .max(COMPANY_TOTALS_ROLES.length)
        .optional()
        .describe('unchanged when left out'),
      version: z.number().int().min(0),
    }),
    response: settingsSchema,
    handler: async ({ em, body, user, req, app }) => {
      const saved = await setPlanSettings(em, body, { id: user.id, email: user.email, ip: clientAddress(req) });
      await wakeDeadlines(app.temporal, app.config.TEMPORAL_TASK_QUEUE);
      return saved;
    },
  }),
  route({
    method: 'get',
    path: '/plans',
    operationId: 'listPlans',
    summary:
      "The plans of a period you see (yours; a lead's group's; everyone's for an administrator) with their status " +
      'and totals; a quarter or a year lists its month plans',
    tag: 'Plans',
    access: 'user',
    errors: [400],
    query: z.strictObject({ period: z.string().max(20), departmentId: z.uuid().optional() }),
    response: z.object({
      items: z.array(
        z
          .object({
            id: z.uuid(),
            managerId: z.uuid(),
            managerName: z.string(),
            period: z.string(),
            status: z.enum(['draft', 'submitted', 'final']),
            revision: z.number().int(),
            version: z.number().int(),
            lines: z.number().int(),
            submitted: money,
            approved: money,
            doubtful: money,
            pending: money,
            updatedAt: z.string(),
          })
          .meta({ id: 'PlanSummary' }),
      ),
    }),
    handler: async ({ em, user, query }) => ({ items: await listPlans(em, user, query) }),
  }),
  route({
    method: 'get',
    path: '/plans/overdue',
    operationId: 'overduePlanReviews',
    summary:
      'Confirmations overdue: submitted plans whose lines still await the lead after the review deadline, oldest ' +
      "first, with the lead who should review; an administrator sees the company's, a lead their org subtree's (so " +
      "a lead's lead sees their leads' overdue reviews), anyone else none",
    tag: 'Plans',
    access: 'user',
    response: z.object({
      items: z.array(
        z
          .object({
            planId: z.uuid(),
            managerId: z.uuid(),
            managerName: z.string(),
            period: z.string(),
            periodKind: z.enum(['day', 'week', 'month']),
            revision: z.number().int(),
            leadId: z.uuid().nullable().describe('the nearest lead above the manager: who should review'),
            leadName: z.string().nullable(),
            submittedAt: z.string().nullable(),
            dueAt: z.string().describe('the review deadline that passed'),
            openLines: z.number().int(),
            openAmount: money.describe('the lines awaiting a decision, in the company currency'),
          })
          .meta({ id: 'OverduePlanReview' }),
      ),
    }),
    handler: async ({ em, user }) => ({ items: await overdueReviews(em, user) }),
  }),
  route({
    method: 'get',
    path: '/plans/:managerId/:period',
    operationId: 'getPlan',
    summary: "A manager's plan for a period with its lines, decisions and both figures (as submitted, as confirmed)",
    tag: 'Plans',
    access: 'user',
    errors: [400, 404],
    params: planParams,
    response: planSchema,
    handler: (c) => view(c),
  }),
  route({
    method: 'put',
    path: '/plans/:managerId/:period',
    operationId: 'savePlan',
    summary:
      "Save a manager's plan for a period (its whole list of lines). Confirmation off: the plan is final. On: under " +
      'review only doubtful lines may change; saving a final plan opens a new revision to confirm',
    tag: 'Plans',
    access: 'user',
    errors: [400, 404, 409, 422, 503],
    params: planParams,
    body: z.strictObject({
      lines: z
        .array(
          z.strictObject({
            id: z.uuid().optional().describe("an existing line's id to keep it; none for a new line"),
            clientId: z.uuid(),
            dealId: z.uuid().nullable().default(null),
            amount: amountIn,
            currency,
            expectedOn: date.describe('inside the period'),
            comment: z.string().max(2000).default(''),
          }),
        )
        .max(2000),
      version: versionIn,
    }),
    response: planSchema,
    handler: async (c) => {
      await savePlanCommand(commandContext(c), c.params.managerId, c.params.period, {
        lines: c.body.lines,
        expectedVersion: c.body.version,
      });
      return view(c);
    },
  }),
  route({
    method: 'post',
    path: '/plans/:managerId/:period/submit',
    operationId: 'submitPlan',
    summary: 'Submit the plan for confirmation: its lines are frozen as a submission with the note',
    tag: 'Plans',
    access: 'user',
    errors: [400, 404, 409, 503],
    params: planParams,
    body: z.strictObject({ note: z.string().trim().max(2000).default(''), version: versionIn }),
    response: planSchema,
    handler: async (c) => {
      await submitPlanCommand(commandContext(c), c.params.managerId, c.params.period, {
        note: c.body.note,
        expectedVersion: c.body.version,
      });
      return view(c);
    },
  }),
  route({
    method: 'post',
    path: '/plans/:managerId/:period/decisions',
    operationId: 'decidePlanLines',
    summary:
      "The lead's decisions on open lines, one or many at once: approved, or doubtful with a comment (doubtful lines " +
      'do not enter the final plan)',
    tag: 'Plans',
    access: 'user',
    errors: [400, 403, 404, 409, 503],
    params: planParams,
    body: z.strictObject({
      decisions: z
        .array(
          z
            .strictObject({
              lineId: z.uuid(),
              decision: z.enum(['approved', 'doubtful']),
              comment: z.string().trim().max(2000).default(''),
            })
            .refine((d) => d.decision !== 'doubtful' || d.comment.length > 0, {
              path: ['comment'],
              message: 'Say why the line is doubtful',
            }),
        )
        .min(1)
        .max(2000),
      version: versionIn,
    }),
    response: planSchema,
    handler: async (c) => {
      await decideLinesCommand(commandContext(c), c.params.managerId, c.params.period, {
        decisions: c.body.decisions,
        expectedVersion: c.body.version,
      });
      return view(c);
    },
  }),
  route({
    method: 'post',
    path: '/plans/:managerId/:period/finalise',
    operationId: 'finalisePlan',
    summary: 'The lead finalises the reviewed plan: approved lines are the final plan, which is locked',
    tag: 'Plans',
    access: 'user',
    errors: [400, 403, 404, 409, 503],
    params: planParams,
    body: z.strictObject({ version: versionIn }),
    response: planSchema,
    handler: async (c) => {
      await finalisePlanCommand(commandContext(c), c.params.managerId, c.params.period, {
        expectedVersion: c.body.version,
      });
      return view(c);
    },
  }),
  route({
    method: 'get',
    path: '/plans/:managerId/:period/history',
    operationId: 'planHistory',
    summary: "The plan's timeline: saves, submissions, each batch of decisions, finalisations, new revisions",
    tag: 'Plans',
    access: 'user',
    errors: [400, 404],
    params: planParams,
    response: z.object({
      items: z.array(
        z.object({
          id: z.string(),
          kind: z.string(),
          actorId: z.uuid().nullable(),
          at: z.string(),
          data: z.record(z.string(), z.unknown()),
        }),
      ),
    }),
    handler: async ({ em, user, params }) => ({ items: await planHistory(em, user, params.managerId, params.period) }),
  }),
  route({
    method: 'get',
    path: '/plan-totals',
    operationId: 'planTotals',
    summary:
      'Plan totals for a period (a quarter or a year sums month plans) at one level: by group for the company ' +
      '(administrators and the roles granted it in the plan settings), by manager for a group, by client for a manager, by line for a client; submitted, approved ' +
      '(final), doubtful and pending beside the payments received',
    tag: 'Plans',
    access: 'user',
    errors: [400, 403, 404],
    query: z.strictObject({
      period: z.string().max(20).describe('2026-12, 2026-W49, 2026-12-01, 2026-Q4 or 2026'),
      by: z.enum(['group', 'manager', 'client', 'line']).default('group'),
      departmentId: z.uuid().optional(),
      managerId: z.uuid().optional(),
      clientId: z.uuid().optional(),
    }),
    response: totalsSchema,
    handler: ({ em, user, query }) => planTotals(em, user, query),
  }),
  route({
    method: 'get',
    path: '/plan-vs-actual',
    operationId: 'planVsActual',
    summary:
      'Plan against actual by period from one period to another (the kind of `from`: months for a quarter or a year), ' +
      'for the company (administrators and the roles granted it), a group or a manager',
    tag: 'Plans',
    access: 'user',
    errors: [400, 403, 404],
    query: z.strictObject({
      from: z.string().max(20),
      to: z.string().max(20),
      departmentId: z.uuid().optional(),
      managerId: z.uuid().optional(),
    }),
    response: z.object({
      planKind: z.enum(['day', 'week', 'month']),
      items: z.array(
        z.object({
          period: z.string(),
          submitted: money,
          approved: money,
          doubtful: money,
          actual: money,
          percent: z.number().nullable().describe('actual as a share of the approved plan'),
        }),
      ),
    }),
    handler: ({ em, user, query }) => planVsActual(em, user, query),
  }),
  route({
    method: 'post',
    path: '/payments',
    operationId: 'recordPayment',
    summary:
      "Record a payment received from a client (optionally for a deal), or a refund; it counts for the client's " +
      'owner. A zero amount, or a negative one not marked as a refund, is refused naming the field (422)',
    tag: 'Plans',
    access: 'user',
    status: 201,
    errors: [400, 422],
    body: paymentBody,
    response: z.object({
      id: z.uuid(),
      clientId: z.uuid(),
      dealId: z.uuid().nullable(),
      managerId: z.uuid(),
      amount: z.string().describe('negative for a refund'),
      currency: z.string(),
      amountBase: money,
      paidOn: date,
      comment: z.string(),
      refund: z.boolean(),
    }),
    handler: ({ em, user, body }) => recordPayment(em, user, body),
  }),
  route({
    method: 'post',
    path: '/payments/import',
    operationId: 'importPayments',
    summary:
      'Import payments from a CSV file (UTF-8 with or without BOM, UTF-16 or Windows-1251; columns client, deal, ' +
      'amount, currency, date, comment, refund): without confirm a preview with each row’s errors (naming the row and ' +
      'the column of the file), nothing written; with confirm=true the valid rows are written. A payment is written ' +
      'once: a row of a file confirmed before (the same client, deal, date, amount and currency, as often as the file ' +
      'repeats it) is answered `recorded` with the payment it is, in the preview and at confirmation, and not ' +
      'written again — also when two confirmations race',
    tag: 'Plans',
    access: 'user',
    errors: [400, 413, 415, 422],
    multipart: true,
    body: z.strictObject({ confirm: z.enum(['true', 'false']).default('false') }),
    response: z.object({
      encoding: z.string().nullable(),
      delimiter: z.string().nullable(),
      confirmed: z.boolean(),
      written: z.number().int().describe('rows written by this request'),
      recorded: z.number().int().describe('valid rows recorded already, not written again'),
      valid: z.number().int(),
      invalid: z.number().int(),
      rows: z.array(
        z.object({
          row: z.number().int().describe('the line of the file (the header is line 1)'),
          status: z
            .enum(['invalid', 'ready', 'written', 'recorded'])
            .describe('ready: would be written at confirmation; recorded: written before, not again'),
          paymentId: z.uuid().nullable().describe('the payment written now, or recorded before'),
          recordedAt: z.string().nullable().describe('when the payment was recorded before'),
          clientId: z.uuid().nullable(),
          dealId: z.string().nullable(),
          amount: z.string(),
          currency: z.string(),
          paidOn: z.string(),
          amountBase: z.string().nullable(),
          refund: z.boolean(),
          comment: z.string(),
          errors: z.array(
            z.object({
              field: z.string(),
              column: z.string().nullable().describe('the column of the file, as its header names it'),
              message: z.string(),
            }),
          ),
        }),
      ),
    }),
    handler: async (c) => {
      const file = c.req.file;
      if (!file)
        throw new AppError(400, 'FILE_MISSING', 'Send the file in the "file" field of a multipart/form-data body');
      return importPayments(c.em, c.user, await fs.promises.readFile(file.path), c.body.confirm === 'true');
    },
  }),
];
