import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Deal, DealAttachment, type DealRow } from '../../modules/deals/entities.ts';
import {
  archiveDealCommand,
  attachCommand,
  createDealCommand,
  detachCommand,
  editDealCommand,
  moveDealStageCommand,
  type DealCommandContext,
} from '../../modules/deals/commands.ts';
import { CURRENCY, DATE, DECIMAL, isDate } from '../../modules/deals/fields.ts';
import { missingRequirements } from '../../modules/deals/gate.ts';
import { EVENT_KINDS } from '../../modules/calendar/model.ts';
import { dealStateOf } from '../../modules/deals/state.ts';
import { loadGate } from '../../modules/pipelines/gates.ts';
import { DocumentKind } from '../../modules/pipelines/entities.ts';
import { Client } from '../../modules/clients/entities.ts';
import { StoredFile } from '../../modules/files/entities.ts';
import { storeUpload } from '../../modules/files/store.ts';
import { canSee } from '../../modules/access/visibility.ts';
import {
  boardByManager,
  dealBoard,
  dealDetail,
  dealHistory,
  DEAL_SORTS,
  listDeals,
  readDeal,
  type DealFilters,
  type DealView,
} from '../../modules/deals/queries.ts';
import {
  BUILT_IN_EXPORT_COLUMNS,
  DEFAULT_EXPORT_COLUMNS,
  knownColumns,
  writeDealsCsv,
} from '../../modules/deals/export.ts';
import { recordAudit } from '../../modules/audit/index.ts';
import { clientAddress } from './auth.ts';
import { AppError, notFound } from '../errors.ts';
import { DomainError } from '../../modules/shared/errors.ts';
import { pageOf, pageQuery, route, type Ctx, type RouteSpec } from '../http.ts';
import type { AuthUser } from '../auth.ts';
import { attachmentDisposition, storedFileName } from '../../modules/files/names.ts';
import { sandboxDownload } from '../security-headers.ts';

// the value formats come from modules/deals/fields.ts, which validateChanges checks against too
const decimal = z
  .union([z.string().regex(DECIMAL, 'a non-negative decimal with up to 2 places'), z.number().nonnegative()])
  .transform((v) => (typeof v === 'number' ? v.toFixed(2) : v));
const currency = z.string().regex(CURRENCY, 'an ISO 4217 code such as EUR');
const isoDate = z
  .string()
  .regex(DATE, 'a date YYYY-MM-DD in the years 1000–9999')
  .refine(isDate, 'a date YYYY-MM-DD that exists')
  .meta({ format: 'date' });
const money = z.strictObject({
  amount: z.string().regex(DECIMAL, 'a non-negative decimal with up to 2 places'),
  currency,
});
const customValue = z.union([z.string().max(5000), z.number(), money, z.null()]);

export const dealChangesSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(300).optional(),
    contactId: z.uuid().nullable().optional(),
    amount: decimal.nullable().optional(),
    currency: currency.nullable().optional(),
    expectedCloseDate: isoDate.nullable().optional(),
    custom: z
      .record(z.string().regex(/^[a-z][a-zA-Z0-9_]{0,62}$/), customValue)
      .optional()
      .describe('custom field values by field key; null clears a value'),
  })
  .meta({ id: 'DealChanges' });

/** An edit must change something: at least one field, or at least one custom value. */
const changesSomething = (c: z.output<typeof dealChangesSchema>) =>
  Object.keys(c).some((k) => k !== 'custom') || Object.keys(c.custom ?? {}).length > 0;

export const dealSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    clientId: z.uuid(),
    clientName: z.string(),
    contactId: z.uuid().nullable(),
    contactName: z.string().nullable(),
    ownerId: z.uuid(),
    ownerName: z.string(),
    pipelineId: z.uuid(),
    stageId: z.uuid(),
    amount: z.string().nullable(),
    currency: z.string().nullable(),
    expectedCloseDate: z.string().nullable(),
    custom: z.record(z.string(), z.unknown()),
    lostReason: z.string().nullable(),
    closedAt: z.iso.datetime().nullable(),
    archivedAt: z.iso
      .datetime()
      .nullable()
      .describe('set while the deal is archived (read-only; restore to change it)'),
    stageEnteredAt: z.iso.datetime().describe('when the deal entered the stage it is in'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().int(),
  })
  .meta({ id: 'Deal' });

