import type { MikroORM } from '@mikro-orm/postgresql';
import type { FileStorage } from '../modules/files/storage.ts';
import { sweepUnreferencedFiles } from '../modules/files/store.ts';

/** Upkeep of the content store. */
export function createFileActivities({ orm, storage }: { orm: MikroORM; storage: FileStorage }) {
  return {
    async sweepFiles({ graceHours }: { graceHours: number }): Promise<number> {
      return sweepUnreferencedFiles(orm.em.fork(), storage, { graceHours });
    },
  };
}
