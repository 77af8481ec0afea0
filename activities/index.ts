import type { MikroORM } from '@mikro-orm/postgresql';
import type { FileStorage } from '../modules/files/storage.ts';
import { createDealActivities } from './deals.ts';
import { createFileActivities } from './files.ts';
import { createOpActivities } from './kit/ops.ts';

export interface ActivityDeps {
  orm: MikroORM;
  storage: FileStorage;
}

/** All activities the worker registers, built from their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createOpActivities(deps),
    ...createDealActivities(deps),
    ...createFileActivities(deps),
  };
}
