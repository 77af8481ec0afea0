import { z } from 'zod';
import {
  listRegulations,
  publishRegulation,
  regulationVersion,
  regulationVersions,
} from '../../modules/regulations/versions.ts';
import { forbidden } from '../../modules/shared/errors.ts';
import {
  claimTask,
  completeTaskCommand,
  instanceView,
  myTasks,
  readInstance,
  readInstanceDiagram,
  readTask,
  resolveIncidentCommand,
  startRegulationCommand,
  type RegulationCommandContext,
} from '../../modules/regulations/tasks.ts';
import { idParams, route, type Ctx, type RouteSpec } from '../http.ts';

const commandContext = (c: Ctx<unknown, unknown, unknown>): RegulationCommandContext => ({
  em: c.em,
  temporal: c.app.temporal,
  taskQueue: c.app.config.TEMPORAL_TASK_QUEUE,
  actorId: c.user.id,
  viewer: c.user,
});

const plain = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);
const variables = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), plain)
  .refine((v) => Object.keys(v).length <= 100, {
    message: 'At most 100 values',
  });

/** a form's values: plain values, and lists of them for checklists and tag lists */
const formValues = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/),
    z.union([plain, z.array(z.union([z.string().max(1000), z.number(), z.boolean()])).max(100)]),
  )
  .refine((v) => Object.keys(v).length <= 100, {
    message: 'At most 100 values',
  });

const taskSchema = z
  .object({
    id: z.uuid(),
    instanceId: z.uuid(),
    key: z.string(),
    tokenId: z.string(),
    nodeId: z.string(),
    name: z.string(),
    assignee: z.string().nullable(),
    candidateGroups: z.array(z.string()),
    formKey: z.string().nullable(),
    claimedBy: z.uuid().nullable(),
    status: z.enum(['open', 'completed', 'cancelled']),
    dueAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'RegulationTask' });

const instanceSchema = z
  .object({
    id: z.uuid(),
    key: z.string(),
    status: z.string(),
    variables: z.record(z.string(), z.unknown()),
    activeNodes: z.array(z.string()),
    completedNodes: z.array(z.string()),
    incidents: z.array(z.object({ tokenId: z.string(), node: z.string(), message: z.string() })),
    error: z.string().nullable(),
  })
  .meta({ id: 'RegulationInstance' });

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
  route({
    method: 'post',
    path: '/regulations/:key/instances',
    operationId: 'startRegulation',
    summary:
      "Start a regulation's latest version with its inputs (422 REGULATION_INPUT_MISSING names the missing ones)",
    tag: 'Regulations',
    access: 'user',
    status: 201,
    errors: [400, 404, 422, 503],
    params: keyParams,
    body: z.strictObject({ variables: variables.default({}), dealId: z.uuid().nullable().default(null) }),
    response: instanceSchema,
    handler: async (c) => {
      // the starter sees what they started: the instance as its start wrote it
      return instanceView(await startRegulationCommand(commandContext(c), c.params.key, c.body));
    },
  }),
  route({
    method: 'get',
    path: '/regulation-instances/:id',
    operationId: 'getRegulationInstance',
    summary: 'Where a regulation instance stands: active and completed elements, incidents, its values',
    tag: 'Regulations',
    access: 'user',
    errors: [404],
    params: idParams,
    response: instanceSchema,
    handler: ({ em, user, params }) => readInstance(em, user, params.id),
  }),
  route({
    method: 'get',
    path: '/regulation-instances/:id/diagram',
    operationId: 'getRegulationInstanceDiagram',
    summary: "An instance's diagram (the BPMN of its version), declared inputs and outputs, and its audit trail",
    tag: 'Regulations',
    access: 'user',
    errors: [404],
    params: idParams,
    response: z
      .object({
        name: z.string(),
        version: z.number().int(),
        xml: z.string(),
        inputs: z.array(fieldSchema),
        outputs: z.array(fieldSchema),
        startedAt: z.string(),
        dealId: z.uuid().nullable(),
        trail: z.array(
          z.object({
            at: z.string(),
            kind: z.enum(['started', 'taskOpened', 'taskCompleted', 'taskCancelled', 'ended']),
            nodeId: z.string().nullable(),
            name: z.string().nullable(),
            actorName: z.string().nullable(),
            status: z.string().nullable(),
          }),
        ),
      })
      .meta({ id: 'RegulationInstanceDiagram' }),
    handler: ({ em, user, params }) => readInstanceDiagram(em, user, params.id),
  }),
  route({
    method: 'get',
    path: '/tasks',
    operationId: 'myTasks',
    summary: 'The open regulation tasks you may work: assigned to you, your role or your department, oldest first',
    tag: 'Regulations',
    access: 'user',
    response: z.object({ items: z.array(taskSchema) }),
    handler: async ({ em, user }) => ({ items: await myTasks(em, user) }),
  }),
  route({
    method: 'post',
    path: '/tasks/:id/complete',
    operationId: 'completeTask',
    summary: "Complete a task with its form's values; the regulation moves on",
    tag: 'Regulations',
    access: 'user',
    errors: [400, 404, 409, 422, 503],
    params: idParams,
    body: z.strictObject({
      variables: formValues
        .default({})
        .describe("the form's values, checked against its form-js schema (422 TASK_FORM_INVALID with field errors)"),
    }),
    response: taskSchema,
    handler: (c) => completeTaskCommand(commandContext(c), c.params.id, c.body.variables),
  }),
  route({
    method: 'get',
    path: '/tasks/:id',
    operationId: 'getTask',
    summary: "A task you may work, with its form (a form-js schema) and its instance's values",
    tag: 'Regulations',
    access: 'user',
    errors: [404],
    params: idParams,
    response: z
      .object({
        task: taskSchema,
        form: z
          .record(z.string(), z.unknown())
          .nullable()
          .describe('the form-js schema; null when the version stores no form under its form key'),
        variables: z.record(z.string(), z.unknown()),
      })
      .meta({ id: 'RegulationTaskDetail' }),
    handler: async ({ em, user, params }) => {
      const d = await readTask(em, user, params.id);
      return { ...d, form: d.form as Record<string, unknown> | null };
    },
  }),
  route({
    method: 'post',
    path: '/tasks/:id/claim',
    operationId: 'claimTask',
    summary: "Take a task off your group's list (409 TASK_CLAIMED while someone else holds it)",
    tag: 'Regulations',
    access: 'user',
    errors: [404, 409],
    params: idParams,
    response: taskSchema,
    handler: ({ em, user, params }) => claimTask(em, user, params.id, true),
  }),
  route({
    method: 'post',
    path: '/tasks/:id/unclaim',
    operationId: 'unclaimTask',
    summary: 'Give a task you hold back to your group',
    tag: 'Regulations',
    access: 'user',
    errors: [404, 409],
    params: idParams,
    response: taskSchema,
    handler: ({ em, user, params }) => claimTask(em, user, params.id, false),
  }),
  route({
    method: 'post',
    path: '/regulation-instances/:id/incidents/resolve',
    operationId: 'resolveIncident',
    summary: 'Resolve an incident (a failed service): retry it, with values set first, or skip it (process owners)',
    tag: 'Regulations',
    access: 'user',
    errors: [404, 409, 503],
    params: idParams,
    body: z.strictObject({
      tokenId: z.string().max(40),
      action: z.enum(['retry', 'skip']),
      variables: variables.optional(),
    }),
    response: instanceSchema,
    handler: async (c) => {
      await resolveIncidentCommand(commandContext(c), c.params.id, c.body);
      return readInstance(c.em.fork(), c.user, c.params.id);
    },
  }),
];
