import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../accounts/entities.ts';
import { canSee, visibilitySql, type Viewer } from '../access/visibility.ts';
import { notFound } from '../shared/errors.ts';
import { Client, Contact, type ClientRow, type ContactRow } from './entities.ts';
import { DUPLICATE_FIELDS, DUPLICATE_SQL, matchedOn, normaliseProbe, type DuplicateProbe } from './duplicates.ts';

/** A client the viewer may see, or NOT_FOUND: another user's client looks exactly like a missing one. */
export async function visibleClient(em: EntityManager, viewer: Viewer, id: string): Promise<ClientRow> {
  const client = await em.findOne(Client, { id });
  if (!client || !(await canSee(em, viewer, 'client', client))) throw notFound('Client');
  return client;
}

/** A contact of a client the viewer may see, or NOT_FOUND. */
export async function visibleContact(em: EntityManager, viewer: Viewer, clientId: string, contactId: string) {
  const client = await visibleClient(em, viewer, clientId);
  const contact = await em.findOne(Contact, { id: contactId, clientId: client.id });
  if (!contact) throw notFound('Contact');
  return { client, contact };
}

/** Clients as the API shows them, with their owners' names (one query for all). */
export async function toClients(em: EntityManager, rows: ClientRow[]) {
  const ownerIds = [...new Set(rows.map((r) => r.ownerId))];
  const owners = ownerIds.length ? await em.find(User, { id: { $in: ownerIds } }, { fields: ['id', 'name'] }) : [];
  const ownerName = new Map(owners.map((o) => [o.id, o.name]));
  return rows.map((c) => ({
    id: c.id,
    name: c.name,
    taxId: c.taxId ?? null,
    website: c.website ?? null,
    email: c.email ?? null,
    phone: c.phone ?? null,
    address: c.address ?? null,
    notes: c.notes ?? null,
    ownerId: c.ownerId,
    ownerName: ownerName.get(c.ownerId) ?? '',
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    version: c.version,
  }));
}

export const toContact = (c: ContactRow) => ({
  id: c.id,
  clientId: c.clientId,
  name: c.name,
  position: c.position ?? null,
  email: c.email ?? null,
  phone: c.phone ?? null,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
  version: c.version,
});

/** A client the viewer may see, with its contacts by name. */
export async function clientDetail(em: EntityManager, viewer: Viewer, id: string) {
  const client = await visibleClient(em, viewer, id);
  const [[base], contacts] = await Promise.all([
    toClients(em, [client]),
    em.find(Contact, { clientId: client.id }, { orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
  ]);
  return { ...base, contacts: contacts.map(toContact) };
}

const DUPLICATES_LIMIT = 20;

/**
 * Clients the viewer can see that look like the one about to be created: the same name, tax id, email or phone
 * after normalisation (modules/clients/duplicates.ts). Best matches (most fields) first, at most 20.
 */
export async function findDuplicates(em: EntityManager, viewer: Viewer, probe: DuplicateProbe) {
  const wanted = normaliseProbe(probe);
  const fields = DUPLICATE_FIELDS.filter((f) => wanted[f] !== undefined);
  if (!fields.length) return [];
  const visible = await visibilitySql(em, viewer, 'client', 'c');
  const rows = await em
    .getConnection()
    .execute<{ id: string; name: string; tax_id: string | null; email: string | null; phone: string | null }[]>(
      `select c.id, c.name, c.tax_id, c.email, c.phone from clients c
     where ${visible.sql} and (${fields.map((f) => `${DUPLICATE_SQL[f]} = ?`).join(' or ')})
     order by lower(c.name), c.id limit 200`,
      [...visible.params, ...fields.map((f) => wanted[f])],
    );
  return rows
    .map((r) => ({
      id: r.id,
      name: r.name,
      taxId: r.tax_id,
      matchedOn: matchedOn({ name: r.name, taxId: r.tax_id, email: r.email, phone: r.phone }, probe),
    }))
    .filter((r) => r.matchedOn.length > 0)
    .sort((a, b) => b.matchedOn.length - a.matchedOn.length)
    .slice(0, DUPLICATES_LIMIT);
}
