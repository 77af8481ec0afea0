/**
 * The one write of a regulation instance's step: it mirrors the state into Postgres, inside the caller's transaction
 * (claimed by its opId by the caller): the instance row (guarded by its version) and the task inbox — tasks the step
 * opened are inserted, the one completed and those cancelled are closed — and, for an instance run on a deal, its
 * steps on the deal's timeline. The workflow's write activity runs it, and so does a start that needs no workflow
 * (modules/regulations/start.ts).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { evaluate } from 'feelin';
import { recordEvent } from '../timeline/write.ts';
import { TASK_KINDS, taskDueAt, type RegulationState } from './instance.ts';

interface TaskRow {
  tokenId: string;
  node: string;
}

/** The tokens of a state waiting for a person: user tasks and receive tasks (the inbox's rows). */
const userTasks = (s: RegulationState): TaskRow[] =>
  s.interp.tokens
    .filter((t) => !t.boundaryOf && TASK_KINDS.includes(s.graph.nodes[t.node]?.kind))
    .map((t) => ({ tokenId: t.id, node: t.node }));

/**
 * Who a task is for, decided when it opens: an assignee written as FEEL (`=deal.ownerId`, `=requester`) is evaluated
 * over the instance's values then; one that yields nothing leaves the task to its candidate groups.
 */
export function resolveAssignee(assignee: string | undefined, variables: Record<string, unknown>): string | null {
  if (!assignee) return null;
  if (!assignee.trim().startsWith('=')) return assignee;
  try {
    const v = evaluate(assignee.trim().slice(1), variables).value;
    return typeof v === 'string' && v ? v : null;
  } catch {
    return null;
  }
}

type DealStep = 'started' | 'task_opened' | 'task_completed' | 'task_overdue' | 'incident' | 'finished';

export interface InstanceWrite {
  opId: string;
  actorId: string | null;
  /** the version the state was made from; 0 for the start, which inserts the row */
  fromVersion: number;
  before: RegulationState;
  next: RegulationState;
  /** the task a person completed in this change */
  completedToken: string | null;
  dealId?: string | null;
}

/** The instance as its row holds it (inside em's transaction, if any), or null. */
export async function loadInstanceState(em: EntityManager, instanceId: string): Promise<RegulationState | null> {
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

/** The regulation's steps on its deal's timeline, in the write's transaction. */
async function dealSteps(em: EntityManager, input: InstanceWrite, opened: TaskRow[]) {
  const { next, before } = input;
  const dealId = next.dealId ?? input.dealId;
  if (!dealId) return;
  const step = (kind: DealStep, data: Record<string, unknown> = {}) =>
    recordEvent(em, {
      recordType: 'deal',
      kind: 'regulation',
      recordId: dealId,
      actorId: input.actorId,
      data: { step: kind, instanceId: next.id, key: next.key, name: next.graph.name, ...data },
    });
  const nodeData = (node: string) => ({ node, nodeName: next.graph.nodes[node]?.name || node });
  if (input.fromVersion === 0) await step('started');
  if (input.completedToken) {
    const t = before.interp.tokens.find((x) => x.id === input.completedToken);
    if (t) await step('task_completed', nodeData(t.node));
  }
  for (const t of opened) await step('task_opened', nodeData(t.node));
  // a task past its due time (runs that keep due times, workflows/regulation.ts TASK_DUE_PATCH), told once
  const told = new Set(before.overdue ?? []);
  for (const tokenId of (next.overdue ?? []).filter((id) => !told.has(id))) {
    const t = next.interp.tokens.find((x) => x.id === tokenId);
    if (!t) continue;
    const [task] = await em
      .getConnection()
      .execute<{ id: string; due_at: Date | null }[]>(
        'select id, due_at from regulation_tasks where instance_id = ? and token_id = ?',
        [next.id, tokenId],
        'all',
        em.getTransactionContext(),
      );
    await step('task_overdue', {
      ...nodeData(t.node),
      taskId: task?.id ?? null,
      dueAt: task?.due_at ? new Date(task.due_at).toISOString() : null,
    });
  }
  const known = new Set(before.interp.incidents.map((i) => i.tokenId));
  for (const i of next.interp.incidents.filter((x) => !known.has(x.tokenId))) {
    await step('incident', { ...nodeData(i.node), message: i.message });
  }
  if (before.interp.status === 'running' && next.interp.status !== 'running') {
    await step('finished', {
      status: next.interp.status,
      ...(next.interp.error ? { error: next.interp.error } : {}),
    });
  }
}

/**
 * Writes one step inside em's transaction (its opId already claimed). Returns the version written, or null when the
 * row is not at `fromVersion` (the instance changed meanwhile; nothing was written).
 */
export async function writeInstance(em: EntityManager, input: InstanceWrite): Promise<{ version: number } | null> {
  const { next, before } = input;
  const conn = em.getConnection();
  const ctx = em.getTransactionContext<object>();
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
    if (!row) return null;
    version = row.version;
  }
  const was = new Set(userTasks(before).map((t) => t.tokenId));
  const now = new Set(userTasks(next).map((t) => t.tokenId));
  const at = Date.now();
  const opened = userTasks(next).filter((x) => !was.has(x.tokenId) || input.fromVersion === 0);
  for (const t of opened) {
    const node = next.graph.nodes[t.node];
    await conn.execute(
      `insert into regulation_tasks (id, instance_id, token_id, node_id, name, assignee, candidate_groups, form_key, due_at)
       values (gen_random_uuid(), ?, ?, ?, ?, ?, ?::text[], ?, ?) on conflict (instance_id, token_id) do nothing`,
      [
        next.id,
        t.tokenId,
        node.id,
        node.name || node.id,
        resolveAssignee(node.assignee, next.interp.variables),
        `{${(node.candidateGroups ?? []).map((g) => `"${g.replace(/"/g, '')}"`).join(',')}}`,
        node.formKey ?? null,
        next.taskDue?.[t.tokenId] ?? (node.due ? new Date(taskDueAt(at, node.due)).toISOString() : null),
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
  await dealSteps(em, input, opened);
  return { version };
}
