/**
 * Starting regulations and working their tasks: the command layer of `regulation-<id>` workflows (modules/kit/send.ts)
 * and the task inbox's reads. Who may complete a task: its assignee — a user id, `role:<role>`, `department:<id>` —
 * or a member of one of its candidate groups (`department:<id>`, `role:<role>`, or a department's name).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../access/visibility.ts';
import { send, type Target } from '../kit/send.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import {
  completeTask,
  regulationKind,
  resolveIncident,
  resyncRegulation,
  type RegulationWorkflowInput,
} from '../../workflows/regulation-contract.ts';
import { regulationWorkflow } from '../../workflows/regulation.ts';
import { checkSubmission, formIdOf, type FormSchema } from './forms.ts';
import type { RegulationState } from './instance.ts';
import { startInstance } from './start.ts';

export interface RegulationCommandContext {
  em: EntityManager;
  temporal: Client;
  taskQueue: string;
  actorId: string | null;
  viewer: Viewer;
}

export interface Worker {
  id: string;
  role: string;
  departmentId: string | null;
  departmentName: string | null;
}

/** Whether a person may work a task (pure). */
export function mayWork(task: { assignee: string | null; candidateGroups: string[] }, w: Worker): boolean {
  const matches = (who: string) =>
    who === w.id ||
    who === `role:${w.role}` ||
    (w.departmentId !== null && who === `department:${w.departmentId}`) ||
    (w.departmentName !== null && who.toLowerCase() === w.departmentName.toLowerCase());
  if (w.role === 'admin') return true;
  if (task.assignee && !task.assignee.startsWith('=') && !task.assignee.startsWith('$') && matches(task.assignee))
    return true;
  return task.candidateGroups.some(matches);
}

const target = (id: string, start: () => Promise<RegulationWorkflowInput>): Target<RegulationWorkflowInput> => ({
  kind: regulationKind,
  workflow: regulationWorkflow,
  id,
  start,
});

async function loadInstance(em: EntityManager, id: string): Promise<RegulationState | null> {
  const [row] = await em
    .getConnection()
    .execute<{ state: RegulationState; version: number }[]>(
      `select state, version from regulation_instances where id = ?`,
      [id],
    );
  return row ? { ...row.state, version: row.version } : null;
}

/**
 * Starts a regulation's latest version with the inputs it declares (required ones must be given); for a deal the
 * viewer sees, those not given are pre-filled from the deal (modules/regulations/start.ts).
 */
export function startRegulationCommand(
  ctx: RegulationCommandContext,
  key: string,
  input: { variables: Record<string, unknown>; dealId: string | null },
): Promise<RegulationState> {
  return startInstance(ctx, { key, variables: input.variables, dealId: input.dealId });
}

export interface TaskView {
  id: string;
  instanceId: string;
  key: string;
  tokenId: string;
  nodeId: string;
  name: string;
  assignee: string | null;
  candidateGroups: string[];
  formKey: string | null;
  /** who took the task off the group's list; only they may complete it until they give it back */
  claimedBy: string | null;
  status: 'open' | 'completed' | 'cancelled';
  dueAt: string | null;
  createdAt: string;
}

const TASK_SELECT = `select t.id, t.instance_id as "instanceId", i.key, t.token_id as "tokenId", t.node_id as "nodeId", t.name,
  t.assignee, t.candidate_groups as "candidateGroups", t.form_key as "formKey", t.claimed_by as "claimedBy", t.status, t.due_at as "dueAt",
  t.created_at as "createdAt"
  from regulation_tasks t join regulation_instances i on i.id = t.instance_id`;
const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);
const taskView = (t: TaskView): TaskView => ({ ...t, dueAt: iso(t.dueAt), createdAt: iso(t.createdAt)! });

async function workerOf(em: EntityManager, viewer: Viewer): Promise<Worker> {
  const [row] = await em.getConnection().execute<{ departmentId: string | null; departmentName: string | null }[]>(
    `select u.department_id as "departmentId", d.name as "departmentName"
       from users u left join departments d on d.id = u.department_id where u.id = ?`,
    [viewer.id],
  );
  return {
    id: viewer.id,
    role: viewer.role,
    departmentId: row?.departmentId ?? null,
    departmentName: row?.departmentName ?? null,
  };
}

