import { z } from 'zod';
import { AppError } from '../errors.ts';
import { route, type RouteSpec } from '../http.ts';
import { sandboxDownload } from '../security-headers.ts';
import { attachmentDisposition } from '../../modules/files/names.ts';
import { createImport, setMapping, startImport } from '../../modules/imports/commands.ts';
import {
  errorsFile,
  failedRows,
  importView,
  listImports,
  PREVIEW_MAX,
  previewImport,
  visibleImport,
} from '../../modules/imports/queries.ts';
import { IMPORT_STATUSES } from '../../modules/imports/entities.ts';
import { IMPORT_LIMITS } from '../../modules/imports/parse.ts';

const progressSchema = z
  .object({
    total: z.number().int(),
    imported: z.number().int(),
    failed: z.number().int(),
    pending: z.number().int(),
  })
  .meta({ id: 'ImportProgress' });

const mappingSchema = z
  .record(z.string().max(80), z.number().int().min(0).max(IMPORT_LIMITS.columns))
  .describe(
    'target field → index of the column that feeds it; targets: client.name, client.taxId, client.email, client.phone, ' +
      'client.website, client.address, contact.name, contact.position, contact.email, contact.phone, deal.title, ' +
      'deal.amount, deal.currency, deal.pipeline, deal.stage, deal.owner, deal.expectedCloseDate, deal.lostReason, ' +
      'deal.custom.<field key>',
  );
const defaultsSchema = z
  .strictObject({
    pipelineId: z.uuid().nullable().optional().describe('the pipeline of deals whose row names none'),
    currency: z.string().trim().max(20).nullable().optional().describe('the currency of amounts that name none'),
  })
  .describe('values for what the file does not say');

const importSchema = z
  .object({
    id: z.uuid(),
    fileName: z.string(),
    format: z.enum(['csv', 'xlsx']),
    encoding: z.string().nullable().describe('how a CSV file was read: utf-8, utf-8-bom, utf-16le, windows-1251'),
    delimiter: z.string().nullable(),
    columns: z.array(z.string()),
    rowCount: z.number().int(),
    sample: z.array(z.object({ rowNumber: z.number().int(), cells: z.array(z.string()) })),
    mapping: z.record(z.string(), z.number().int()),
    suggestedMapping: z.record(z.string(), z.number().int()).describe('guessed from the headers'),
    defaults: z.object({ pipelineId: z.uuid().nullable(), currency: z.string().nullable() }),
    status: z.enum(IMPORT_STATUSES),
    progress: progressSchema,
    ownerId: z.uuid(),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
    version: z.number().int(),
  })
  .meta({ id: 'Import' });

