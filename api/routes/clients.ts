import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../modules/accounts/entities.ts';
import { Client, Contact, type ClientRow, type ContactRow } from '../../modules/clients/entities.ts';
import { canSee, visibilityFilter } from '../../modules/access/visibility.ts';
import { AppError, notFound } from '../errors.ts';
import { likePattern, pageOf, pageQuery, route, type RouteSpec } from '../http.ts';
import { Keyset } from '../../modules/shared/keyset.ts';
import type { AuthUser } from '../auth.ts';

/** Optional free text: trimmed, an empty string clears it (null). */
const text = (max: number) => z.string().trim().max(max).nullable().optional()
  .transform((v) => (v === '' ? null : v));
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const email = z.string().trim().max(320).refine((v) => v === '' || EMAIL.test(v), 'an email address').nullable().optional()
  .transform((v) => (v === '' ? null : v));
const version = z.number().int().positive().optional().describe('the version you saw; if the record changed since, the answer is 409');

const clientFields = {
  taxId: text(100), website: text(500), email, phone: text(100), address: text(1000), notes: text(10_000),
};
const contactFields = { position: text(200), email, phone: text(100) };
const clientName = z.string().trim().min(1).max(300);
const contactName = z.string().trim().min(1).max(300);

export const clientSchema = z.object({
  id: z.uuid(), name: z.string(), taxId: z.string().nullable(), website: z.string().nullable(), email: z.string().nullable(),
  phone: z.string().nullable(), address: z.string().nullable(), notes: z.string().nullable(),
  ownerId: z.uuid(), ownerName: z.string(), createdAt: z.iso.datetime(), updatedAt: z.iso.datetime(), version: z.number().int(),
}).meta({ id: 'Client' });

export const contactSchema = z.object({
  id: z.uuid(), clientId: z.uuid(), name: z.string(), position: z.string().nullable(), email: z.string().nullable(),
  phone: z.string().nullable(), createdAt: z.iso.datetime(), updatedAt: z.iso.datetime(), version: z.number().int(),
}).meta({ id: 'Contact' });

const clientDetailSchema = clientSchema.extend({ contacts: z.array(contactSchema) }).meta({ id: 'ClientDetail' });

async function toClients(em: EntityManager, rows: ClientRow[]) {
  const ownerIds = [...new Set(rows.map((r) => r.ownerId))];
  const owners = ownerIds.length ? await em.find(User, { id: { $in: ownerIds } }, { fields: ['id', 'name'] }) : [];
  const ownerName = new Map(owners.map((o) => [o.id, o.name]));
  return rows.map((c) => ({
    id: c.id, name: c.name, taxId: c.taxId ?? null, website: c.website ?? null, email: c.email ?? null, phone: c.phone ?? null,
    address: c.address ?? null, notes: c.notes ?? null, ownerId: c.ownerId, ownerName: ownerName.get(c.ownerId) ?? '',
    createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString(), version: c.version,
  }));
}

const toContact = (c: ContactRow) => ({
  id: c.id, clientId: c.clientId, name: c.name, position: c.position ?? null, email: c.email ?? null, phone: c.phone ?? null,
  createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString(), version: c.version,
});

/** A client the user may see, or 404: another user's client looks exactly like a missing one. */
export async function visibleClient(em: EntityManager, user: AuthUser, id: string): Promise<ClientRow> {
  const client = await em.findOne(Client, { id });
  if (!client || !(await canSee(em, user, 'client', client))) throw notFound('Client');
  return client;
}

const versionConflict = (what: string) => new AppError(409, 'VERSION_CONFLICT', `The ${what} changed meanwhile; reload it and try again`);

/**
 * Applies changes with one conditional UPDATE: with a version, only if the row still has it (so of two concurrent
 * writers one gets 409); without one, last write wins. The version goes up by one either way.
 */
async function updateVersioned(
  em: EntityManager, entity: typeof Client | typeof Contact, row: { id: string; version: number },
  changes: Record<string, unknown>, expected: number | undefined, what: string,
) {
  if (expected !== undefined && expected !== row.version) throw versionConflict(what);
  const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  if (!Object.keys(set).length) return;
  const where = expected !== undefined ? { id: row.id, version: expected } : { id: row.id };
  const n = await em.nativeUpdate(entity as typeof Client, where, { ...set, version: raw('version + 1'), updatedAt: raw('now()') });
  if (n === 0) throw versionConflict(what);
}