/**
 * The open tasks the viewer may work, oldest first (at most 200): chosen in Postgres by `mayWork`'s rule (the
 * viewer's id, role or department as assignee or candidate group, a department also by its name), so the inbox reads
 * the viewer's own rows however many tasks other people have open.
 */
export async function myTasks(em: EntityManager, viewer: Viewer): Promise<TaskView[]> {
  const w = await workerOf(em, viewer);
  const exact = [w.id, `role:${w.role}`, ...(w.departmentId ? [`department:${w.departmentId}`] : [])];
  const name = w.departmentName?.toLowerCase() ?? null;
  const rows = await em.getConnection().execute<TaskView[]>(
    `${TASK_SELECT} where t.status = 'open' and (?::boolean
       or (t.assignee = any(?::text[]) or lower(t.assignee) = ?)
       or exists (select 1 from unnest(t.candidate_groups) g where g = any(?::text[]) or lower(g) = ?))
     order by t.created_at, t.id limit 200`,
    [w.role === 'admin', `{${exact.join(',')}}`, name, `{${exact.join(',')}}`, name],
  );
  return rows.filter((t) => mayWork(t, w)).map(taskView);
}

/**
 * Completes a task with its form's values. Checked here: the task is open and the viewer may work it, the values are
 * a flat object of plain values; the workflow's validator checks the token still waits there.
 */
export async function completeTaskCommand(
  ctx: RegulationCommandContext,
  taskId: string,
  variables: Record<string, unknown>,
): Promise<TaskView> {
  const [task] = await ctx.em.getConnection().execute<TaskView[]>(`${TASK_SELECT} where t.id = ?`, [taskId]);
  if (!task || !mayWork(task, await workerOf(ctx.em, ctx.viewer))) throw notFound('Task');
  if (task.status !== 'open') throw new DomainError('TASK_NOT_OPEN', 'This task is done or was cancelled');
  if (task.claimedBy && task.claimedBy !== ctx.viewer.id) {
    throw new DomainError('TASK_CLAIMED', 'Someone else has claimed this task', { claimedBy: task.claimedBy });
  }
  const row = await loadInstance(ctx.em, task.instanceId);
  if (!row) throw notFound('Task');
  // the values are checked against the task's form here, whatever the browser checked
  const form = await formOf(ctx.em, task);
  if (form.schema) {
    const checked = checkSubmission(form.schema, variables, form.variables);
    if (checked.errors.length) {
      throw new DomainError('TASK_FORM_INVALID', 'Some values do not fit the form', { errors: checked.errors });
    }
    variables = checked.values;
  }
  await send(
    ctx,
    target(task.instanceId, async () => ({
      instance: (await loadInstance(ctx.em.fork(), task.instanceId))!,
      created: true,
    })),
    completeTask,
    { opId: randomUUID(), actorId: ctx.actorId, storedVersion: row.version, tokenId: task.tokenId, variables },
    {
      storedVersion: async () => (await loadInstance(ctx.em.fork(), task.instanceId))?.version ?? null,
      resync: resyncRegulation,
    },
  );
  // the Update answers once its write has closed the task
  return taskView({ ...task, status: 'completed' });
}

export interface InstanceView {
  id: string;
  key: string;
  status: string;
  variables: Record<string, unknown>;
  activeNodes: string[];
  completedNodes: string[];
  incidents: { tokenId: string; node: string; message: string }[];
  error: string | null;
}

/** An instance as its starter, whoever works or worked one of its tasks, process owners and admins see it. */
export async function readInstance(em: EntityManager, viewer: Viewer, id: string): Promise<InstanceView> {
  const s = await loadInstance(em, id);
  if (!s) throw notFound('Regulation instance');
  if (viewer.role !== 'admin' && viewer.role !== 'process_owner') {
    const [row] = await em
      .getConnection()
      .execute<{ started_by: string | null }[]>(`select started_by from regulation_instances where id = ?`, [id]);
    const tasks = await em
      .getConnection()
      .execute<TaskView[]>(`${TASK_SELECT} where t.instance_id = ? and (t.status = 'open' or t.completed_by = ?)`, [
        id,
        viewer.id,
      ]);
    const w = await workerOf(em, viewer);
    if (row?.started_by !== viewer.id && !tasks.some((t) => mayWork(t, w))) throw notFound('Regulation instance');
  }
  return instanceView(s);
}

