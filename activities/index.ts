import type { MikroORM } from '@mikro-orm/postgresql';
import { createDealActivities } from './deals.ts';

export interface ActivityDeps { orm: MikroORM }

/** All activities the worker registers, built from their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createDealActivities(deps),
  };
}
