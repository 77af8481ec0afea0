import { defineEntity, p } from '@mikro-orm/core';

export const Client = defineEntity({
  name: 'Client',
  tableName: 'clients',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    taxId: p.text().nullable(),
    website: p.text().nullable(),
    email: p.text().nullable(),
    phone: p.text().nullable(),
    address: p.text().nullable(),
    notes: p.text().nullable(),
    ownerId: p.uuid(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
    version: p.integer().version(),
  },
});
export type ClientRow = InstanceType<typeof Client.class>;

export const Contact = defineEntity({
  name: 'Contact',
  tableName: 'contacts',
  properties: {
    id: p.uuid().primary(),
    clientId: p.uuid(),
    name: p.text(),
    position: p.text().nullable(),
    email: p.text().nullable(),
    phone: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
    version: p.integer().version(),
  },
});
export type ContactRow = InstanceType<typeof Contact.class>;

/** Shares moved to modules/shares; re-exported for the modules that still import them from here. */
export { RecordShare } from '../shares/entities.ts';
