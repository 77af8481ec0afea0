/**
 * The regulation instance's writes and its services. A write mirrors the workflow's state into Postgres in one
 * transaction claimed by its opId: the instance row (guarded by its version) and the task inbox — tasks the step
 * opened are inserted, the one completed and those cancelled are closed. Services are the allow-list; one not
 * available fails, and the workflow parks its token as an incident the process owner resolves.
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { KitFailure } from '../modules/kit/contract.ts';
import { notify } from '../modules/notifications/write.ts';
import { dueAfter, type RegulationState } from '../modules/regulations/instance.ts';
import { claimOp, finalFailure, refusingBadData } from './kit/ops.ts';

interface TaskRow {
  tokenId: string;
  node: string;
}

/** The user-task tokens of a state. */
const userTasks = (s: RegulationState): TaskRow[] =>
  s.interp.tokens
    .filter((t) => !t.boundaryOf && s.graph.nodes[t.node]?.kind === 'userTask')
    .map((t) => ({ tokenId: t.id, node: t.node }));

export interface PersistRegulationInput {
  opId: string;
  actorId: string | null;
  fromVersion: number;
  before: RegulationState;
  next: RegulationState;
  /** the task a person completed in this change */
  completedToken: string | null;
  dealId?: string | null;
}

export function createRegulationActivities({ orm }: { orm: MikroORM }) {
  async function load(em: EntityManager, instanceId: string): Promise<RegulationState | null> {
    const [row] = await em
      .getConnection()
      .execute<{ state: RegulationState; version: number }[]>(
        `select state, version from regulation_instances where id = ?`,
        [instanceId],
        'all',
        em.getTransactionContext(),
      );
    return row ? { ...row.state, version: row.version } : null;
  }

  return {
    async loadRegulationState({ instanceId }: { instanceId: string }): Promise<RegulationState | null> {
      return load(orm.em.fork(), instanceId);
    },

    async persistRegulation(input: PersistRegulationInput): Promise<{ version: number }> {
      const { next, before } = input;
      return refusingBadData(() =>
        orm.em.fork().transactional(async (em) => {
          const conn = em.getConnection();
          const ctx = em.getTransactionContext<object>();
          if (!(await claimOp(em, input.opId))) return { version: (await load(em, next.id))?.version ?? 0 };
          const status = next.interp.status;
          const stored = { ...next, version: 0 };
          let version: number;
          if (input.fromVersion === 0) {
            await conn.execute(
              `insert into regulation_instances (id, regulation_id, key, status, variables, state, deal_id, started_by, version)
               values (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, 1)`,
              [
                next.id,
                next.regulationId,
                next.key,
                status,
                JSON.stringify(next.interp.variables),
                JSON.stringify(stored),
                input.dealId ?? null,
                input.actorId,
              ],
              'all',
              ctx,
            );
            version = 1;
          } else {
            const [row] = await conn.execute<{ version: number }[]>(
              `update regulation_instances set status = ?, variables = ?::jsonb, state = ?::jsonb, error = ?,
                 ended_at = case when ? = 'running' then null else coalesce(ended_at, now()) end, version = version + 1
               where id = ? and version = ? returning version`,
              [
                status,
                JSON.stringify(next.interp.variables),
                JSON.stringify(stored),
                next.interp.error ?? null,
                status,
                next.id,
                input.fromVersion,
              ],
              'all',
              ctx,
            );
            if (!row) throw finalFailure(KitFailure.versionConflict, 'The instance changed meanwhile');
            version = row.version;
          }
          const was = new Set(userTasks(before).map((t) => t.tokenId));
          const now = new Set(userTasks(next).map((t) => t.tokenId));
          const now_ = Date.now();
          for (const t of userTasks(next).filter((x) => !was.has(x.tokenId) || input.fromVersion === 0)) {
            const node = next.graph.nodes[t.node];
            await conn.execute(
              `insert into regulation_tasks (id, instance_id, token_id, node_id, name, assignee, candidate_groups, form_key, due_at)
               values (gen_random_uuid(), ?, ?, ?, ?, ?, ?::text[], ?, ?) on conflict (instance_id, token_id) do nothing`,
              [
                next.id,
                t.tokenId,
                node.id,
                node.name || node.id,
                node.assignee ?? null,
                `{${(node.candidateGroups ?? []).map((g) => `"${g.replace(/"/g, '')}"`).join(',')}}`,
                node.formKey ?? null,
                node.due ? new Date(dueAfter(now_, { duration: node.due })).toISOString() : null,
              ],
              'all',
              ctx,
            );
          }
          const gone = [...was].filter((id) => !now.has(id));
          if (gone.length) {
            await conn.execute(
              `update regulation_tasks set
                 status = case when token_id = ? then 'completed' else 'cancelled' end,
                 completed_by = case when token_id = ? then ?::uuid end,
                 completed_at = now()
               where instance_id = ? and token_id = any(?::text[]) and status = 'open'`,
              [input.completedToken, input.completedToken, input.actorId, next.id, `{${gone.join(',')}}`],
              'all',
              ctx,
            );
          }
          return { version };
        }),
      );
    },

    /** An allow-listed service; `notify` tells whoever started the instance. The others are not available yet. */
    async runRegulationService(input: {
      instanceId: string;
      tokenId: string;
      node: string;
      serviceType: string;
      variables: Record<string, unknown>;
    }): Promise<{ variables: Record<string, unknown> }> {
      if (input.serviceType !== 'notify') {
        throw finalFailure('SERVICE_NOT_AVAILABLE', `The service "${input.serviceType}" is not available yet`);
      }
      await orm.em.fork().transactional(async (em) => {
        const [row] = await em
          .getConnection()
          .execute<{ started_by: string | null; key: string }[]>(
            `select started_by, key from regulation_instances where id = ?`,
            [input.instanceId],
            'all',
            em.getTransactionContext(),
          );
        if (!row?.started_by) return;
        await notify(em, [
          {
            userId: row.started_by,
            kind: 'regulation_step',
            recordType: 'regulation',
            recordId: input.instanceId,
            data: { key: row.key, node: input.node },
            key: `regulation:${input.instanceId}:${input.tokenId}`,
          },
        ]);
      });
      return { variables: {} };
    },
  };
}
