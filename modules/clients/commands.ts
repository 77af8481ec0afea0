import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { versionConflict } from '../shared/errors.ts';
import { fieldChanges } from '../timeline/events.ts';
import { recordEvent } from '../timeline/write.ts';
import { Client, Contact, type ClientRow, type ContactRow } from './entities.ts';

export interface ClientFields {
  name: string;
  taxId?: string | null;
  website?: string | null;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
  notes?: string | null;
}
export interface ContactFields {
  name: string;
  position?: string | null;
  email?: string | null;
  phone?: string | null;
}

const CLIENT_KEYS = ['name', 'taxId', 'website', 'email', 'phone', 'address', 'notes'] as const;
const CONTACT_KEYS = ['name', 'position', 'email', 'phone'] as const;

const nulled = <K extends string>(keys: readonly K[], input: Partial<Record<K, unknown>>) =>
  Object.fromEntries(keys.map((k) => [k, input[k] ?? null])) as Record<K, never>;

/**
 * Applies an edit with one conditional UPDATE in the caller's transaction: only if the row is still at the version
 * the user saw, so of two concurrent writers one gets VERSION_CONFLICT (with the current version). Returns the
 * changes with their old values (empty when nothing changed, and then nothing is written).
 */
async function updateVersioned<T extends { id: string; version: number }>(
  em: EntityManager,
  entity: typeof Client | typeof Contact,
  row: T,
  expected: number,
  changes: Record<string, unknown>,
  keys: readonly string[],
  what: string,
) {
  if (expected !== row.version) throw versionConflict(what, row.version);
  const changed = fieldChanges(row as unknown as Record<string, unknown>, changes, keys);
  if (!Object.keys(changed).length) return changed;
  const set = Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, v.to]));
  const n = await em.nativeUpdate(
    entity as typeof Client,
    { id: row.id, version: expected },
    { ...set, version: raw('version + 1'), updatedAt: raw('now()') },
  );
  if (n === 0) {
    const current = await em.findOne(
      entity as typeof Client,
      { id: row.id },
      { fields: ['version'], disableIdentityMap: true },
    );
    throw versionConflict(what, current?.version);
  }
  return changed;
}

/** A new client owned by the actor, with its `created` event. */
export async function createClient(em: EntityManager, actorId: string, input: ClientFields): Promise<ClientRow> {
  const id = randomUUID();
  await em.transactional(async (tem) => {
    await tem.insert(Client, { id, ownerId: actorId, ...nulled(CLIENT_KEYS, input), name: input.name });
    await recordEvent(tem, {
      recordType: 'client',
      recordId: id,
      kind: 'created',
      actorId,
      data: { name: input.name },
    });
  });
  return em.fork().findOneOrFail(Client, { id });
}

/** Changes a client's details if it is still at `version`; records what changed. */
export async function updateClient(
  em: EntityManager,
  actorId: string,
  client: ClientRow,
  version: number,
  changes: Partial<ClientFields>,
): Promise<ClientRow> {
  await em.transactional(async (tem) => {
    const changed = await updateVersioned(tem, Client, client, version, changes, CLIENT_KEYS, 'The client');
    if (Object.keys(changed).length) {
      await recordEvent(tem, {
        recordType: 'client',
        recordId: client.id,
        kind: 'updated',
        actorId,
        data: { changes: changed },
      });
    }
  });
  return em.fork().findOneOrFail(Client, { id: client.id });
}

/** A new contact person at a client, with its `created` event. */
export async function createContact(
  em: EntityManager,
  actorId: string,
  client: ClientRow,
  input: ContactFields,
): Promise<ContactRow> {
  const id = randomUUID();
  await em.transactional(async (tem) => {
    await tem.insert(Contact, { id, clientId: client.id, ...nulled(CONTACT_KEYS, input), name: input.name });
    await recordEvent(tem, {
      recordType: 'contact',
      recordId: id,
      kind: 'created',
      actorId,
      data: { clientId: client.id, name: input.name },
    });
  });
  return em.fork().findOneOrFail(Contact, { id });
}

/** Changes a contact's details if it is still at `version`; records what changed. */
export async function updateContact(
  em: EntityManager,
  actorId: string,
  contact: ContactRow,
  version: number,
  changes: Partial<ContactFields>,
): Promise<ContactRow> {
  await em.transactional(async (tem) => {
    const changed = await updateVersioned(tem, Contact, contact, version, changes, CONTACT_KEYS, 'The contact');
    if (Object.keys(changed).length) {
      await recordEvent(tem, {
        recordType: 'contact',
        recordId: contact.id,
        kind: 'updated',
        actorId,
        data: { clientId: contact.clientId, changes: changed },
      });
    }
  });
  return em.fork().findOneOrFail(Contact, { id: contact.id });
}