/** A card of the board: the deal and its next planned activity (calendar). */
const boardCardSchema = dealSchema
  .extend({
    nextActivity: z
      .object({ start: z.string(), title: z.string(), kind: z.enum(EVENT_KINDS) })
      .nullable()
      .optional()
      .describe('the earliest planned event of the deal to come; null when none is planned (absent: not read)'),
  })
  .meta({ id: 'BoardCard' });

const attachmentSchema = z
  .object({
    id: z.uuid(),
    documentKindId: z.uuid().nullable(),
    fileName: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    uploadedBy: z.uuid(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Attachment' });

const eventSchema = z
  .object({
    id: z.string().describe('the event id (a decimal number, increasing)'),
    kind: z.string(),
    at: z.iso.datetime(),
    actorId: z.uuid().nullable(),
    actorName: z.string().nullable(),
    fromStageId: z.uuid().nullable(),
    toStageId: z.uuid().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'DealEvent' });

const referenceSchema = z
  .object({
    type: z.enum(['user', 'client', 'file']),
    id: z.uuid(),
    name: z.string().nullable().describe("the user's or client's name, the file's name; null when it no longer exists"),
    status: z
      .enum(['active', 'inactive', 'missing'])
      .describe('inactive: a deactivated user; missing: the user, client or file no longer exists'),
  })
  .meta({ id: 'FieldReference' });

const dealDetailSchema = dealSchema
  .extend({
    attachments: z.array(attachmentSchema),
    references: z
      .record(z.string(), referenceSchema)
      .describe('what the values of user, client and file fields name, by field key'),
    history: z
      .array(eventSchema)
      .describe('the latest 50 events; older ones from GET /deals/{id}/history?cursor=historyNextCursor'),
    historyNextCursor: z.string().nullable(),
  })
  .meta({ id: 'DealDetail' });

const HISTORY_PAGE = 50;

const missingSchema = z.object({
  stageId: z.uuid(),
  missing: z.object({
    fields: z.array(
      z.object({ key: z.string(), label: z.string(), type: z.string(), options: z.array(z.string()).optional() }),
    ),
    documentKinds: z.array(z.object({ id: z.uuid(), name: z.string() })),
  }),
});

const commandResult = z.object({ version: z.number().int(), stageId: z.uuid(), deal: dealSchema });
const versionField = z
  .number()
  .int()
  .positive()
  .optional()
  .describe('the version you saw; if the deal changed since, the answer is 409');

const moneySchema = z
  .object({ currency: z.string(), amount: z.string().describe('a decimal, e.g. "12500.00"') })
  .meta({ id: 'MoneyTotal' });
const companyTotalSchema = z
  .object({
    currency: z.string(),
    amount: z.string().describe('every total with a rate, converted and added up'),
    weighted: z.string().nullable().describe("amount × the stage's win probability; null when it has none"),
    unconverted: z.array(moneySchema).describe('totals in currencies without a rate: shown apart, not in amount'),
  })
  .nullable()
  .describe('the totals in the company currency; null while no company currency is set')
  .meta({ id: 'CompanyTotal' });
const boardCurrencySchema = z
  .object({
    currency: z.string(),
    rates: z.record(z.string(), z.string()).describe('one unit of each currency in the company currency'),
  })
  .nullable()
  .describe('the company currency and the rates the totals were converted at; null while none is set');

/** Filters of the deal list and the board (the web app builds its filter bar on these). */
const dealFilters = {
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .describe(
      "search in the title, the client's name, tax id, email and phone, and the contact's name, email and phone",
    ),
  owner: z
    .union([z.enum(['me', 'group']), z.uuid()])
    .optional()
    .describe(
      '`me`: deals I own; a user id: deals that user owns (that I can see); `group`: deals of the org subtree I lead, and mine',
    ),
  closeFrom: isoDate.optional().describe('expected close date on or after'),
  closeTo: isoDate.optional().describe('expected close date on or before'),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('true: open deals whose expected close date is before today'),
  stuckDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .optional()
    .describe('open deals not changed for at least this many days'),
  stuck: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe("true: open deals in their stage for at least the stage's stuckAfterDays (stages without it: none)"),
};
const filtersOf = (q: Omit<DealFilters, 'pipelineId'> & { pipelineId?: string }): DealFilters => ({
  pipelineId: q.pipelineId,
  stageId: q.stageId,
  clientId: q.clientId,
  q: q.q || undefined,
  owner: q.owner,
  closeFrom: q.closeFrom,
  closeTo: q.closeTo,
  overdue: q.overdue || undefined,
  stuckDays: q.stuckDays,
  archived: q.archived || undefined,
  stuck: q.stuck || undefined,
});

/** Filters of the list (and its export) only: the archive and the order. */
const listFilters = {
  pipelineId: z.uuid().optional(),
  stageId: z.uuid().optional(),
  clientId: z.uuid().optional(),
  ...dealFilters,
  archived: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('true: only archived deals; otherwise archived deals are left out'),
  sort: z
    .enum(DEAL_SORTS)
    .default('-updatedAt')
    .describe('by the last change: `-updatedAt` newest first, `updatedAt` oldest first (the indexed order)'),
};

/** A deal the user may see, or 404: another user's deal looks exactly like a missing one. */
export async function visibleDeal(em: EntityManager, user: AuthUser, id: string): Promise<DealRow> {
  const deal = await em.findOne(Deal, { id });
  if (!deal || !(await canSee(em, user, 'deal', deal))) throw notFound('Deal');
  return deal;
}

const commandContext = (c: Ctx<unknown, unknown, unknown>): DealCommandContext => ({
  em: c.em,
  temporal: c.app.temporal,
  taskQueue: c.app.config.TEMPORAL_TASK_QUEUE,
  actorId: c.user.id,
  viewer: c.user,
});

/**
 * The deal as it is after a command that succeeded. The change is saved whatever happens here: if the deal cannot
 * be read back, the answer says so (SAVED_NOT_SHOWN, with the version and stage written), never "nothing changed".
 */
async function afterCommand(
  em: EntityManager,
  result: { version: number; stageId: string; deal?: DealView },
  id: string,
): Promise<DealView> {
  // the write answered with the deal as it left it: nothing to read back
  if (result.deal) return result.deal;
  let deal: Awaited<ReturnType<typeof readDeal>>;
  try {
    deal = await readDeal(em, null, id);
  } catch (err) {
    console.error('a saved change could not be read back', id, err);
    throw new DomainError('SAVED_NOT_SHOWN', 'The change was saved, but the deal could not be read back; reload it', {
      version: result.version,
      stageId: result.stageId,
    });
  }
  if (!deal) throw notFound('Deal');
  return deal;
}

async function withDeal(em: EntityManager, result: { version: number; stageId: string; deal?: DealView }, id: string) {
  return { version: result.version, stageId: result.stageId, deal: await afterCommand(em, result, id) };
}

const dealParams = z.strictObject({ id: z.uuid() });

export const dealRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/deals',
    operationId: 'listDeals',
    summary: 'Deals you can see, newest change first',
    tag: 'Deals',
    access: 'user',
    query: z.strictObject({ ...listFilters, ...pageQuery }),
    response: pageOf(dealSchema),
    handler: ({ em, user, query }) => listDeals(em, user, filtersOf(query), query.limit, query.cursor, query.sort),
  }),
  route({
    method: 'get',
    path: '/deals/export.csv',
    operationId: 'exportDeals',
    summary:
      'The deal list as CSV (UTF-8 with BOM): the same filters as GET /deals, the chosen columns; `;` and a decimal comma in Russian, `,` in English',
    tag: 'Deals',
    access: 'user',
    query: z.strictObject({
      ...listFilters,
      columns: z
        .string()
        .max(2000)
        .optional()
        .describe(
          `comma-separated: ${BUILT_IN_EXPORT_COLUMNS.join(', ')} and custom.<field key>; default ${DEFAULT_EXPORT_COLUMNS.join(',')}`,
        ),
      locale: z.enum(['en', 'ru']).optional().describe("the file's language and separator; default the user's"),
    }),
    rawResponse: { contentType: 'text/csv', description: 'the CSV file, streamed' },
    handler: async ({ em, user, query, req, res }) => {
      const asked = query.columns ? query.columns.split(',').map((c) => c.trim()) : DEFAULT_EXPORT_COLUMNS;
      const columns = await knownColumns(em, asked);
      if (!columns.length) {
        throw new AppError(400, 'VALIDATION_FAILED', 'columns: choose at least one known column', {
          errors: [{ in: 'query', path: 'columns', code: 'invalid_value', message: 'no known column' }],
        });
      }
      const filters = filtersOf(query);
      const locale = query.locale ?? user.locale;
      let gone = false;
      res.on('close', () => {
        gone = !res.writableFinished;
      });
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', attachmentDisposition(`deals-${new Date().toISOString().slice(0, 10)}.csv`));
      res.setHeader('Cache-Control', 'no-store');
      res.status(200);
      let rows = 0;
      let failure: Error | null = null;
      try {
        rows = await writeDealsCsv(em, user, filters, { columns, locale, sort: query.sort, stopped: () => gone }, res);
      } catch (err) {
        failure = err instanceof Error ? err : new Error('The export failed', { cause: err });
      }
      const complete = !failure && !gone;
      // who exported which deals: written whether the file was taken whole or not
      await recordAudit(em, {
        kind: 'export.downloaded',
        actorId: user.id,
        actorEmail: user.email,
        ip: clientAddress(req),
        subjectType: 'deal',
        details: {
          format: 'csv',
          filters: Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)),
          sort: query.sort,
          columns,
          rows,
          complete,
        },
      }).catch((err: unknown) => console.error('the export could not be recorded in the audit log', err));
      if (failure && !res.headersSent) throw failure; // nothing sent yet: answered as any failed request
      if (failure) {
        // the status and part of the file are sent: the client sees a cut download, never a partial file as whole
        console.error('a deal export failed midway', failure);
        res.destroy(failure);
        return;
      }
      res.end();
    },
  }),
  route({
    method: 'get',
    path: '/deals/board',
    operationId: 'dealBoard',
    summary:
      'The kanban board of a pipeline: per stage the number of deals, their totals per currency and the first deals',
    tag: 'Deals',
    access: 'user',
    errors: [404],
    query: z.strictObject({
      pipelineId: z.uuid(),
      perStage: z.coerce
        .number()
        .int()
        .min(1)
        .max(100)
        .default(50)
        .describe('deals per stage; load more with GET /deals?stageId=&cursor='),
      ...dealFilters,
    }),
    response: z.object({
      pipelineId: z.uuid(),
      currency: boardCurrencySchema,
      stages: z.array(
        z.object({
          stageId: z.uuid(),
          count: z.number().int(),
          totals: z.array(moneySchema),
          companyTotal: companyTotalSchema,
          deals: z.array(boardCardSchema),
          nextCursor: z.string().nullable(),
        }),
      ),
    }),
    handler: ({ em, user, query }) => dealBoard(em, user, query.pipelineId, filtersOf(query), query.perStage),
  }),
  route({
    method: 'get',
    path: '/deals/board/managers',
    operationId: 'dealBoardByManager',
    summary:
      'A board by manager: for each manager whose deals you see by ownership (a lead: the groups they lead and ' +
      'themselves; an administrator: everyone; anyone else: themselves), the count and totals per stage and overall',
    tag: 'Deals',
    access: 'user',
    errors: [404],
    query: z.strictObject({ pipelineId: z.uuid(), ...dealFilters }),
    response: z.object({
      pipelineId: z.uuid(),
      currency: boardCurrencySchema,
      managers: z.array(
        z
          .object({
            ownerId: z.uuid(),
            ownerName: z.string(),
            count: z.number().int(),
            totals: z.array(moneySchema),
            companyTotal: companyTotalSchema.describe("the sum of the stages' company totals"),
            stages: z.array(
              z.object({
                stageId: z.uuid(),
                count: z.number().int(),
                totals: z.array(moneySchema),
                companyTotal: companyTotalSchema,
              }),
            ),
          })
          .meta({ id: 'ManagerSummary' }),
      ),
    }),
    handler: ({ em, user, query }) => boardByManager(em, user, query.pipelineId, filtersOf(query)),
  }),
  route({
    method: 'post',
    path: '/deals',
    operationId: 'createDeal',
    summary: "Create a deal in its pipeline's first stage; you own it",
    tag: 'Deals',
    access: 'user',
    status: 201,
    errors: [422],
    headers: z.object({
      'idempotency-key': z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('send the same key when retrying: the retry returns the deal the first attempt created'),
    }),
    body: dealChangesSchema.omit({ title: true }).extend({
      title: z.string().trim().min(1).max(300),
      clientId: z.uuid(),
      pipelineId: z.uuid(),
    }),
    response: dealSchema,
    handler: async (c) => {
      const client = await c.em.findOne(Client, { id: c.body.clientId });
      if (!client || !(await canSee(c.em, c.user, 'client', client))) {
        throw new AppError(422, 'INVALID_REFERENCE', 'clientId: no such client', { field: 'clientId' });
      }
      const created = await createDealCommand(commandContext(c), c.user.id, c.body, c.req.get('idempotency-key'));
      return afterCommand(c.em, created, created.id);
    },
  }),
  route({
    method: 'get',
    path: '/deals/:id',
    operationId: 'getDeal',
    summary: 'A deal with its attachments and history',
    tag: 'Deals',
    access: 'user',
    errors: [404],
    params: dealParams,
    response: dealDetailSchema,
    handler: async ({ em, user, params }) => {
      const { history, ...deal } = await dealDetail(em, user, params.id, HISTORY_PAGE);
      return { ...deal, history: history.items, historyNextCursor: history.nextCursor };
    },
  }),
  route({
    method: 'get',
    path: '/deals/:id/history',
    operationId: 'dealHistory',
    summary: "A deal's history, newest first: created, edits with their values, stage moves, attachments",
    tag: 'Deals',
    access: 'user',
    errors: [404],
    params: dealParams,
    query: z.strictObject({ ...pageQuery }),
    response: pageOf(eventSchema),
    handler: async ({ em, user, params, query }) => {
      const deal = await visibleDeal(em, user, params.id);
      return dealHistory(em, deal.id, query.limit, query.cursor);
    },
  }),
  route({
    method: 'patch',
    path: '/deals/:id',
    operationId: 'updateDeal',
    summary: "Change a deal's fields",
    tag: 'Deals',
    access: 'user',
    errors: [404, 409, 422],
    params: dealParams,
    body: z.strictObject({
      version: versionField,
      changes: dealChangesSchema.refine(changesSomething, 'nothing to change: send at least one field or custom value'),
    }),
    response: commandResult,
    handler: async (c) => {
      const deal = await visibleDeal(c.em, c.user, c.params.id);
      return withDeal(c.em, await editDealCommand(commandContext(c), deal, c.body.changes, c.body.version), deal.id);
    },
  }),
  route({
    method: 'post',
    path: '/deals/:id/stage',
    operationId: 'moveDealStage',
    summary:
      "Move a deal to another stage; the stage's requirements must be met (422 STAGE_REQUIREMENTS_UNMET lists what is missing)",
    tag: 'Deals',
    access: 'user',
    errors: [404, 409, 422],
    params: dealParams,
    body: z.strictObject({
      stageId: z.uuid(),
      version: versionField,
      changes: dealChangesSchema.optional().describe('values to set in the same step, e.g. those the stage requires'),
      lostReason: z.string().trim().min(1).max(2000).optional().describe('required when the stage is a lost stage'),
    }),
    response: commandResult,
    handler: async (c) => {
      const deal = await visibleDeal(c.em, c.user, c.params.id);
      const result = await moveDealStageCommand(commandContext(c), deal, {
        stageId: c.body.stageId,
        expectedVersion: c.body.version,
        changes: c.body.changes,
        lostReason: c.body.lostReason,
      });
      return withDeal(c.em, result, deal.id);
    },
  }),
  ...(['archive', 'restore'] as const).map((action) =>
    route({
      method: 'post',
      path: `/deals/:id/${action}`,
      operationId: action === 'archive' ? 'archiveDeal' : 'restoreDeal',
      summary:
        action === 'archive'
          ? 'Archive a deal: it leaves the board, the list, searches and totals and is read-only; its stage, fields, documents and history are kept (owner, their lead, administrators)'
          : 'Restore an archived deal to the stage it kept, without passing the stage gate again (owner, their lead, administrators)',
      tag: 'Deals',
      access: 'user',
      errors: [403, 404, 409],
      params: dealParams,
      body: z.strictObject({ version: versionField }),
      response: commandResult,
      handler: async (c) => {
        const deal = await visibleDeal(c.em, c.user, c.params.id);
        const result = await archiveDealCommand(commandContext(c), deal, action === 'archive', c.body.version);
        return withDeal(c.em, result, deal.id);
      },
    }),
  ),
  route({
    method: 'get',
    path: '/deals/:id/requirements',
    operationId: 'dealStageRequirements',
    summary: 'What the deal lacks to enter a stage (the stage dialog asks for exactly this)',
    tag: 'Deals',
    access: 'user',
    errors: [404, 422],
    params: dealParams,
    query: z.strictObject({ stageId: z.uuid() }),
    response: missingSchema,
    handler: async ({ em, user, params, query }) => {
      const deal = await visibleDeal(em, user, params.id);
      const gate = await loadGate(em, query.stageId);
      if (!gate || gate.pipelineId !== deal.pipelineId)
        throw new AppError(422, 'STAGE_NOT_IN_PIPELINE', "stageId: no such stage in the deal's pipeline");
      return { stageId: gate.stageId, missing: missingRequirements(await dealStateOf(em, deal), gate) };
    },
  }),
  route({
    method: 'post',
    path: '/deals/:id/attachments',
    operationId: 'attachToDeal',
    summary: 'Attach a file to a deal, optionally as a document of a kind (e.g. a commercial proposal)',
    tag: 'Deals',
    access: 'user',
    status: 201,
    errors: [404, 409, 413, 422],
    params: dealParams,
    multipart: true,
    body: z.strictObject({
      documentKindId: z.uuid().optional(),
      version: z.coerce.number().int().positive().optional().describe('the version you saw'),
    }),
    response: commandResult.extend({ attachmentId: z.uuid() }),
    handler: async (c) => {
      const file = c.req.file;
      const deal = await visibleDeal(c.em, c.user, c.params.id);
      if (!file)
        throw new AppError(400, 'FILE_MISSING', 'Send the file in the "file" field of a multipart/form-data body');
      if (c.body.documentKindId && !(await c.em.findOne(DocumentKind, { id: c.body.documentKindId }))) {
        throw new AppError(422, 'INVALID_REFERENCE', 'documentKindId: no such document kind', {
          field: 'documentKindId',
        });
      }
      // the parser decoded the name (filename* by its charset, a plain filename as UTF-8); settled before storing
      const fileName = storedFileName(file.originalname);
      const stored = await storeUpload(c.em, c.app.storage, file.path);
      const result = await attachCommand(
        commandContext(c),
        deal,
        {
          documentKindId: c.body.documentKindId ?? null,
          fileSha256: stored.sha256,
          fileName,
          contentType: file.mimetype || 'application/octet-stream',
          size: stored.size,
        },
        c.body.version,
      );
      return { ...(await withDeal(c.em, result, deal.id)), attachmentId: result.attachmentId };
    },
  }),
  route({
    method: 'get',
    path: '/deals/:id/attachments/:attachmentId/content',
    operationId: 'downloadAttachment',
    summary: "Download an attachment's file",
    tag: 'Deals',
    access: 'user',
    errors: [404],
    params: z.strictObject({ id: z.uuid(), attachmentId: z.uuid() }),
    rawResponse: { contentType: 'application/octet-stream', description: 'the file' },
    handler: async ({ em, user, params, res, app }) => {
      const deal = await visibleDeal(em, user, params.id);
      const a = await em.findOne(DealAttachment, { id: params.attachmentId, dealId: deal.id });
      if (!a || !(await em.findOne(StoredFile, { sha256: a.fileSha256 }))) throw notFound('Attachment');
      res.setHeader('Content-Type', a.contentType);
      res.setHeader('Content-Length', String(a.size));
      res.setHeader('Content-Disposition', attachmentDisposition(a.fileName));
      sandboxDownload(res);
      await new Promise<void>((resolve, reject) => {
        app.storage.open(a.fileSha256).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
      });
    },
  }),
  route({
    method: 'delete',
    path: '/deals/:id/attachments/:attachmentId',
    operationId: 'detachFromDeal',
    summary:
      'Remove an attachment; file fields naming it are cleared with it. Refused while the current stage requires ' +
      'its document kind and it is the last one, or requires a file field naming it',
    tag: 'Deals',
    access: 'user',
    errors: [404, 409, 422],
    params: z.strictObject({ id: z.uuid(), attachmentId: z.uuid() }),
    response: commandResult,
    handler: async (c) => {
      const deal = await visibleDeal(c.em, c.user, c.params.id);
      return withDeal(c.em, await detachCommand(commandContext(c), deal, c.params.attachmentId), deal.id);
    },
  }),
];
