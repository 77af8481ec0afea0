import { defineEntity, p } from '@mikro-orm/core';
import { recordId, timestamps, versioned } from '../shared/entity.ts';

export const Client = defineEntity({
  name: 'Client',
  tableName: 'clients',
  properties: {
    ...recordId(),
    name: p.text(),
    taxId: p.text().nullable(),
    website: p.text().nullable(),
    email: p.text().nullable(),
    phone: p.text().nullable(),
    address: p.text().nullable(),
    notes: p.text().nullable(),
    ownerId: p.uuid(),
    ...timestamps(),
    ...versioned(),
  },
});
export type ClientRow = InstanceType<typeof Client.class>;

export const Contact = defineEntity({
  name: 'Contact',
  tableName: 'contacts',
  properties: {
    ...recordId(),
    clientId: p.uuid(),
    name: p.text(),
    position: p.text().nullable(),
    email: p.text().nullable(),
    phone: p.text().nullable(),
    ...timestamps(),
    ...versioned(),
  },
});
export type ContactRow = InstanceType<typeof Contact.class>;

/** Shares moved to modules/shares; re-exported for the modules that still import them from here. */
export { RecordShare } from '../shares/entities.ts';