/** What an instance's reader is shown of its state. */
export function instanceView(s: RegulationState): InstanceView {
  return {
    id: s.id,
    key: s.key,
    status: s.interp.status,
    variables: s.interp.variables,
    activeNodes: [...new Set(s.interp.tokens.filter((t) => !t.boundaryOf).map((t) => t.node))],
    completedNodes: s.interp.completed,
    incidents: s.interp.incidents,
    error: s.interp.error ?? null,
  };
}

/**
 * Claims an open task for the viewer (one of those who may work it), or gives it back. A claim is the inbox's
 * bookkeeping, not a step of the regulation: it is written to the task row, atomically, and refused while another
 * person holds the task.
 */
export async function claimTask(em: EntityManager, viewer: Viewer, taskId: string, claim: boolean): Promise<TaskView> {
  const [task] = await em.getConnection().execute<TaskView[]>(`${TASK_SELECT} where t.id = ?`, [taskId]);
  if (!task || !mayWork(task, await workerOf(em, viewer))) throw notFound('Task');
  if (task.status !== 'open') throw new DomainError('TASK_NOT_OPEN', 'This task is done or was cancelled');
  const rows = await em
    .getConnection()
    .execute<{ id: string }[]>(
      claim
        ? `update regulation_tasks set claimed_by = ? where id = ? and status = 'open' and (claimed_by is null or claimed_by = ?) returning id`
        : `update regulation_tasks set claimed_by = null where id = ? and status = 'open' and claimed_by = ? returning id`,
      claim ? [viewer.id, taskId, viewer.id] : [taskId, viewer.id],
    );
  if (!rows.length) {
    throw new DomainError('TASK_CLAIMED', claim ? 'Someone else has claimed this task' : 'You do not hold this task');
  }
  const [after] = await em.getConnection().execute<TaskView[]>(`${TASK_SELECT} where t.id = ?`, [taskId]);
  return taskView(after);
}

/** Resolves an incident (a service that failed): retry it, with values set first, or skip it as if it completed. */
export async function resolveIncidentCommand(
  ctx: RegulationCommandContext,
  instanceId: string,
  input: { tokenId: string; action: 'retry' | 'skip'; variables?: Record<string, unknown> },
): Promise<void> {
  if (ctx.viewer.role !== 'admin' && ctx.viewer.role !== 'process_owner') throw notFound('Regulation instance');
  const row = await loadInstance(ctx.em, instanceId);
  if (!row) throw notFound('Regulation instance');
  await send(
    ctx,
    target(instanceId, async () => ({ instance: (await loadInstance(ctx.em.fork(), instanceId))!, created: true })),
    resolveIncident,
    { opId: randomUUID(), actorId: ctx.actorId, storedVersion: row.version, ...input },
    {
      storedVersion: async () => (await loadInstance(ctx.em.fork(), instanceId))?.version ?? null,
      resync: resyncRegulation,
    },
  );
}

/** A task's form (null when its form key names no form stored with the version) and its instance's values. */
async function formOf(
  em: EntityManager,
  task: Pick<TaskView, 'instanceId' | 'formKey'>,
): Promise<{ schema: FormSchema | null; variables: Record<string, unknown> }> {
  const [row] = await em.getConnection().execute<{ form: FormSchema | null; variables: Record<string, unknown> }[]>(
    `select r.forms -> ? as form, i.variables from regulation_instances i join regulations r on r.id = i.regulation_id
      where i.id = ?`,
    [task.formKey ? formIdOf(task.formKey) : '', task.instanceId],
  );
  return { schema: row?.form ?? null, variables: row?.variables ?? {} };
}