const clientParams = z.strictObject({ id: z.uuid() });
/** Clients by name ignoring case, then id: the order of clients_name_idx (lower(name), id) */
const clientKeyset = new Keyset({
  cursor: z.tuple([z.string(), z.uuid()]),
  columns: ['lower({alias}.name)', '{alias}.id'], values: ['lower(?::text)', '?'], dir: 'asc',
  keyOf: (c: { name: string; id: string }) => [c.name, c.id],
});
const contactParams = z.strictObject({ id: z.uuid(), contactId: z.uuid() });

export const clientRoutes: RouteSpec[] = [
  route({
    method: 'get', path: '/clients', operationId: 'listClients', summary: 'Clients you can see, by name',
    tag: 'Clients', access: 'user',
    query: z.strictObject({ q: z.string().trim().max(200).optional().describe('search in names, ignoring case'), ...pageQuery }),
    response: pageOf(clientSchema),
    handler: async ({ em, user, query }) => {
      const where: Record<string, unknown>[] = [await visibilityFilter(em, user, 'client')];
      if (query.q) where.push({ name: { $ilike: likePattern(query.q) } });
      where.push(clientKeyset.ormAfter(clientKeyset.decode(query.cursor)));
      const rows = await em.find(Client, { $and: where }, { orderBy: clientKeyset.ormOrderBy(), limit: query.limit + 1 });
      const { items, nextCursor } = clientKeyset.page(rows, query.limit);
      return { items: await toClients(em, items), nextCursor };
    },
  }),
  route({
    method: 'post', path: '/clients', operationId: 'createClient', summary: 'Add a client company; you own it',
    tag: 'Clients', access: 'user', status: 201,
    body: z.strictObject({ name: clientName, ...clientFields }),
    response: clientSchema,
    handler: async ({ em, user, body }) => {
      const row = em.create(Client, {
        id: randomUUID(), name: body.name, taxId: body.taxId ?? null, website: body.website ?? null, email: body.email ?? null,
        phone: body.phone ?? null, address: body.address ?? null, notes: body.notes ?? null, ownerId: user.id,
      });
      await em.flush();
      const [client] = await toClients(em, [row]);
      return client;
    },
  }),
  route({
    method: 'get', path: '/clients/:id', operationId: 'getClient', summary: 'A client with its contacts',
    tag: 'Clients', access: 'user', errors: [404], params: clientParams, response: clientDetailSchema,
    handler: async ({ em, user, params }) => {
      const client = await visibleClient(em, user, params.id);
      const [[base], contacts] = await Promise.all([
        toClients(em, [client]),
        em.find(Contact, { clientId: client.id }, { orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
      ]);
      return { ...base, contacts: contacts.map(toContact) };
    },
  }),
  route({
    method: 'patch', path: '/clients/:id', operationId: 'updateClient',
    summary: "Change a client's details; send the version you saw to be told (409) when someone changed it meanwhile",
    tag: 'Clients', access: 'user', errors: [404, 409], params: clientParams,
    body: z.strictObject({ version, name: clientName.optional(), ...clientFields }),
    response: clientSchema,
    handler: async ({ em, user, params, body }) => {
      const client = await visibleClient(em, user, params.id);
      const { version: expected, ...changes } = body;
      await updateVersioned(em, Client, client, changes, expected, 'client');
      const [updated] = await toClients(em, [await em.fork().findOneOrFail(Client, { id: client.id })]);
      return updated;
    },
  }),
  route({
    method: 'post', path: '/clients/:id/contacts', operationId: 'createContact', summary: 'Add a contact person to a client',
    tag: 'Clients', access: 'user', status: 201, errors: [404], params: clientParams,
    body: z.strictObject({ name: contactName, ...contactFields }),
    response: contactSchema,
    handler: async ({ em, user, params, body }) => {
      const client = await visibleClient(em, user, params.id);
      const row = em.create(Contact, {
        id: randomUUID(), clientId: client.id, name: body.name, position: body.position ?? null, email: body.email ?? null,
        phone: body.phone ?? null,
      });
      await em.flush();
      return toContact(row);
    },
  }),
  route({
    method: 'patch', path: '/clients/:id/contacts/:contactId', operationId: 'updateContact',
    summary: "Change a contact's details; send the version you saw to be told (409) when someone changed it meanwhile",
    tag: 'Clients', access: 'user', errors: [404, 409], params: contactParams,
    body: z.strictObject({ version, name: contactName.optional(), ...contactFields }),
    response: contactSchema,
    handler: async ({ em, user, params, body }) => {
      const client = await visibleClient(em, user, params.id);
      const contact = await em.findOne(Contact, { id: params.contactId, clientId: client.id });
      if (!contact) throw notFound('Contact');
      const { version: expected, ...changes } = body;
      await updateVersioned(em, Contact, contact, changes, expected, 'contact');
      return toContact(await em.fork().findOneOrFail(Contact, { id: contact.id }));
    },
  }),
];
