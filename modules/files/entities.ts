import { defineEntity, p } from '@mikro-orm/core';

/** A stored blob, addressed by the SHA-256 of its content. */
export const StoredFile = defineEntity({
  name: 'StoredFile',
  tableName: 'files',
  properties: {
    sha256: p.string().length(64).primary(),
    size: p.bigint('number'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
