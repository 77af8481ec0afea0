import { z } from 'zod';
import {
  listRegulations,
  publishRegulation,
  regulationVersion,
  regulationVersions,
} from '../../modules/regulations/versions.ts';
import { forbidden } from '../../modules/shared/errors.ts';
import { route, type RouteSpec } from '../http.ts';

const fieldSchema = z.object({ name: z.string(), type: z.string(), required: z.boolean() });
const versionSchema = z
  .object({
    id: z.uuid(),
    key: z.string().describe("the BPMN process id; a regulation's versions share it"),
    version: z.number().int(),
    name: z.string(),
    checksum: z.string().describe('SHA-256 of the XML as published'),
    publishedBy: z.uuid().nullable(),
    publishedAt: z.string(),
    inputs: z.array(fieldSchema).describe('what a request must carry'),
    outputs: z.array(fieldSchema).describe('what must exist when it ends'),
  })
  .meta({ id: 'RegulationVersion' });

const keyParams = z.strictObject({ key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/) });
const versionParams = keyParams.extend({
  version: z.union([z.literal('latest'), z.coerce.number().int().positive()]),
});

/** Process owners and administrators design regulations. */
const designer = (role: string) => {
  if (role !== 'admin' && role !== 'process_owner')
    throw forbidden('Only process owners and administrators publish regulations');
};

export const regulationRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/regulations',
    operationId: 'publishRegulation',
    summary:
      'Publish a BPMN 2.0 file as the next version of its regulation (422 REGULATION_INVALID with every problem named by element)',
    tag: 'Regulations',
    access: 'user',
    status: 201,
    errors: [403, 413, 422],
    body: z.strictObject({ xml: z.string().min(1).describe('the BPMN 2.0 XML, as saved by the modeler') }),
    response: versionSchema,
    handler: ({ em, user, body }) => {
      designer(user.role);
      return publishRegulation(em, user.id, body.xml);
    },
  }),
  route({
    method: 'get',
    path: '/regulations',
    operationId: 'listRegulations',
    summary: 'The latest version of every regulation',
    tag: 'Regulations',
    access: 'user',
    response: z.object({ items: z.array(versionSchema) }),
    handler: async ({ em }) => ({ items: await listRegulations(em) }),
  }),
  route({
    method: 'get',
    path: '/regulations/:key/versions',
    operationId: 'regulationVersions',
    summary: "A regulation's published versions, newest first",
    tag: 'Regulations',
    access: 'user',
    errors: [404],
    params: keyParams,
    response: z.object({ items: z.array(versionSchema) }),
    handler: async ({ em, params }) => ({ items: await regulationVersions(em, params.key) }),
  }),
  route({
    method: 'get',
    path: '/regulations/:key/versions/:version/bpmn',
    operationId: 'exportRegulation',
    summary: "A version's BPMN 2.0 XML, as published (opens in any modeler with its layout)",
    tag: 'Regulations',
    access: 'user',
    errors: [404],
    params: versionParams,
    rawResponse: { contentType: 'application/xml', description: 'the BPMN file' },
    handler: async ({ em, params, res }) => {
      const v = await regulationVersion(em, params.key, params.version);
      // attachment() sets the type from the .bpmn name: the XML type is set after it
      res.status(200).attachment(`${v.key}-v${v.version}.bpmn`).type('application/xml').send(v.xml);
    },
  }),
];
