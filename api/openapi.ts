import { z } from 'zod';
import { problemSchema } from './errors.ts';
import { openApiPath, type RouteSpec } from './http.ts';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete s.$schema;
  return s;
};

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header') {
  if (!schema) return [];
  const js = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required ?? []).includes(name),
    ...(s.description ? { description: s.description } : {}),
    schema: s,
  }));
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const ERROR_TEXT: Record<number, string> = {
  400: 'Malformed request or failed validation',
  401: 'Not logged in',
  403: 'Not allowed',
  404: 'Not found or not visible to you',
  409: 'Conflict with the current state',
  413: 'Too large',
  415: 'Wrong content type',
  422: 'Rules of the domain not met',
  429: 'Too many attempts',
  503: 'A backing service is unreachable; retry after the Retry-After seconds',
};

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function buildOpenApi(specs: RouteSpec[], info: { version: string; serverUrl?: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const responses: Record<string, unknown> = {};
    const ok = String(spec.status ?? (spec.response ? 200 : 204));
    if (spec.rawResponse)
      responses[ok] = { description: spec.rawResponse.description, content: { [spec.rawResponse.contentType]: {} } };
    else if (spec.response)
      responses[ok] = {
        description: 'Success',
        content: { 'application/json': { schema: toSchema(spec.response, 'output') } },
      };
    else responses[ok] = { description: 'Success, no content' };
    const codes = new Set([
      400,
      ...(spec.access === 'public' ? [] : [401]),
      ...(spec.access === 'admin' ? [403] : []),
      503,
      ...(spec.errors ?? []),
    ]);
    for (const c of [...codes].sort()) responses[String(c)] = problem(ERROR_TEXT[c] ?? 'Error');
    const op: Record<string, unknown> = {
      operationId: spec.operationId,
      summary: spec.summary,
      tags: [spec.tag],
      parameters: [
        ...parameters(spec.params, 'path'),
        ...parameters(spec.query, 'query'),
        ...parameters(spec.headers, 'header'),
      ],
      responses,
      security: spec.access === 'public' ? [] : [{ session: [] }, { bearer: [] }],
    };
    if (spec.body) {
      const contentType = spec.multipart ? 'multipart/form-data' : 'application/json';
      const schema = toSchema(spec.body, 'input');
      if (spec.multipart) {
        (schema.properties as Record<string, unknown>).file = {
          type: 'string',
          contentMediaType: 'application/octet-stream',
        };
        schema.required = [...((schema.required as string[]) ?? []), 'file'];
      }
      op.requestBody = { required: true, content: { [contentType]: { schema } } };
    }
    (paths[`/api/v1${openApiPath(spec.path)}`] ??= {})[spec.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Dealflow API',
      version: info.version,
      description:
        'The HTTP API of Dealflow. Errors are RFC 9457 problem details with a stable `code`. ' +
        'Browser sessions send the CSRF token from /auth/me in the X-CSRF-Token header on writes; scripts use a personal API token as a Bearer token.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Problem: toSchema(problemSchema, 'output') },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'df_session' },
        bearer: { type: 'http', scheme: 'bearer', description: 'personal API token (dft_…)' },
      },
    },
  };
}