export interface TaskDetail {
  task: TaskView;
  /** the form-js schema to fill in, or null when the version stores none for the task's form key */
  form: FormSchema | null;
  /** the instance's values: the form shows them and its conditions read them */
  variables: Record<string, unknown>;
}

/** One task with its form, for whoever may work it. */
export async function readTask(em: EntityManager, viewer: Viewer, taskId: string): Promise<TaskDetail> {
  const [task] = await em.getConnection().execute<TaskView[]>(`${TASK_SELECT} where t.id = ?`, [taskId]);
  if (!task || !mayWork(task, await workerOf(em, viewer))) throw notFound('Task');
  const form = await formOf(em, task);
  return { task: taskView(task), form: form.schema, variables: form.variables };
}

export interface TrailEntry {
  at: string;
  kind: 'started' | 'taskOpened' | 'taskCompleted' | 'taskCancelled' | 'ended';
  nodeId: string | null;
  name: string | null;
  actorName: string | null;
  status: string | null;
}

export interface InstanceDiagram {
  name: string;
  version: number;
  /** the BPMN XML of the version the instance runs */
  xml: string;
  inputs: { name: string; type: string; required: boolean }[];
  outputs: { name: string; type: string; required: boolean }[];
  startedAt: string;
  dealId: string | null;
  /** who did what, when: the start, each task opened and done, the end */
  trail: TrailEntry[];
}

/** What the instance page draws beside the state: the diagram of its version, the declared fields, the audit trail. */
export async function readInstanceDiagram(em: EntityManager, viewer: Viewer, id: string): Promise<InstanceDiagram> {
  await readInstance(em, viewer, id);
  const conn = em.getConnection();
  const [row] = await conn.execute<
    {
      name: string;
      version: number;
      xml: string;
      inputs: InstanceDiagram['inputs'];
      outputs: InstanceDiagram['outputs'];
      startedAt: string;
      endedAt: string | null;
      status: string;
      dealId: string | null;
      starter: string | null;
    }[]
  >(
    `select r.name, r.version, r.xml, r.graph->'inputs' as inputs, r.graph->'outputs' as outputs,
       i.started_at as "startedAt", i.ended_at as "endedAt", i.status, i.deal_id as "dealId", u.name as starter
     from regulation_instances i join regulations r on r.id = i.regulation_id left join users u on u.id = i.started_by
     where i.id = ?`,
    [id],
  );
  const tasks = await conn.execute<
    {
      nodeId: string;
      name: string;
      status: string;
      createdAt: string;
      completedAt: string | null;
      completer: string | null;
    }[]
  >(
    `select t.node_id as "nodeId", t.name, t.status, t.created_at as "createdAt", t.completed_at as "completedAt",
       u.name as completer
     from regulation_tasks t left join users u on u.id = t.completed_by where t.instance_id = ? order by t.created_at, t.id`,
    [id],
  );
  const trail: TrailEntry[] = [
    { at: iso(row.startedAt)!, kind: 'started', nodeId: null, name: null, actorName: row.starter, status: null },
  ];
  for (const t of tasks) {
    trail.push({
      at: iso(t.createdAt)!,
      kind: 'taskOpened',
      nodeId: t.nodeId,
      name: t.name,
      actorName: null,
      status: null,
    });
    if (t.status !== 'open') {
      trail.push({
        at: iso(t.completedAt ?? t.createdAt)!,
        kind: t.status === 'completed' ? 'taskCompleted' : 'taskCancelled',
        nodeId: t.nodeId,
        name: t.name,
        actorName: t.completer,
        status: null,
      });
    }
  }
  if (row.endedAt) {
    trail.push({ at: iso(row.endedAt)!, kind: 'ended', nodeId: null, name: null, actorName: null, status: row.status });
  }
  trail.sort((a, b) => a.at.localeCompare(b.at));
  return {
    name: row.name,
    version: row.version,
    xml: row.xml,
    inputs: row.inputs ?? [],
    outputs: row.outputs ?? [],
    startedAt: iso(row.startedAt)!,
    dealId: row.dealId,
    trail,
  };
}