const rowErrorSchema = z
  .object({
    code: z.string().describe('stable code: REQUIRED, INVALID_AMOUNT, STAGE_REQUIREMENTS_UNMET, FORMULA, …'),
    field: z.string().nullable(),
    column: z.string().nullable(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'ImportRowError' });

const previewSchema = z
  .object({
    rows: z.array(
      z.object({
        rowNumber: z.number().int(),
        cells: z.array(z.string()),
        errors: z.array(rowErrorSchema),
        client: z
          .object({
            action: z.enum(['create', 'match']),
            id: z.uuid().nullable(),
            name: z.string().nullable(),
            matchedOn: z.array(z.string()),
          })
          .nullable(),
        contact: z.object({ name: z.string() }).nullable(),
        deal: z
          .object({
            title: z.string(),
            amount: z.string().nullable(),
            currency: z.string().nullable(),
            pipelineId: z.uuid(),
            stageId: z.uuid(),
            stageName: z.string(),
            ownerId: z.uuid(),
          })
          .nullable(),
      }),
    ),
    checked: z.number().int(),
    withErrors: z.number().int(),
    total: z.number().int(),
  })
  .meta({ id: 'ImportPreview' });

const params = z.strictObject({ id: z.uuid() });

/** Imports of clients, contacts and deals from CSV or XLSX files: upload, map, preview, start, follow, fix. */
export const importRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/imports',
    operationId: 'uploadImport',
    summary:
      `Upload a CSV (UTF-8, UTF-16 or Windows-1251; comma, semicolon or tab) or XLSX file of up to ` +
      `${IMPORT_LIMITS.rows} rows: answers its columns, first rows and a mapping guessed from the headers`,
    tag: 'Imports',
    access: 'user',
    status: 201,
    errors: [413, 415, 422],
    multipart: true,
    body: z.strictObject({}),
    response: importSchema,
    handler: async (c) => {
      const file = c.req.file;
      if (!file)
        throw new AppError(400, 'FILE_MISSING', 'Send the file in the "file" field of a multipart/form-data body');
      const job = await createImport(c.em, c.app.storage, c.user, file);
      return importView(c.em, job);
    },
  }),
  route({
    method: 'get',
    path: '/imports',
    operationId: 'listImports',
    summary: 'Your latest imports (administrators: everyone’s), newest first',
    tag: 'Imports',
    access: 'user',
    response: z.object({
      items: z.array(
        z.object({
          id: z.uuid(),
          fileName: z.string(),
          status: z.enum(IMPORT_STATUSES),
          rowCount: z.number().int(),
          progress: progressSchema,
          createdAt: z.iso.datetime(),
        }),
      ),
    }),
    handler: async ({ em, user }) => ({ items: await listImports(em, user) }),
  }),
  route({
    method: 'get',
    path: '/imports/:id',
    operationId: 'getImport',
    summary: 'An import: its columns, first rows, mapping and progress (rows imported, failed, pending)',
    tag: 'Imports',
    access: 'user',
    errors: [404],
    params,
    response: importSchema,
    handler: async ({ em, user, params }) => importView(em, await visibleImport(em, user, params.id)),
  }),
  route({
    method: 'put',
    path: '/imports/:id/mapping',
    operationId: 'mapImport',
    summary: 'Choose which columns feed which fields, before the import starts',
    tag: 'Imports',
    access: 'user',
    errors: [404, 409, 422],
    params,
    body: z.strictObject({
      mapping: mappingSchema,
      defaults: defaultsSchema.default({}),
      version: z.number().int().positive().describe('the version you saw'),
    }),
    response: importSchema,
    handler: async ({ em, user, params, body }) => {
      const job = await visibleImport(em, user, params.id);
      return importView(em, await setMapping(em, job, body));
    },
  }),
  route({
    method: 'post',
    path: '/imports/:id/preview',
    operationId: 'previewImport',
    summary:
      'What importing the first rows would do, with a mapping (default: the saved one): per row its errors, the ' +
      'existing client it matches or the new one, the stage of its deal. Writes nothing.',
    tag: 'Imports',
    access: 'user',
    errors: [404],
    params,
    body: z.strictObject({
      mapping: mappingSchema.optional(),
      defaults: defaultsSchema.optional(),
      limit: z.number().int().min(1).max(PREVIEW_MAX).default(20),
    }),
    response: previewSchema,
    handler: async ({ em, user, params, body }) => {
      const job = await visibleImport(em, user, params.id);
      return previewImport(em, user, job, body);
    },
  }),
  route({
    method: 'post',
    path: '/imports/:id/start',
    operationId: 'startImport',
    summary:
      'Start importing every row with the saved mapping: each row all or nothing (its client, contact and deal), ' +
      'deals through the same rules as any other (a stage gate refuses a row with its reasons). Safe to repeat.',
    tag: 'Imports',
    access: 'user',
    status: 202,
    errors: [404, 422, 503],
    params,
    response: importSchema,
    handler: async ({ em, user, params, app }) => {
      const job = await visibleImport(em, user, params.id);
      return importView(em, await startImport(em, app.temporal, app.config.TEMPORAL_TASK_QUEUE, user, job));
    },
  }),
  route({
    method: 'get',
    path: '/imports/:id/errors',
    operationId: 'listImportErrors',
    summary: 'The rows that were not imported, with what was wrong, in file order',
    tag: 'Imports',
    access: 'user',
    errors: [404],
    params,
    query: z.strictObject({
      after: z.coerce.number().int().min(0).default(0).describe('the last row number of the previous page'),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    response: z.object({
      items: z.array(
        z.object({ rowNumber: z.number().int(), cells: z.array(z.string()), errors: z.array(rowErrorSchema) }),
      ),
      nextAfter: z.number().int().nullable(),
    }),
    handler: async ({ em, user, params, query }) =>
      failedRows(em, await visibleImport(em, user, params.id), query.limit, query.after),
  }),
  route({
    method: 'get',
    path: '/imports/:id/errors.csv',
    operationId: 'downloadImportErrors',
    summary: 'The rows that were not imported as a CSV file (the file’s columns, the row number, the errors) to fix',
    tag: 'Imports',
    access: 'user',
    errors: [404],
    params,
    rawResponse: { contentType: 'text/csv', description: 'the failed rows, UTF-8 with a byte order mark' },
    handler: async ({ em, user, params, res }) => {
      const job = await visibleImport(em, user, params.id);
      const csv = await errorsFile(em, job);
      const base = job.fileName.replace(/\.[^.]+$/, '');
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', attachmentDisposition(`${base}-errors.csv`));
      sandboxDownload(res);
      res.status(200).send(csv);
    },
  }),
];
