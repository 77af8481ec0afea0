import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException, raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  DealField, DocumentKind, FIELD_TYPES, Pipeline, STAGE_KINDS, Stage, type PipelineRow, type StageRow,
} from '../../modules/pipelines/entities.ts';
import { BUILT_IN_FIELD_LABELS } from '../../modules/pipelines/gates.ts';
import { RESERVED_FIELD_KEYS, fieldOptionsProblem, pipelineProblem, unique, type StageInput } from '../../modules/pipelines/rules.ts';
import { AppError, notFound } from '../errors.ts';
import { route, type RouteSpec } from '../http.ts';

const stageSchema = z.object({
  id: z.uuid(), name: z.string(), position: z.number().int(), kind: z.enum(STAGE_KINDS),
  requiredFields: z.array(z.string()).describe('deal field keys a deal must have filled to enter the stage'),
  requiredDocumentKinds: z.array(z.uuid()).describe('document kinds a deal must have attached to enter the stage'),
}).meta({ id: 'Stage' });

const pipelineSchema = z.object({
  id: z.uuid(), name: z.string(), position: z.number().int(), archived: z.boolean(), version: z.number().int(),
  stages: z.array(stageSchema),
}).meta({ id: 'Pipeline' });

const documentKindSchema = z.object({ id: z.uuid(), code: z.string(), name: z.string(), nameRu: z.string().nullable() }).meta({ id: 'DocumentKind' });

const dealFieldSchema = z.object({
  id: z.uuid(), key: z.string(), label: z.string(), labelRu: z.string().nullable(), type: z.enum(FIELD_TYPES),
  options: z.array(z.string()), position: z.number().int(),
}).meta({ id: 'DealField' });

const stageInput = {
  name: z.string().trim().min(1).max(200),
  kind: z.enum(STAGE_KINDS),
  requiredFields: z.array(z.string().max(100)).max(50).optional()
    .describe(`built-in keys (${Object.keys(BUILT_IN_FIELD_LABELS).join(', ')}) or keys of deal fields`),
  requiredDocumentKinds: z.array(z.uuid()).max(50).optional(),
};
const pipelineName = z.string().trim().min(1).max(200);
const stagesList = <T extends z.ZodType>(item: T) => z.array(item).max(50)
  .describe('in order; the first one, where new deals start, must be an open stage');

const invalid = (message: string) => new AppError(422, 'INVALID_PIPELINE', message);

async function toPipelines(em: EntityManager, rows: PipelineRow[]) {
  const stages: StageRow[] = rows.length
    ? await em.find(Stage, { pipelineId: { $in: rows.map((r) => r.id) } }, { orderBy: [{ position: 'asc' }, { id: 'asc' }] })
    : [];
  return rows.map((p) => ({
    id: p.id, name: p.name, position: p.position, archived: !!p.archivedAt, version: p.version,
    stages: stages.filter((s) => s.pipelineId === p.id).map((s) => ({
      id: s.id, name: s.name, position: s.position, kind: s.kind,
      requiredFields: s.requiredFields ?? [], requiredDocumentKinds: s.requiredDocumentKinds ?? [],
    })),
  }));
}

async function onePipeline(em: EntityManager, id: string) {
  const row = await em.fork().findOne(Pipeline, { id });
  if (!row) throw notFound('Pipeline');
  const [p] = await toPipelines(em.fork(), [row]);
  return p;
}

/** Checks the stages against the rules and the fields and document kinds that exist now; throws 422. */
async function checkStages(em: EntityManager, stages: StageInput[], stageIds: string[]) {
  const fieldKeys = stages.flatMap((s) => s.requiredFields ?? []);
  const kindIds = stages.flatMap((s) => s.requiredDocumentKinds ?? []);
  const [fields, kinds] = await Promise.all([
    fieldKeys.length ? em.find(DealField, { key: { $in: fieldKeys } }, { fields: ['key'] }) : [],
    kindIds.length ? em.find(DocumentKind, { id: { $in: kindIds } }, { fields: ['id'] }) : [],
  ]);
  const problem = pipelineProblem(stages, {
    fieldKeys: new Set(fields.map((f) => f.key)), documentKindIds: new Set(kinds.map((k) => k.id)), stageIds: new Set(stageIds),
  });
  if (problem) throw invalid(problem);
}

