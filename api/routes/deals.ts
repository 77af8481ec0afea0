import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Deal, DealAttachment, DealEvent, type DealRow } from '../../modules/deals/entities.ts';
import {
  attachCommand, createDealCommand, detachCommand, editDealCommand, moveDealStageCommand, reloadDeal,
  type DealCommandContext,
} from '../../modules/deals/commands.ts';
import { CURRENCY, DATE, DECIMAL, isDate } from '../../modules/deals/fields.ts';
import { missingRequirements } from '../../modules/deals/gate.ts';
import { dealStateOf } from '../../modules/deals/state.ts';
import { loadGate } from '../../modules/pipelines/gates.ts';
import { DocumentKind, Pipeline, Stage } from '../../modules/pipelines/entities.ts';
import { Client } from '../../modules/clients/entities.ts';
import { User } from '../../modules/accounts/entities.ts';
import { StoredFile } from '../../modules/files/entities.ts';
import { storeUpload } from '../../modules/files/store.ts';
import { canSee, visibilityFilter, visibilitySql } from '../../modules/access/visibility.ts';
import { AppError, notFound } from '../errors.ts';
import { decodeCursor, encodeCursor, likePattern, pageOf, pageQuery, route, type Ctx, type RouteSpec } from '../http.ts';
import type { AuthUser } from '../auth.ts';
import { attachmentDisposition, storedFileName } from '../../modules/files/names.ts';
import { sandboxDownload } from '../security-headers.ts';

// the value formats come from modules/deals/fields.ts, which validateChanges checks against too
const decimal = z.union([z.string().regex(DECIMAL, 'a non-negative decimal with up to 2 places'), z.number().nonnegative()])
  .transform((v) => (typeof v === 'number' ? v.toFixed(2) : v));
const currency = z.string().regex(CURRENCY, 'an ISO 4217 code such as EUR');
const isoDate = z.string().regex(DATE, 'a date YYYY-MM-DD in the years 1000–9999').refine(isDate, 'a date YYYY-MM-DD that exists')
  .meta({ format: 'date' });
const money = z.strictObject({ amount: z.string().regex(DECIMAL, 'a non-negative decimal with up to 2 places'), currency });
const customValue = z.union([z.string().max(5000), z.number(), money, z.null()]);

export const dealChangesSchema = z.strictObject({
  title: z.string().trim().min(1).max(300).optional(),
  contactId: z.uuid().nullable().optional(),
  amount: decimal.nullable().optional(),
  currency: currency.nullable().optional(),
  expectedCloseDate: isoDate.nullable().optional(),
  custom: z.record(z.string().regex(/^[a-z][a-zA-Z0-9_]{0,62}$/), customValue).optional()
    .describe('custom field values by field key; null clears a value'),
}).meta({ id: 'DealChanges' });

/** An edit must change something: at least one field, or at least one custom value. */
const changesSomething = (c: z.output<typeof dealChangesSchema>) =>
  Object.keys(c).some((k) => k !== 'custom') || Object.keys(c.custom ?? {}).length > 0;

/** (updatedAt, id) of the last deal of a page, newest change first */
const dealCursor = z.tuple([z.iso.datetime(), z.uuid()]);

export const dealSchema = z.object({
  id: z.uuid(), title: z.string(), clientId: z.uuid(), clientName: z.string(), contactId: z.uuid().nullable(),
  ownerId: z.uuid(), ownerName: z.string(), pipelineId: z.uuid(), stageId: z.uuid(),
  amount: z.string().nullable(), currency: z.string().nullable(), expectedCloseDate: z.string().nullable(),
  custom: z.record(z.string(), z.unknown()), lostReason: z.string().nullable(), closedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(), updatedAt: z.iso.datetime(), version: z.number().int(),
}).meta({ id: 'Deal' });

const attachmentSchema = z.object({
  id: z.uuid(), documentKindId: z.uuid().nullable(), fileName: z.string(), contentType: z.string(), size: z.number().int(),
  sha256: z.string(), uploadedBy: z.uuid(), createdAt: z.iso.datetime(),
}).meta({ id: 'Attachment' });

