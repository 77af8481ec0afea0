import { Context } from '@temporalio/activity';
import type { Client as TemporalClient } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import { User } from '../modules/accounts/entities.ts';
import { recordAudit } from '../modules/audit/index.ts';
import { ImportJob, ImportRow } from '../modules/imports/entities.ts';
import { loadRefs } from '../modules/imports/refs.ts';
import { Gates } from '../modules/imports/rows.ts';
import { progressOf } from '../modules/imports/queries.ts';
import { groupByClient } from '../modules/imports/rules.ts';

/** Rows of different clients an activity imports at the same time. */
const ROWS_AT_ONCE = 4;
import { importRow, settleFailed } from './import-row.ts';

/** The activity's context, or null when called outside a worker (tests call the activities directly). */
function activityContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}

/** The writes of an import's workflow: its rows in batches, and its end. */
export function createImportActivities({ orm, temporal }: { orm: MikroORM; temporal?: TemporalClient }) {
  return {
    /**
     * Imports up to `size` pending rows in file order, each settled as it goes; answers how many are still
     * pending. Heartbeats after every row, and stops between rows when the worker shuts down.
     */
    async importBatch(input: {
      importId: string;
      size: number;
      taskQueue: string;
    }): Promise<{ processed: number; remaining: number }> {
      const ctx = activityContext();
      const client = temporal ?? ctx!.client;
      const em = orm.em.fork();
      const conn = em.getConnection();
      await conn.execute(
        `update imports set status = 'running', started_at = coalesce(started_at, now()), updated_at = now()
         where id = ? and status = 'queued'`,
        [input.importId],
      );
      const job = await em.findOneOrFail(ImportJob, { id: input.importId });
      const owner = await em.findOne(User, { id: job.ownerId });
      if (!owner || owner.disabledAt) {
        // whoever started it may no longer act: what is left is not imported on their behalf
        await conn.execute(
          `update import_rows set status = 'failed', finished_at = now(), errors = ?::jsonb
           where import_id = ? and status = 'pending'`,
          [
            JSON.stringify([
              {
                code: 'IMPORTER_DISABLED',
                field: null,
                column: null,
                message: 'The user who started the import was disabled',
              },
            ]),
            job.id,
          ],
        );
        return { processed: 0, remaining: 0 };
      }
      const viewer = { id: owner.id, role: owner.role };
      const refs = await loadRefs(em, viewer);
      const gates = new Gates(em);
      const rows = await em.find(
        ImportRow,
        { importId: job.id, status: 'pending' },
        { orderBy: { rowNumber: 'asc' }, limit: input.size },
      );
      let processed = 0;
      const importOne = async (row: (typeof rows)[number]) => {
        if (ctx?.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? new Error('cancelled');
        try {
          await importRow(
            { orm, temporal: client, taskQueue: input.taskQueue },
            job,
            viewer,
            { rowNumber: row.rowNumber, cells: row.cells },
            refs,
            gates,
          );
        } catch (e) {
          // a value Postgres refuses (SQLSTATE classes 22 and 23) fails its row, not the import: its transaction
          // wrote nothing; anything else (Postgres or Temporal unreachable) is retried with the batch
          const code = (e as { code?: unknown }).code;
          if (typeof code !== 'string' || !/^2[23]/.test(code)) throw e;
          await settleFailed(orm.em, job, row.rowNumber, [
            {
              code: 'INVALID_DATA',
              field: null,
              column: null,
              message: `The database refused a value: ${(e as Error).message.split('\n')[0]}`,
            },
          ]);
        }
        processed++;
        ctx?.heartbeat(processed);
      };
      // rows of different clients side by side, the rows of one client one after the other (rules.ts groupByClient)
      const groups = groupByClient(rows, job.mapping ?? {});
      const lanes = Array.from({ length: Math.min(ROWS_AT_ONCE, groups.length) }, async () => {
        for (let g = groups.shift(); g; g = groups.shift()) for (const row of g) await importOne(row);
      });
      const results = await Promise.allSettled(lanes);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      const { pending } = await progressOf(orm.em.fork(), job.id);
      return { processed, remaining: pending };
    },

    /** Marks the import done and writes its audit entry with the counts, once. */
    async finishImport({ importId }: { importId: string }): Promise<void> {
      await orm.em.fork().transactional(async (em) => {
        const conn = em.getConnection();
        const done = await conn.execute<{ owner_id: string; file_name: string }[]>(
          `update imports set status = 'done', finished_at = now(), updated_at = now(), version = version + 1
           where id = ? and status <> 'done' returning owner_id, file_name`,
          [importId],
          'all',
          em.getTransactionContext(),
        );
        if (!done.length) return;
        const progress = await progressOf(em, importId);
        const [actor] = await conn.execute<{ email: string }[]>(
          'select email from users where id = ?',
          [done[0].owner_id],
          'all',
          em.getTransactionContext(),
        );
        await recordAudit(em, {
          kind: 'import.finished',
          actorId: done[0].owner_id,
          actorEmail: actor?.email ?? null,
          subjectType: 'import',
          subjectId: importId,
          details: { fileName: done[0].file_name, imported: progress.imported, failed: progress.failed },
        });
      });
    },
  };
}