function stageData(s: StageInput, pipelineId: string, position: number) {
  return {
    pipelineId, name: s.name, position, kind: s.kind,
    requiredFields: unique(s.requiredFields), requiredDocumentKinds: unique(s.requiredDocumentKinds),
  };
}

const stageInUse = (message: string) => new AppError(409, 'STAGE_IN_USE', message);

export const pipelineRoutes: RouteSpec[] = [
  route({
    method: 'get', path: '/pipelines', operationId: 'listPipelines',
    summary: 'Pipelines with their stages in order; archived pipelines come last',
    tag: 'Pipelines', access: 'user', response: z.object({ items: z.array(pipelineSchema) }),
    handler: async ({ em }) => {
      const rows = await em.find(Pipeline, {}, { orderBy: [{ position: 'asc' }, { name: 'asc' }, { id: 'asc' }] });
      rows.sort((a, b) => Number(!!a.archivedAt) - Number(!!b.archivedAt));
      return { items: await toPipelines(em, rows) };
    },
  }),
  route({
    method: 'get', path: '/pipelines/:id', operationId: 'getPipeline', summary: 'A pipeline with its stages in order',
    tag: 'Pipelines', access: 'user', errors: [404], params: z.strictObject({ id: z.uuid() }), response: pipelineSchema,
    handler: ({ em, params }) => onePipeline(em, params.id),
  }),
  route({
    method: 'post', path: '/pipelines', operationId: 'createPipeline',
    summary: 'Create a pipeline with its stages and their entry requirements (422 INVALID_PIPELINE says which rule is broken)',
    tag: 'Pipelines', access: 'admin', status: 201, errors: [422],
    body: z.strictObject({ name: pipelineName, stages: stagesList(z.strictObject(stageInput)) }),
    response: pipelineSchema,
    handler: async ({ em, body }) => {
      const id = randomUUID();
      await em.transactional(async (tem) => {
        await checkStages(tem, body.stages, []);
        const [{ next }] = await tem.execute<{ next: number }[]>('select coalesce(max(position), -1) + 1 as next from pipelines');
        tem.create(Pipeline, { id, name: body.name, position: Number(next) });
        body.stages.forEach((s, i) => tem.create(Stage, { id: randomUUID(), ...stageData(s, id, i) }));
      });
      return onePipeline(em, id);
    },
  }),
  route({
    method: 'put', path: '/pipelines/:id', operationId: 'replacePipeline',
    summary: 'Rename, archive or restore a pipeline and set its stages: stages with an id are changed, without one added, ' +
      'left out ones deleted (409 STAGE_IN_USE while deals are or were in them)',
    tag: 'Pipelines', access: 'admin', errors: [404, 409, 422], params: z.strictObject({ id: z.uuid() }),
    body: z.strictObject({
      name: pipelineName,
      version: z.number().int().positive().describe('the version you saw; if the pipeline changed since, the answer is 409'),
      archived: z.boolean().optional().describe('an archived pipeline takes no new deals; omit it to leave it as it is'),
      stages: stagesList(z.strictObject({ id: z.uuid().optional().describe('an existing stage of this pipeline'), ...stageInput })),
    }),
    response: pipelineSchema,
    handler: async ({ em, params, body }) => {
      const conflict = () => new AppError(409, 'VERSION_CONFLICT', 'The pipeline changed meanwhile; reload it and try again');
      try {
        await em.transactional(async (tem) => {
          // the conditional update comes first: it locks the pipeline, so concurrent edits queue and the later one gets 409
          const archivedAt = body.archived === undefined ? raw('archived_at') : body.archived ? raw('coalesce(archived_at, now())') : null;
          const n = await tem.nativeUpdate(Pipeline, { id: params.id, version: body.version },
            { name: body.name, archivedAt, version: raw('version + 1') });
          if (n === 0) {
            if (!(await tem.findOne(Pipeline, { id: params.id }, { fields: ['id'] }))) throw notFound('Pipeline');
            throw conflict();
          }
          const existing = await tem.find(Stage, { pipelineId: params.id });
          await checkStages(tem, body.stages, existing.map((s) => s.id));
          const kept = new Set(body.stages.map((s) => s.id).filter(Boolean));
          const removed = existing.filter((s) => !kept.has(s.id));
          if (removed.length) {
            const ids = removed.map((s) => s.id);
            const marks = ids.map(() => '?').join(',');
            const inUse = await tem.execute<{ stage_id: string; n: string }[]>(
              `select stage_id, count(*) as n from deals where stage_id in (${marks}) group by 1`, ids);
            if (inUse.length) {
              const list = inUse.map((r) => `"${removed.find((s) => s.id === r.stage_id)!.name}" (${r.n} deals)`).join(', ');
              throw stageInUse(`Deals are in ${list}; move them to another stage before deleting it`);
            }
            const inHistory = await tem.execute<{ id: string }[]>(
              `select distinct s.id from stages s where s.id in (${marks}) and exists (
                 select 1 from record_events e where e.from_stage_id = s.id or e.to_stage_id = s.id)`, [...ids]);
            if (inHistory.length) {
              const list = inHistory.map((r) => `"${removed.find((s) => s.id === r.id)!.name}"`).join(', ');
              throw stageInUse(`Deals have been in ${list} and their history refers to it; keep the stage (rename or move it) or archive the pipeline`);
            }
            await tem.nativeDelete(Stage, { id: { $in: ids } });
          }
          // open, won or lost decides whether a deal in the stage is closed: it cannot change under deals already there
          const rekinded = existing.filter((e) => body.stages.some((s) => s.id === e.id && s.kind !== e.kind));
          if (rekinded.length) {
            const ids = rekinded.map((s) => s.id);
            const occupied = await tem.execute<{ stage_id: string }[]>(
              `select distinct stage_id from deals where stage_id in (${ids.map(() => '?').join(',')})`, ids);
            if (occupied.length) {
              const list = occupied.map((r) => `"${rekinded.find((s) => s.id === r.stage_id)!.name}"`).join(', ');
              throw stageInUse(`Deals are in ${list}; a stage's kind (open, won, lost) can change only while it is empty`);
            }
          }
          for (const [i, s] of body.stages.entries()) {
            if (s.id) await tem.nativeUpdate(Stage, { id: s.id, pipelineId: params.id }, stageData(s, params.id, i));
            else await tem.insert(Stage, { id: randomUUID(), ...stageData(s, params.id, i) });
          }
        });
      } catch (err) {
        // a deal entered a stage being deleted while this ran: the foreign key refuses the delete at commit
        if (err instanceof ForeignKeyConstraintViolationException) throw stageInUse('A deal entered a stage being deleted meanwhile; reload and try again');
        throw err;
      }
      return onePipeline(em, params.id);
    },
  }),
  route({
    method: 'get', path: '/document-kinds', operationId: 'listDocumentKinds', summary: 'Kinds of documents a deal can carry, by name',
    tag: 'Pipelines', access: 'user', response: z.object({ items: z.array(documentKindSchema) }),
    handler: async ({ em }) => {
      const rows = await em.find(DocumentKind, {}, { orderBy: [{ name: 'asc' }, { id: 'asc' }] });
      return { items: rows.map((k) => ({ id: k.id, code: k.code, name: k.name, nameRu: k.nameRu ?? null })) };
    },
  }),
  route({
    method: 'post', path: '/document-kinds', operationId: 'createDocumentKind',
    summary: 'Add a kind of document, e.g. a commercial proposal, that stages can require',
    tag: 'Pipelines', access: 'admin', status: 201, errors: [409],
    body: z.strictObject({
      code: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _, starting with a letter').describe('a stable key, e.g. commercial_proposal'),
      name: z.string().trim().min(1).max(200),
      nameRu: z.string().trim().min(1).max(200).nullable().optional().describe('the name in Russian'),
    }),
    response: documentKindSchema,
    handler: async ({ em, body }) => {
      const taken = () => new AppError(409, 'CODE_TAKEN', `A document kind with code "${body.code}" exists already`, { field: 'code' });
      if (await em.findOne(DocumentKind, { code: body.code }, { fields: ['id'] })) throw taken();
      const row = em.create(DocumentKind, { id: randomUUID(), code: body.code, name: body.name, nameRu: body.nameRu ?? null });
      try {
        await em.flush();
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) throw taken();
        throw err;
      }
      return { id: row.id, code: row.code, name: row.name, nameRu: row.nameRu ?? null };
    },
  }),
  route({
    method: 'get', path: '/deal-fields', operationId: 'listDealFields',
    summary: 'Custom deal fields in order, and the built-in fields a stage can also require',
    tag: 'Pipelines', access: 'user',
    response: z.object({
      items: z.array(dealFieldSchema),
      builtIn: z.array(z.object({ key: z.string(), label: z.string(), type: z.string() })),
    }),
    handler: async ({ em }) => {
      const rows = await em.find(DealField, {}, { orderBy: [{ position: 'asc' }, { key: 'asc' }] });
      return {
        items: rows.map((f) => ({
          id: f.id, key: f.key, label: f.label, labelRu: f.labelRu ?? null, type: f.type, options: f.options ?? [], position: f.position,
        })),
        builtIn: Object.entries(BUILT_IN_FIELD_LABELS).map(([key, v]) => ({ key, label: v.label, type: v.type })),
      };
    },
  }),
  route({
    method: 'post', path: '/deal-fields', operationId: 'createDealField',
    summary: 'Add a custom deal field; it goes last',
    tag: 'Pipelines', access: 'admin', status: 201, errors: [409, 422],
    body: z.strictObject({
      key: z.string().regex(/^[a-z][a-zA-Z0-9_]{0,62}$/, 'a letter, then letters, digits and _').describe('the key in deal.custom, e.g. budgetApproved'),
      label: z.string().trim().min(1).max(200),
      labelRu: z.string().trim().min(1).max(200).nullable().optional().describe('the label in Russian'),
      type: z.enum(FIELD_TYPES),
      options: z.array(z.string().trim().min(1).max(200)).max(100).optional().describe('the choices of a select field'),
    }),
    response: dealFieldSchema,
    handler: async ({ em, body }) => {
      if (RESERVED_FIELD_KEYS.has(body.key)) {
        throw new AppError(422, 'RESERVED_FIELD_KEY', `key: "${body.key}" is a built-in deal field`, { field: 'key' });
      }
      const problem = fieldOptionsProblem(body.type, body.options);
      if (problem) throw new AppError(422, 'INVALID_DEAL_FIELD', problem, { field: 'options' });
      const taken = () => new AppError(409, 'FIELD_KEY_TAKEN', `A deal field with key "${body.key}" exists already`, { field: 'key' });
      if (await em.findOne(DealField, { key: body.key }, { fields: ['id'] })) throw taken();
      const [{ next }] = await em.execute<{ next: number }[]>('select coalesce(max(position), -1) + 1 as next from deal_fields');
      const row = em.create(DealField, {
        id: randomUUID(), key: body.key, label: body.label, labelRu: body.labelRu ?? null, type: body.type,
        options: body.options ?? [], position: Number(next),
      });
      try {
        await em.flush();
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) throw taken();
        throw err;
      }
      return { id: row.id, key: row.key, label: row.label, labelRu: row.labelRu ?? null, type: row.type, options: row.options, position: row.position };
    },
  }),
];
