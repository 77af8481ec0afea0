import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Client } from '../../modules/clients/entities.ts';
import { visibilityFilter } from '../../modules/access/visibility.ts';
import { createClient, createContact, updateClient, updateContact } from '../../modules/clients/commands.ts';
import {
  clientDetail,
  findDuplicates,
  toClients,
  toContact,
  visibleClient as visibleClientOf,
  visibleContact,
} from '../../modules/clients/queries.ts';
import { likePattern, pageOf, pageQuery, route, type RouteSpec } from '../http.ts';
import { Keyset } from '../../modules/shared/keyset.ts';
import type { AuthUser } from '../auth.ts';

/** Optional free text: trimmed, an empty string clears it (null). */
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullable()
    .optional()
    .transform((v) => (v === '' ? null : v));
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const email = z
  .string()
  .trim()
  .max(320)
  .refine((v) => v === '' || EMAIL.test(v), 'an email address')
  .nullable()
  .optional()
  .transform((v) => (v === '' ? null : v));
const version = z
  .number()
  .int()
  .positive()
  .describe('the version you saw; if the record changed since, the answer is 409 VERSION_CONFLICT');

const clientFields = {
  taxId: text(100),
  website: text(500),
  email,
  phone: text(100),
  address: text(1000),
  notes: text(10_000),
};
const contactFields = { position: text(200), email, phone: text(100) };
const clientName = z.string().trim().min(1).max(300);
const contactName = z.string().trim().min(1).max(300);

export const clientSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    taxId: z.string().nullable(),
    website: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    address: z.string().nullable(),
    notes: z.string().nullable(),
    ownerId: z.uuid(),
    ownerName: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().int(),
  })
  .meta({ id: 'Client' });

export const contactSchema = z
  .object({
    id: z.uuid(),
    clientId: z.uuid(),
    name: z.string(),
    position: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.number().int(),
  })
  .meta({ id: 'Contact' });

const clientDetailSchema = clientSchema.extend({ contacts: z.array(contactSchema) }).meta({ id: 'ClientDetail' });

/** A client the user may see, or 404 (kept here for the routes that import it). */
export const visibleClient = (em: EntityManager, user: AuthUser, id: string) => visibleClientOf(em, user, id);

const clientParams = z.strictObject({ id: z.uuid() });
/** Clients by name ignoring case, then id: the order of clients_name_idx (lower(name), id) */
const clientKeyset = new Keyset({
  cursor: z.tuple([z.string(), z.uuid()]),
  columns: ['lower({alias}.name)', '{alias}.id'],
  values: ['lower(?::text)', '?'],
  dir: 'asc',
  keyOf: (c: { name: string; id: string }) => [c.name, c.id],
});
const contactParams = z.strictObject({ id: z.uuid(), contactId: z.uuid() });

export const clientRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/clients',
    operationId: 'listClients',
    summary: 'Clients you can see, by name',
    tag: 'Clients',
    access: 'user',
    query: z.strictObject({
      q: z.string().trim().max(200).optional().describe('search in names, ignoring case'),
      ...pageQuery,
    }),
    response: pageOf(clientSchema),
    handler: async ({ em, user, query }) => {
      const where: Record<string, unknown>[] = [await visibilityFilter(em, user, 'client')];
      if (query.q) where.push({ name: { $ilike: likePattern(query.q) } });
      where.push(clientKeyset.ormAfter(clientKeyset.decode(query.cursor)));
      const rows = await em.find(
        Client,
        { $and: where },
        { orderBy: clientKeyset.ormOrderBy(), limit: query.limit + 1 },
      );
      const { items, nextCursor } = clientKeyset.page(rows, query.limit);
      return { items: await toClients(em, items), nextCursor };
    },
  }),
  route({
    method: 'post',
    path: '/clients',
    operationId: 'createClient',
    summary: 'Add a client company; you own it',
    tag: 'Clients',
    access: 'user',
    status: 201,
    body: z.strictObject({ name: clientName, ...clientFields }),
    response: clientSchema,
    handler: async ({ em, user, body }) => (await toClients(em, [await createClient(em, user.id, body)]))[0],
  }),
  route({
    method: 'get',
    path: '/clients/duplicates',
    operationId: 'findDuplicateClients',
    summary:
      'Clients you can see that look like the one you are about to create: the same name, tax id, email or phone ' +
      '(ignoring case, spaces and punctuation; phones by their last 10 digits)',
    tag: 'Clients',
    access: 'user',
    query: z.strictObject({
      name: z.string().max(300).optional(),
      taxId: z.string().max(100).optional(),
      email: z.string().max(320).optional(),
      phone: z.string().max(100).optional(),
    }),
    response: z.object({
      items: z.array(
        z.object({
          id: z.uuid(),
          name: z.string(),
          taxId: z.string().nullable(),
          matchedOn: z.array(z.enum(['name', 'taxId', 'email', 'phone'])),
        }),
      ),
    }),
    handler: async ({ em, user, query }) => ({ items: await findDuplicates(em, user, query) }),
  }),
  route({
    method: 'get',
    path: '/clients/:id',
    operationId: 'getClient',
    summary: 'A client with its contacts',
    tag: 'Clients',
    access: 'user',
    errors: [404],
    params: clientParams,
    response: clientDetailSchema,
    handler: ({ em, user, params }) => clientDetail(em, user, params.id),
  }),
  route({
    method: 'patch',
    path: '/clients/:id',
    operationId: 'updateClient',
    summary: "Change a client's details; send the version you saw: if someone changed it meanwhile the answer is 409",
    tag: 'Clients',
    access: 'user',
    errors: [404, 409],
    params: clientParams,
    body: z.strictObject({ version, name: clientName.optional(), ...clientFields }),
    response: clientSchema,
    handler: async ({ em, user, params, body: { version: expected, ...changes } }) => {
      const client = await visibleClient(em, user, params.id);
      return (await toClients(em, [await updateClient(em, user.id, client, expected, changes)]))[0];
    },
  }),
  route({
    method: 'post',
    path: '/clients/:id/contacts',
    operationId: 'createContact',
    summary: 'Add a contact person to a client',
    tag: 'Clients',
    access: 'user',
    status: 201,
    errors: [404],
    params: clientParams,
    body: z.strictObject({ name: contactName, ...contactFields }),
    response: contactSchema,
    handler: async ({ em, user, params, body }) =>
      toContact(await createContact(em, user.id, await visibleClient(em, user, params.id), body)),
  }),
  route({
    method: 'patch',
    path: '/clients/:id/contacts/:contactId',
    operationId: 'updateContact',
    summary: "Change a contact's details; send the version you saw: if someone changed it meanwhile the answer is 409",
    tag: 'Clients',
    access: 'user',
    errors: [404, 409],
    params: contactParams,
    body: z.strictObject({ version, name: contactName.optional(), ...contactFields }),
    response: contactSchema,
    handler: async ({ em, user, params, body: { version: expected, ...changes } }) => {
      const { contact } = await visibleContact(em, user, params.id, params.contactId);
      return toContact(await updateContact(em, user.id, contact, expected, changes));
    },
  }),
];