const eventSchema = z.object({
  id: z.uuid(), kind: z.string(), at: z.iso.datetime(), actorId: z.uuid().nullable(), actorName: z.string().nullable(),
  fromStageId: z.uuid().nullable(), toStageId: z.uuid().nullable(), data: z.record(z.string(), z.unknown()),
}).meta({ id: 'DealEvent' });

const dealDetailSchema = dealSchema.extend({
  attachments: z.array(attachmentSchema),
  history: z.array(eventSchema).describe("the latest 50 events; older ones from GET /deals/{id}/history?cursor=historyNextCursor"),
  historyNextCursor: z.string().nullable(),
}).meta({ id: 'DealDetail' });

const HISTORY_PAGE = 50;

/** One page of a deal's events, newest first, with the names of who did what. */
async function historyPage(em: EntityManager, dealId: string, limit: number, cursor: [string, string] | null) {
  const where: Record<string, unknown>[] = [{ dealId }];
  if (cursor) where.push({ $or: [{ at: { $lt: new Date(cursor[0]) } }, { at: new Date(cursor[0]), id: { $lt: cursor[1] } }] });
  const rows = await em.find(DealEvent, { $and: where }, { orderBy: [{ at: 'desc' }, { id: 'desc' }], limit: limit + 1 });
  const page = rows.slice(0, limit);
  const actorIds = [...new Set(page.map((e) => e.actorId).filter((x): x is string => !!x))];
  const actors = actorIds.length ? await em.find(User, { id: { $in: actorIds } }, { fields: ['id', 'name'] }) : [];
  const last = page[page.length - 1];
  return {
    items: page.map((e) => ({
      id: e.id, kind: e.kind, at: e.at.toISOString(), actorId: e.actorId ?? null,
      actorName: actors.find((a) => a.id === e.actorId)?.name ?? null,
      fromStageId: e.fromStageId ?? null, toStageId: e.toStageId ?? null, data: e.data ?? {},
    })),
    nextCursor: rows.length > limit ? encodeCursor([last.at.toISOString(), last.id]) : null,
  };
}

const missingSchema = z.object({
  stageId: z.uuid(),
  missing: z.object({
    fields: z.array(z.object({ key: z.string(), label: z.string(), type: z.string(), options: z.array(z.string()).optional() })),
    documentKinds: z.array(z.object({ id: z.uuid(), name: z.string() })),
  }),
});

const commandResult = z.object({ version: z.number().int(), stageId: z.uuid(), deal: dealSchema });
const versionField = z.number().int().positive().optional().describe('the version you saw; if the deal changed since, the answer is 409');

async function names(em: EntityManager, rows: DealRow[]) {
  const clientIds = [...new Set(rows.map((r) => r.clientId))];
  const ownerIds = [...new Set(rows.map((r) => r.ownerId))];
  const [clients, owners] = await Promise.all([
    clientIds.length ? em.find(Client, { id: { $in: clientIds } }, { fields: ['id', 'name'] }) : [],
    ownerIds.length ? em.find(User, { id: { $in: ownerIds } }, { fields: ['id', 'name'] }) : [],
  ]);
  return { client: new Map(clients.map((c) => [c.id, c.name])), owner: new Map(owners.map((o) => [o.id, o.name])) };
}

export async function toDeals(em: EntityManager, rows: DealRow[]) {
  const n = await names(em, rows);
  return rows.map((d) => ({
    id: d.id, title: d.title, clientId: d.clientId, clientName: n.client.get(d.clientId) ?? '', contactId: d.contactId ?? null,
    ownerId: d.ownerId, ownerName: n.owner.get(d.ownerId) ?? '', pipelineId: d.pipelineId, stageId: d.stageId,
    amount: d.amount ?? null, currency: d.currency ?? null, expectedCloseDate: d.expectedCloseDate ?? null,
    custom: d.custom ?? {}, lostReason: d.lostReason ?? null, closedAt: d.closedAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(), updatedAt: d.updatedAt.toISOString(), version: d.version,
  }));
}

/** A deal the user may see, or 404: another user's deal looks exactly like a missing one. */
export async function visibleDeal(em: EntityManager, user: AuthUser, id: string): Promise<DealRow> {
  const deal = await em.findOne(Deal, { id });
  if (!deal || !(await canSee(em, user, 'deal', deal))) throw notFound('Deal');
  return deal;
}

