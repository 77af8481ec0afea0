/**
 * A running regulation as its workflow holds it, and how each happening changes it: the interpreter's step
 * (bpmn/interpreter.ts) plus the timers its effects start and the services waiting to run. Pure and deterministic
 * (`now` comes from the workflow's clock): bundled into the workflow code.
 */
import type { CompiledGraph } from '../../bpmn/graph.ts';
import { step, type Effect, type Happening, type InstanceState } from '../../bpmn/interpreter.ts';

export interface RegulationState {
  id: string;
  version: number;
  regulationId: string;
  key: string;
  graph: CompiledGraph;
  interp: InstanceState;
  /** per timer token, when it fires (ISO) */
  timers: Record<string, string>;
  /** service tokens waiting to run, in order */
  services: string[];
  /** the deal the instance runs for: its inputs came from it, its outputs go back to it, its steps are on its timeline */
  dealId?: string | null;
  /** a called regulation: the instance and the call activity's token waiting for it */
  parent?: { instanceId: string; tokenId: string } | null;
  /** call activities: per token, the called instance (null until it is started) */
  calls?: Record<string, string | null>;
  /** called instances to cancel (their call was interrupted or the instance ended) */
  cancelCalls?: string[];
  /** work left once the instance has ended: outputs written back to the deal, the calling instance told */
  after?: ('writeBack' | 'tellParent')[];
  /** open tasks with a due time, per token, when they fall due (ISO); kept by runs begun with `regulation-task-due` */
  taskDue?: Record<string, string>;
  /** open tasks already told overdue (once each) */
  overdue?: string[];
  /** tasks that opened before the run kept due times: when they fall due is not known here, so they are not told */
  untracked?: string[];
  /** the write-back's retries after its incident: each is a command of its own to the deal */
  writeBackRetries?: number;
}

/** When an ISO 8601 duration (P1DT2H…) or date-time after `now` falls. */
export function dueAfter(now: number, timer: { duration?: string; date?: string }): number {
  if (timer.date) return Date.parse(timer.date);
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
    timer.duration ?? '',
  );
  if (!m) return now;
  const [, y, mo, w, d, h, mi, s] = m.map((x) => Number(x ?? 0));
  const days = y * 365 + mo * 30 + w * 7 + d;
  return now + ((days * 24 + h) * 60 + mi) * 60_000 + s * 1000;
}

export interface Advanced {
  state: RegulationState;
  effects: Effect[];
}

/** Applies one happening to the instance: the interpreter's step, then timers and services kept from its effects. */
export function advance(s: RegulationState, h: Happening, now: number): Advanced {
  const r = step(s.graph, s.interp, h);
  const timers = { ...s.timers };
  let services = [...s.services];
  const calls = { ...(s.calls ?? {}) };
  const cancelCalls = [...(s.cancelCalls ?? [])];
  const done = 'tokenId' in h ? h.tokenId : null;
  if (done) {
    delete timers[done];
    services = services.filter((t) => t !== done);
    delete calls[done];
  }
  for (const e of r.effects) {
    if (e.type === 'startTimer') timers[e.tokenId] = new Date(dueAfter(now, e.timer)).toISOString();
    if (e.type === 'cancel') {
      delete timers[e.tokenId];
      services = services.filter((t) => t !== e.tokenId);
      if (e.tokenId in calls) {
        const child = calls[e.tokenId];
        if (child) cancelCalls.push(child);
        delete calls[e.tokenId];
      }
    }
    if (e.type === 'runService') services.push(e.tokenId);
    if (e.type === 'callRegulation') calls[e.tokenId] = null;
  }
  const after = [...(s.after ?? [])];
  if (s.interp.status === 'running' && r.state.status !== 'running') {
    if (s.dealId && r.state.status === 'completed' && s.graph.outputs.some((o) => o.dealField)) after.push('writeBack');
    if (s.parent) after.push('tellParent');
  }
  return {
    state: { ...s, interp: r.state, timers, services, calls, cancelCalls, after },
    effects: r.effects,
  };
}

/**
 * The next moment the workflow has work of its own: a service or a call to start now, a called instance to cancel,
 * what is left once it ended, else the earliest timer; null when none.
 */
export function nextWork(s: RegulationState, now: number): number | null {
  if (s.cancelCalls?.length || s.after?.length) return now;
  if (s.interp.status !== 'running') return null;
  if (s.services.length) return now;
  if (Object.values(s.calls ?? {}).some((c) => c === null)) return now;
  const times = Object.values(s.timers).map((t) => Date.parse(t));
  return times.length ? Math.min(...times) : null;
}

/** When a task with this `due` (an ISO 8601 duration from when it opens, or a date) falls due. */
export function taskDueAt(now: number, due: string): number {
  return due.startsWith('P') ? dueAfter(now, { duration: due }) : dueAfter(now, { date: due });
}

/**
 * Keeps the due times of the open tasks: a task that opened gets its due time (from `now`), one done or cancelled is
 * forgotten, as is its overdue mark.
 */
