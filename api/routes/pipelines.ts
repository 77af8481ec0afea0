import { z } from 'zod';
import { FIELD_TYPES, STAGE_KINDS } from '../../modules/pipelines/entities.ts';
import { BUILT_IN_FIELD_LABELS } from '../../modules/pipelines/gates.ts';
import {
  createDealField,
  createDocumentKind,
  createPipeline,
  replacePipeline,
} from '../../modules/pipelines/commands.ts';
import {
  getPipeline,
  listDealFields,
  listDocumentKinds,
  listPipelines,
  toDealField,
  toDocumentKind,
} from '../../modules/pipelines/queries.ts';
import { route, type RouteSpec } from '../http.ts';

const LOCALE = z.enum(['ru']);
const translatedName = z.string().trim().min(1).max(200);
/** `{ ru: { name: '…' } }`: the name in other languages; the name itself is the fallback */
const nameTranslations = z
  .partialRecord(LOCALE, z.strictObject({ name: translatedName.optional() }))
  .describe('the name in other languages, e.g. {"ru": {"name": "Продажи"}}')
  .meta({ id: 'NameTranslations' });
const fieldTranslations = z
  .partialRecord(
    LOCALE,
    z.strictObject({
      label: translatedName.optional(),
      options: z.record(z.string(), translatedName).optional().describe("a select option's name by the option"),
    }),
  )
  .describe(
    'the label and option names in other languages, e.g. {"ru": {"label": "Источник", "options": {"Website": "Сайт"}}}',
  )
  .meta({ id: 'FieldTranslations' });

const stageSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    translations: nameTranslations,
    position: z.number().int(),
    kind: z.enum(STAGE_KINDS),
    requiredFields: z.array(z.string()).describe('deal field keys a deal must have filled to enter the stage'),
    requiredDocumentKinds: z.array(z.uuid()).describe('document kinds a deal must have attached to enter the stage'),
    stuckAfterDays: z
      .number()
      .int()
      .nullable()
      .describe('an open deal in the stage this many days or more is marked stuck; null: never'),
    winProbability: z
      .number()
      .int()
      .nullable()
      .describe('the chance in % that a deal in the stage is won, for weighted totals; null: not set'),
  })
  .meta({ id: 'Stage' });

const pipelineSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    translations: nameTranslations,
    position: z.number().int(),
    archived: z.boolean(),
    version: z.number().int(),
    stages: z.array(stageSchema),
  })
  .meta({ id: 'Pipeline' });

const documentKindSchema = z
  .object({ id: z.uuid(), code: z.string(), name: z.string(), translations: nameTranslations })
  .meta({ id: 'DocumentKind' });

const dealFieldSchema = z
  .object({
    id: z.uuid(),
    key: z.string(),
    label: z.string(),
    translations: fieldTranslations,
    type: z.enum(FIELD_TYPES),
    options: z.array(z.string()),
    position: z.number().int(),
  })
  .meta({ id: 'DealField' });

const stageInput = {
  name: z.string().trim().min(1).max(200),
  translations: nameTranslations.optional().describe('omit it to keep what the stage has'),
  kind: z.enum(STAGE_KINDS),
  requiredFields: z
    .array(z.string().max(100))
    .max(50)
    .optional()
    .describe(`built-in keys (${Object.keys(BUILT_IN_FIELD_LABELS).join(', ')}) or keys of deal fields`),
  requiredDocumentKinds: z.array(z.uuid()).max(50).optional(),
  stuckAfterDays: z
    .number()
    .int()
    .min(1)
    .max(3650)
    .nullable()
    .optional()
    .describe(
      'days in the stage after which an open deal is stuck; null clears it, omit it to keep what the stage has',
    ),
  winProbability: z
    .number()
    .int()
    .min(0)
    .max(100)
    .nullable()
    .optional()
    .describe('win probability in %; null clears it, omit it to keep what the stage has'),
};
const pipelineName = z.string().trim().min(1).max(200);
const stagesList = <T extends z.ZodType>(item: T) =>
  z.array(item).max(50).describe('in order; the first one, where new deals start, must be an open stage');