const commandContext = (c: Ctx<unknown, unknown, unknown>): DealCommandContext => ({
  em: c.em, temporal: c.app.temporal, taskQueue: c.app.config.TEMPORAL_TASK_QUEUE, actorId: c.user.id,
});

async function withDeal(em: EntityManager, result: { version: number; stageId: string }, id: string) {
  const [deal] = await toDeals(em, [await reloadDeal(em, id)]);
  return { ...result, deal };
}

const dealParams = z.strictObject({ id: z.uuid() });

export const dealRoutes: RouteSpec[] = [
  route({
    method: 'get', path: '/deals', operationId: 'listDeals', summary: 'Deals you can see, newest change first',
    tag: 'Deals', access: 'user',
    query: z.strictObject({
      pipelineId: z.uuid().optional(), stageId: z.uuid().optional(), clientId: z.uuid().optional(),
      q: z.string().trim().max(200).optional().describe('search in titles'), ...pageQuery,
    }),
    response: pageOf(dealSchema),
    handler: async ({ em, user, query }) => {
      const where: Record<string, unknown>[] = [await visibilityFilter(em, user, 'deal')];
      if (query.pipelineId) where.push({ pipelineId: query.pipelineId });
      if (query.stageId) where.push({ stageId: query.stageId });
      if (query.clientId) where.push({ clientId: query.clientId });
      if (query.q) where.push({ title: { $ilike: likePattern(query.q) } });
      const cursor = decodeCursor(query.cursor, dealCursor);
      if (cursor) {
        where.push({ $or: [{ updatedAt: { $lt: new Date(cursor[0]) } }, { updatedAt: new Date(cursor[0]), id: { $lt: cursor[1] } }] });
      }
      const rows = await em.find(Deal, { $and: where }, { orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }], limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: await toDeals(em, page),
        nextCursor: rows.length > query.limit ? encodeCursor([last.updatedAt.toISOString(), last.id]) : null,
      };
    },
  }),
  route({
    method: 'get', path: '/deals/board', operationId: 'dealBoard',
    summary: 'The kanban board of a pipeline: per stage the number of deals, their totals per currency and the first deals',
    tag: 'Deals', access: 'user', errors: [404],
    query: z.strictObject({
      pipelineId: z.uuid(),
      perStage: z.coerce.number().int().min(1).max(100).default(50).describe('deals per stage; load more with GET /deals?stageId=&cursor='),
      q: z.string().trim().max(200).optional(),
    }),
    response: z.object({
      pipelineId: z.uuid(),
      stages: z.array(z.object({
        stageId: z.uuid(), count: z.number().int(),
        totals: z.array(z.object({ currency: z.string(), amount: z.string() })),
        deals: z.array(dealSchema), nextCursor: z.string().nullable(),
      })),
    }),
    handler: async ({ em, user, query }) => {
      const pipeline = await em.findOne(Pipeline, { id: query.pipelineId });
      if (!pipeline) throw notFound('Pipeline');
      const stages = await em.find(Stage, { pipelineId: pipeline.id }, { orderBy: { position: 'asc' } });
      const visible = await visibilitySql(em, user, 'deal', 'd');
      const where = `d.pipeline_id = ? and ${visible.sql}${query.q ? ' and d.title ilike ?' : ''}`;
      const params = [pipeline.id, ...visible.params, ...(query.q ? [likePattern(query.q)] : [])];
      const conn = em.getConnection();
      // two queries whatever the number of stages: the sums, and the first perStage + 1 deals of every stage
      const [sums, firsts] = await Promise.all([
        conn.execute<{ stage_id: string; currency: string | null; n: string; total: string }[]>(
          `select d.stage_id, d.currency, count(*) as n, coalesce(sum(d.amount), 0)::text as total
           from deals d where ${where} group by d.stage_id, d.currency`, params),
        conn.execute<{ id: string; stage_id: string }[]>(
          `select id, stage_id from (
             select d.id, d.stage_id, row_number() over (partition by d.stage_id order by d.updated_at desc, d.id desc) as n
             from deals d where ${where}) ranked
           where n <= ?`, [...params, query.perStage + 1]),
      ]);
      const rows = firsts.length ? await em.find(Deal, { id: { $in: firsts.map((r) => r.id) } }) : [];
      const deals = new Map((await toDeals(em, rows)).map((d) => [d.id, d]));
      const byStage = new Map<string, typeof rows>();
      for (const row of rows) byStage.set(row.stageId, [...(byStage.get(row.stageId) ?? []), row]);
      const newestFirst = (x: DealRow, y: DealRow) => y.updatedAt.getTime() - x.updatedAt.getTime() || (y.id < x.id ? -1 : 1);
      const result = stages.map((stage) => {
        const mine = sums.filter((r) => r.stage_id === stage.id);
        const ordered = (byStage.get(stage.id) ?? []).sort(newestFirst);
        const page = ordered.slice(0, query.perStage);
        const last = page[page.length - 1];
        return {
          stageId: stage.id,
          count: mine.reduce((a, r) => a + Number(r.n), 0),
          totals: mine.filter((r) => r.currency).map((r) => ({ currency: r.currency!, amount: r.total })),
          deals: page.map((d) => deals.get(d.id)!),
          nextCursor: ordered.length > query.perStage ? encodeCursor([last.updatedAt.toISOString(), last.id]) : null,
        };
      });
      return { pipelineId: pipeline.id, stages: result };
    },
  }),
  route({
    method: 'post', path: '/deals', operationId: 'createDeal', summary: "Create a deal in its pipeline's first stage; you own it",
    tag: 'Deals', access: 'user', status: 201, errors: [422],
    headers: z.object({
      'idempotency-key': z.string().min(1).max(200).optional()
        .describe('send the same key when retrying: the retry returns the deal the first attempt created'),
    }),
    body: dealChangesSchema.omit({ title: true }).extend({
      title: z.string().trim().min(1).max(300), clientId: z.uuid(), pipelineId: z.uuid(),
    }),
    response: dealSchema,
    handler: async (c) => {
      const client = await c.em.findOne(Client, { id: c.body.clientId });
      if (!client || !(await canSee(c.em, c.user, 'client', client))) {
        throw new AppError(422, 'INVALID_REFERENCE', 'clientId: no such client', { field: 'clientId' });
      }
      const { id } = await createDealCommand(commandContext(c), c.user.id, c.body, c.req.get('idempotency-key'));
      return (await toDeals(c.em, [await reloadDeal(c.em, id)]))[0];
    },
  }),
  route({
    method: 'get', path: '/deals/:id', operationId: 'getDeal', summary: 'A deal with its attachments and history',
    tag: 'Deals', access: 'user', errors: [404], params: dealParams, response: dealDetailSchema,
    handler: async ({ em, user, params }) => {
      const deal = await visibleDeal(em, user, params.id);
      const [[base], attachments, events] = await Promise.all([
        toDeals(em, [deal]),
        em.find(DealAttachment, { dealId: deal.id }, { orderBy: { createdAt: 'asc' } }),
        historyPage(em, deal.id, HISTORY_PAGE, null),
      ]);
      return {
        ...base,
        attachments: attachments.map((a) => ({
          id: a.id, documentKindId: a.documentKindId ?? null, fileName: a.fileName, contentType: a.contentType, size: a.size,
          sha256: a.fileSha256, uploadedBy: a.uploadedBy, createdAt: a.createdAt.toISOString(),
        })),
        history: events.items,
        historyNextCursor: events.nextCursor,
      };
    },
  }),
  route({
    method: 'get', path: '/deals/:id/history', operationId: 'dealHistory',
    summary: "A deal's history, newest first: created, edits with their values, stage moves, attachments",
    tag: 'Deals', access: 'user', errors: [404], params: dealParams,
    query: z.strictObject({ ...pageQuery }), response: pageOf(eventSchema),
    handler: async ({ em, user, params, query }) => {
      const deal = await visibleDeal(em, user, params.id);
      return historyPage(em, deal.id, query.limit, decodeCursor(query.cursor, z.tuple([z.iso.datetime(), z.uuid()])));
    },
  }),
  route({
    method: 'patch', path: '/deals/:id', operationId: 'updateDeal', summary: "Change a deal's fields",
    tag: 'Deals', access: 'user', errors: [404, 409, 422], params: dealParams,
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
    method: 'post', path: '/deals/:id/stage', operationId: 'moveDealStage',
    summary: 'Move a deal to another stage; the stage\'s requirements must be met (422 STAGE_REQUIREMENTS_UNMET lists what is missing)',
    tag: 'Deals', access: 'user', errors: [404, 409, 422], params: dealParams,
    body: z.strictObject({
      stageId: z.uuid(), version: versionField,
      changes: dealChangesSchema.optional().describe('values to set in the same step, e.g. those the stage requires'),
      lostReason: z.string().trim().min(1).max(2000).optional().describe('required when the stage is a lost stage'),
    }),
    response: commandResult,
    handler: async (c) => {
      const deal = await visibleDeal(c.em, c.user, c.params.id);
      const result = await moveDealStageCommand(commandContext(c), deal, {
        stageId: c.body.stageId, expectedVersion: c.body.version, changes: c.body.changes, lostReason: c.body.lostReason,
      });
      return withDeal(c.em, result, deal.id);
    },
  }),
  route({
    method: 'get', path: '/deals/:id/requirements', operationId: 'dealStageRequirements',
    summary: 'What the deal lacks to enter a stage (the stage dialog asks for exactly this)',
    tag: 'Deals', access: 'user', errors: [404, 422], params: dealParams,
    query: z.strictObject({ stageId: z.uuid() }), response: missingSchema,
    handler: async ({ em, user, params, query }) => {
      const deal = await visibleDeal(em, user, params.id);
      const gate = await loadGate(em, query.stageId);
      if (!gate || gate.pipelineId !== deal.pipelineId) throw new AppError(422, 'STAGE_NOT_IN_PIPELINE', "stageId: no such stage in the deal's pipeline");
      return { stageId: gate.stageId, missing: missingRequirements(await dealStateOf(em, deal), gate) };
    },
  }),
  route({
    method: 'post', path: '/deals/:id/attachments', operationId: 'attachToDeal',
    summary: 'Attach a file to a deal, optionally as a document of a kind (e.g. a commercial proposal)',
    tag: 'Deals', access: 'user', status: 201, errors: [404, 409, 413, 422], params: dealParams, multipart: true,
    body: z.strictObject({
      documentKindId: z.uuid().optional(),
      version: z.coerce.number().int().positive().optional().describe('the version you saw'),
    }),
    response: commandResult.extend({ attachmentId: z.uuid() }),
    handler: async (c) => {
      const file = c.req.file;
      const deal = await visibleDeal(c.em, c.user, c.params.id);
      if (!file) throw new AppError(400, 'FILE_MISSING', 'Send the file in the "file" field of a multipart/form-data body');
      if (c.body.documentKindId && !(await c.em.findOne(DocumentKind, { id: c.body.documentKindId }))) {
        throw new AppError(422, 'INVALID_REFERENCE', 'documentKindId: no such document kind', { field: 'documentKindId' });
      }
      // the parser decoded the name (filename* by its charset, a plain filename as UTF-8); settled before storing
      const fileName = storedFileName(file.originalname);
      const stored = await storeUpload(c.em, c.app.storage, file.path);
      const result = await attachCommand(commandContext(c), deal, {
        documentKindId: c.body.documentKindId ?? null, fileSha256: stored.sha256, fileName,
        contentType: file.mimetype || 'application/octet-stream', size: stored.size,
      }, c.body.version);
      return { ...(await withDeal(c.em, result, deal.id)), attachmentId: result.attachmentId };
    },
  }),
  route({
    method: 'get', path: '/deals/:id/attachments/:attachmentId/content', operationId: 'downloadAttachment',
    summary: "Download an attachment's file", tag: 'Deals', access: 'user', errors: [404],
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
    method: 'delete', path: '/deals/:id/attachments/:attachmentId', operationId: 'detachFromDeal',
    summary: 'Remove an attachment (refused while the current stage requires its document kind and it is the last one)',
    tag: 'Deals', access: 'user', errors: [404, 409, 422], params: z.strictObject({ id: z.uuid(), attachmentId: z.uuid() }),
    response: commandResult,
    handler: async (c) => {
      const deal = await visibleDeal(c.em, c.user, c.params.id);
      return withDeal(c.em, await detachCommand(commandContext(c), deal, c.params.attachmentId), deal.id);
    },
  }),
];
