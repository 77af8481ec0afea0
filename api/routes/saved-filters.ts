import { z } from 'zod';
import { createSavedFilter, deleteSavedFilter, updateSavedFilter } from '../../modules/saved-filters/commands.ts';
import { listSavedFilters } from '../../modules/saved-filters/queries.ts';
import { idParams, route, type RouteSpec } from '../http.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** the board's filter bar, as GET /deals/board takes it */
const filterSchema = z
  .strictObject({
    owner: z
      .union([z.enum(['', 'me', 'group']), z.uuid()])
      .optional()
      .describe("'' everyone, me, group or a user id"),
    closeFrom: z.union([z.literal(''), z.string().regex(DATE)]).optional(),
    closeTo: z.union([z.literal(''), z.string().regex(DATE)]).optional(),
    overdue: z.boolean().optional(),
    stuck: z.boolean().optional(),
    q: z.string().max(200).optional(),
  })
  .meta({ id: 'BoardFilter' });

const savedFilterSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    filter: filterSchema,
    shared: z.boolean().describe("shared with the owner's sales group"),
    ownerId: z.uuid(),
    ownerName: z.string(),
    mine: z.boolean().describe('yours: only those can be changed or removed'),
    version: z.number().int(),
  })
  .meta({ id: 'SavedFilter' });

const input = {
  name: z.string().trim().min(1).max(100),
  filter: filterSchema,
  shared: z.boolean().default(false).describe('share it with your sales group (422 SAVED_FILTER_NO_GROUP without one)'),
};

export const savedFilterRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/saved-filters',
    operationId: 'listSavedFilters',
    summary: 'Your saved board filters, then those your sales group shares with you, by name',
    tag: 'Saved filters',
    access: 'user',
    response: z.object({ items: z.array(savedFilterSchema) }),
    handler: async ({ em, user }) => ({ items: await listSavedFilters(em, user) }),
  }),
  route({
    method: 'post',
    path: '/saved-filters',
    operationId: 'createSavedFilter',
    summary: 'Save a board filter under a name (409 SAVED_FILTER_NAME_TAKEN when you have one by that name)',
    tag: 'Saved filters',
    access: 'user',
    status: 201,
    errors: [409, 422],
    body: z.strictObject(input),
    response: savedFilterSchema,
    handler: ({ em, user, body }) => createSavedFilter(em, user.id, body),
  }),
  route({
    method: 'put',
    path: '/saved-filters/:id',
    operationId: 'updateSavedFilter',
    summary: 'Rename, change or (un)share one of your saved filters',
    tag: 'Saved filters',
    access: 'user',
    errors: [404, 409, 422],
    params: idParams,
    body: z.strictObject({ ...input, version: z.number().int().positive().describe('the version you saw') }),
    response: savedFilterSchema,
    handler: ({ em, user, params, body }) => updateSavedFilter(em, user.id, params.id, body),
  }),
  route({
    method: 'delete',
    path: '/saved-filters/:id',
    operationId: 'deleteSavedFilter',
    summary: "Remove one of your saved filters (another's, shared with you or not, is 404)",
    tag: 'Saved filters',
    access: 'user',
    errors: [404],
    params: idParams,
    handler: ({ em, user, params }) => deleteSavedFilter(em, user.id, params.id),
  }),
];
