/**
 * The activity side of every workflow-backed record: writes claimed by their command's opId in one table,
 * `command_ops`, shared by all records (opIds are random UUIDs). Whichever commits first wins the primary key:
 * the write (`applied`, first statement of its transaction) or the workflow giving the command up after the
 * write failed (`abandoned`). So a command reported as failed never commits later, and a write re-run after a
 * lost attempt finds its claim and returns the same result instead of writing twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { KitFailure } from '../../modules/kit/contract.ts';

export const finalFailure = (type: string, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * Claims the command's opId for its write, first thing in the write's transaction (em must be inside it).
 * Returns false when an earlier attempt already wrote it; throws COMMAND_ABANDONED when the workflow gave the
 * command up (its failure was reported).
 */
export async function claimOp(em: EntityManager, opId: string): Promise<boolean> {
  const conn = em.getConnection();
  const ctx = em.getTransactionContext<object>();
  const claimed = await conn.execute<{ state: string; mine: boolean }[]>(
    `insert into command_ops as o (op_id, state) values (?, 'applied')
     on conflict (op_id) do update set state = o.state
     returning state, (xmax = 0) as mine`,
    [opId],
    'all',
    ctx,
  );
  const [row] = claimed;
  if (row.mine) return true;
  if (row.state === 'abandoned') {
    throw finalFailure(KitFailure.abandoned, 'This change was given up after its write failed');
  }
  return false;
}

/** Postgres data and constraint errors (SQLSTATE classes 22 and 23) are the input's fault: retrying cannot help. */
export async function refusingBadData<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const code = String((e as { code?: string }).code ?? '');
    if (/^2[23]/.test(code)) {
      const first = (e as Error).message.split('\n')[0];
      throw finalFailure(KitFailure.invalidData, `The database refused a value: ${first}`);
    }
    throw e;
  }
}

/** The activity every record's workflow calls after a write failed: see EntityOptions.abandon. */
export function createOpActivities({ orm }: { orm: MikroORM }) {
  return {
    /**
     * Gives a command up after its write failed: from now on no attempt of that write can commit. Answers what
     * became of it: 'abandoned', or 'applied' when a write committed first after all.
     */
    async abandonOp({ opId }: { opId: string }): Promise<'applied' | 'abandoned'> {
      const [row] = await orm.em
        .fork()
        .getConnection()
        .execute<{ state: 'applied' | 'abandoned' }[]>(
          `insert into command_ops as o (op_id, state) values (?, 'abandoned')
         on conflict (op_id) do update set state = o.state returning state`,
          [opId],
        );
      return row.state;
    },
  };
}