export function trackTaskDue(s: RegulationState, now: number): RegulationState {
  const open = openTasksWithDue(s);
  const ids = new Set(open.map((t) => t.id));
  const overdue = (s.overdue ?? []).filter((id) => ids.has(id));
  const untracked = (s.untracked ?? []).filter((id) => ids.has(id));
  const taskDue: Record<string, string> = {};
  for (const t of open) {
    if (overdue.includes(t.id) || untracked.includes(t.id)) continue;
    taskDue[t.id] = s.taskDue?.[t.id] ?? new Date(taskDueAt(now, s.graph.nodes[t.node].due!)).toISOString();
  }
  const { untracked: _told, ...rest } = s;
  return { ...rest, taskDue, overdue, ...(untracked.length ? { untracked } : {}) };
}

const openTasksWithDue = (s: RegulationState) =>
  s.interp.tokens.filter((t) => {
    const node = s.graph.nodes[t.node];
    return TASK_KINDS.includes(node?.kind) && node.due;
  });

/**
 * The state a run takes up: one continued from a run that kept no due times (begun before `regulation-task-due`)
 * leaves its tasks already open untold, as when they opened is not known here; the tasks it opens from now on are
 * kept. A new instance, or a run that kept them, is kept as it is.
 */
export function takeUpTaskDue(s: RegulationState, continued: boolean, now: number): RegulationState {
  if (continued && s.taskDue === undefined) {
    const untracked = openTasksWithDue(s).map((t) => t.id);
    return trackTaskDue(untracked.length ? { ...s, untracked } : s, now);
  }
  return trackTaskDue(s, now);
}

/** When the next open task falls due, or null. */
export function nextTaskDue(s: RegulationState): number | null {
  if (s.interp.status !== 'running') return null;
  const times = Object.values(s.taskDue ?? {}).map((t) => Date.parse(t));
  return times.length ? Math.min(...times) : null;
}

/** The open tasks due by `now` and not told yet; the state after they are marked overdue. */
export function markOverdue(s: RegulationState, now: number): { state: RegulationState; tokens: string[] } {
  const tokens = Object.entries(s.taskDue ?? {})
    .filter(([, at]) => Date.parse(at) <= now)
    .map(([id]) => id)
    .sort();
  if (!tokens.length) return { state: s, tokens };
  const taskDue = { ...s.taskDue };
  for (const id of tokens) delete taskDue[id];
  return { state: { ...s, taskDue, overdue: [...(s.overdue ?? []), ...tokens] }, tokens };
}

/** The nodes a person completes through the task API: user tasks, and receive tasks (a department's reply). */
export const TASK_KINDS: readonly string[] = ['userTask', 'receiveTask'];

/** The user or receive task a token waits at, or null. */
export const openTask = (s: RegulationState, tokenId: string) => {
  const t = s.interp.tokens.find((x) => x.id === tokenId);
  return t && TASK_KINDS.includes(s.graph.nodes[t.node]?.kind) ? t : null;
};

/** The values a called regulation hands back: its declared outputs, or all its values when it declares none. */
export function callOutputs(s: RegulationState): Record<string, unknown> {
  const v = s.interp.variables;
  if (!s.graph.outputs.length) {
    const { deal: _deal, ...rest } = v;
    return rest;
  }
  return Object.fromEntries(s.graph.outputs.filter((o) => o.name in v).map((o) => [o.name, v[o.name]]));
}

/** The incident of an ended instance whose outputs its deal refused for good (an archived deal, a value it rejects). */
export const WRITE_BACK_INCIDENT = 'write-back';

/**
 * The deal refused the outputs for good: the write-back is parked as an incident of the instance, marked on the end
 * event it reached, for the process owner to retry (once the deal takes them, values corrected first) or skip.
 */
export function writeBackRefused(s: RegulationState, message: string): RegulationState {
  const end = [...s.interp.completed].reverse().find((n) => /end$/i.test(s.graph.nodes[n]?.kind ?? ''));
  const incident = { tokenId: WRITE_BACK_INCIDENT, node: end ?? s.graph.processId, message };
  return {
    ...s,
    after: (s.after ?? []).filter((a) => a !== 'writeBack'),
    interp: {
      ...s.interp,
      incidents: [...s.interp.incidents.filter((i) => i.tokenId !== WRITE_BACK_INCIDENT), incident],
    },
  };
}

/** The write-back's incident resolved: retried (with the values given set first) or skipped. */
export function resolveWriteBack(
  s: RegulationState,
  action: 'retry' | 'skip',
  variables?: Record<string, unknown>,
): RegulationState {
  const incidents = s.interp.incidents.filter((i) => i.tokenId !== WRITE_BACK_INCIDENT);
  if (action === 'skip') return { ...s, interp: { ...s.interp, incidents } };
  return {
    ...s,
    interp: { ...s.interp, incidents, variables: { ...s.interp.variables, ...(variables ?? {}) } },
    after: ['writeBack', ...(s.after ?? []).filter((a) => a !== 'writeBack')],
    writeBackRetries: (s.writeBackRetries ?? 0) + 1,
  };
}