export const pipelineRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/pipelines',
    operationId: 'listPipelines',
    summary: 'Pipelines with their stages in order; archived pipelines come last',
    tag: 'Pipelines',
    access: 'user',
    response: z.object({ items: z.array(pipelineSchema) }),
    handler: async ({ em }) => ({ items: await listPipelines(em) }),
  }),
  route({
    method: 'get',
    path: '/pipelines/:id',
    operationId: 'getPipeline',
    summary: 'A pipeline with its stages in order',
    tag: 'Pipelines',
    access: 'user',
    errors: [404],
    params: z.strictObject({ id: z.uuid() }),
    response: pipelineSchema,
    handler: ({ em, params }) => getPipeline(em, params.id),
  }),
  route({
    method: 'post',
    path: '/pipelines',
    operationId: 'createPipeline',
    summary:
      'Create a pipeline with its stages and their entry requirements (422 INVALID_PIPELINE says which rule is broken)',
    tag: 'Pipelines',
    access: 'admin',
    status: 201,
    errors: [422],
    body: z.strictObject({
      name: pipelineName,
      translations: nameTranslations.optional(),
      stages: stagesList(z.strictObject(stageInput)),
    }),
    response: pipelineSchema,
    handler: async ({ em, body }) => getPipeline(em, await createPipeline(em, body)),
  }),
  route({
    method: 'put',
    path: '/pipelines/:id',
    operationId: 'replacePipeline',
    summary:
      'Rename, archive or restore a pipeline and set its stages: stages with an id are changed, without one added, ' +
      'left out ones deleted (409 STAGE_IN_USE while deals are or were in them)',
    tag: 'Pipelines',
    access: 'admin',
    errors: [404, 409, 422],
    params: z.strictObject({ id: z.uuid() }),
    body: z.strictObject({
      name: pipelineName,
      translations: nameTranslations.optional().describe('omit it to keep what the pipeline has'),
      version: z
        .number()
        .int()
        .positive()
        .describe('the version you saw; if the pipeline changed since, the answer is 409'),
      archived: z
        .boolean()
        .optional()
        .describe('an archived pipeline takes no new deals; omit it to leave it as it is'),
      stages: stagesList(
        z.strictObject({ id: z.uuid().optional().describe('an existing stage of this pipeline'), ...stageInput }),
      ),
    }),
    response: pipelineSchema,
    handler: async ({ em, params, body: { version, ...input } }) => {
      await replacePipeline(em, params.id, version, input);
      return getPipeline(em, params.id);
    },
  }),
  route({
    method: 'get',
    path: '/document-kinds',
    operationId: 'listDocumentKinds',
    summary: 'Kinds of documents a deal can carry, by name',
    tag: 'Pipelines',
    access: 'user',
    response: z.object({ items: z.array(documentKindSchema) }),
    handler: async ({ em }) => ({ items: await listDocumentKinds(em) }),
  }),
  route({
    method: 'post',
    path: '/document-kinds',
    operationId: 'createDocumentKind',
    summary: 'Add a kind of document, e.g. a commercial proposal, that stages can require',
    tag: 'Pipelines',
    access: 'admin',
    status: 201,
    errors: [409],
    body: z.strictObject({
      code: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _, starting with a letter')
        .describe('a stable key, e.g. commercial_proposal'),
      name: z.string().trim().min(1).max(200),
      translations: nameTranslations.optional(),
    }),
    response: documentKindSchema,
    handler: async ({ em, body }) => toDocumentKind(await createDocumentKind(em, body)),
  }),
  route({
    method: 'get',
    path: '/deal-fields',
    operationId: 'listDealFields',
    summary: 'Custom deal fields in order, and the built-in fields a stage can also require',
    tag: 'Pipelines',
    access: 'user',
    response: z.object({
      items: z.array(dealFieldSchema),
      builtIn: z.array(
        z.object({ key: z.string(), label: z.string(), type: z.string(), translations: fieldTranslations }),
      ),
    }),
    handler: ({ em }) => listDealFields(em),
  }),
  route({
    method: 'post',
    path: '/deal-fields',
    operationId: 'createDealField',
    summary: 'Add a custom deal field; it goes last',
    tag: 'Pipelines',
    access: 'admin',
    status: 201,
    errors: [409, 422],
    body: z.strictObject({
      key: z
        .string()
        .regex(/^[a-z][a-zA-Z0-9_]{0,62}$/, 'a letter, then letters, digits and _')
        .describe('the key in deal.custom, e.g. budgetApproved'),
      label: z.string().trim().min(1).max(200),
      translations: fieldTranslations.optional(),
      type: z.enum(FIELD_TYPES),
      options: z.array(z.string().trim().min(1).max(200)).max(100).optional().describe('the choices of a select field'),
    }),
    response: dealFieldSchema,
    handler: async ({ em, body }) => toDealField(await createDealField(em, body)),
  }),
];
