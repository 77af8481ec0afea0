import {
  ActivityFailure,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  uuid4,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.ts';
import { InterpreterError, type Happening } from '../bpmn/interpreter.ts';
import {
  WRITE_BACK_INCIDENT,
  advance,
  markOverdue,
  nextTaskDue,
  nextWork,
  openTask,
  resolveWriteBack,
  takeUpTaskDue,
  trackTaskDue,
  writeBackRefused,
  type RegulationState,
} from '../modules/regulations/instance.ts';
import { Entity, KIT_FINAL_FAILURES, fail, localWriteOptions, writeActivityOptions } from './kit/entity.ts';
import {
  REGULATION_CODES,
  callFinished,
  cancelRegulation,
  completeTask,
  regulationState,
  resolveIncident,
  resyncRegulation,
  startRegulation,
  type RegulationResult,
  type RegulationWorkflowInput,
} from './regulation-contract.ts';

const activities = proxyActivities<ReturnType<typeof createActivities>>(writeActivityOptions(KIT_FINAL_FAILURES));
const { loadRegulationState, abandonOp } = activities;
const writes = proxyLocalActivities<ReturnType<typeof createActivities>>(localWriteOptions(KIT_FINAL_FAILURES));
/** an allow-listed service: retried a few times, then its token is parked as an incident */
const { runRegulationService, startCalledRegulation } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '1 second', nonRetryableErrorTypes: ['SERVICE_FAILED'] },
});
/** what is left once an instance ended, and cancelling a called one: retried until it is done */
const { cancelCalledRegulation, tellCallingRegulation, writeOutputsToDeal } = proxyActivities<
  ReturnType<typeof createActivities>
>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const failure = (err: unknown) =>
  // the incident says what the service said, not the wrapper's "Activity task failed"
  err instanceof ActivityFailure && err.cause ? err.cause.message : (err as Error).message;

/**
 * Runs begun with this patch keep the due times of their open tasks and tell each task overdue once (a deal's run on
 * the deal's timeline, whence the feed posts it); runs begun before it go on without.
 */
export const TASK_DUE_PATCH = 'regulation-task-due';

/**
 * The interpreter's step as a workflow rule: a happening it cannot apply is refused, nothing changes. `due`: the open
 * tasks' due times are kept (TASK_DUE_PATCH).
 */
function stepped(s: RegulationState, h: Happening, now: number, due: boolean): RegulationState {
  try {
    const next = advance(s, h, now).state;
    return due ? trackTaskDue(next, now) : next;
  } catch (err) {
    if (err instanceof InterpreterError) return fail('INSTANCE_STEP_REFUSED', err.message);
    throw err;
  }
}

/**
 * One running regulation (`regulation-<instanceId>`), built on the kit: tasks completed and incidents resolved are
 * Updates checked against the instance's tokens; its timers (timer events, SLA boundaries) and its services run as the
 * kit's time-driven work; each change is one write that mirrors the state into Postgres (the instance row and the task
 * inbox). The compiled graph travels in the state, so the instance keeps the version it started with.
 */
export async function regulationWorkflow(input: RegulationWorkflowInput): Promise<void> {
  const due = patched(TASK_DUE_PATCH);
  const persist = (
    opId: string,
    actorId: string | null,
    fromVersion: number,
    before: RegulationState,
    next: RegulationState,
    completedToken: string | null,
  ) => writes.persistRegulation({ opId, actorId, fromVersion, before, next, completedToken });

  const ri = new Entity<RegulationState, RegulationResult>(
    {
      // a run continued from one begun before TASK_DUE_PATCH keeps the due times of the tasks it opens from now on
      state: due ? takeUpTaskDue(input.instance, input.created, Date.now()) : input.instance,
      created: input.created,
      handledTotal: input.handledTotal,
      updatesPerRun: input.updatesPerRun,
      createWindow: input.createWindow,
      codes: REGULATION_CODES,
      finalFailures: KIT_FINAL_FAILURES,
      load: () => loadRegulationState({ instanceId: input.instance.id }),
      abandon: (opId) => abandonOp({ opId }),
    },
    (instance) => ({ version: instance.version, instance }),
  );
  setHandler(regulationState, () => ({ instance: ri.state }));

  ri.onCreate(startRegulation, {
    check: (cmd) => {
      stepped(cmd.instance, { type: 'start', variables: cmd.variables }, Date.now(), due);
    },
    write: async (cmd) => {
      const next = stepped(cmd.instance, { type: 'start', variables: cmd.variables }, Date.now(), due);
      const w = await writes.persistRegulation({
        opId: cmd.opId,
        actorId: cmd.actorId,
        fromVersion: 0,
        before: cmd.instance,
        next,
        completedToken: null,
        dealId: cmd.dealId,
      });
      return { ...next, version: w.version };
    },
  });
  ri.onResync(resyncRegulation);
  ri.onChange(completeTask, {
    check: (s, cmd) => {
      if (!openTask(s, cmd.tokenId)) fail('TASK_NOT_OPEN', 'This task is done or was cancelled');
    },
    apply: (s, cmd) =>
      stepped(s, { type: 'complete', tokenId: cmd.tokenId, variables: cmd.variables }, Date.now(), due),
    write: (cmd, fromVersion, before, next) => persist(cmd.opId, cmd.actorId, fromVersion, before, next, cmd.tokenId),
  });
  ri.onChange(resolveIncident, {
    check: (s, cmd) => {
      if (!s.interp.incidents.some((i) => i.tokenId === cmd.tokenId)) fail('INCIDENT_NOT_FOUND', 'No such incident');
    },
    apply: (s, cmd) => {
      // the outputs its deal refused, parked once the instance ended (no token of the interpreter's)
      if (cmd.tokenId === WRITE_BACK_INCIDENT) return resolveWriteBack(s, cmd.action, cmd.variables);
      const next = stepped(
        s,
        { type: 'resolve', tokenId: cmd.tokenId, action: cmd.action, variables: cmd.variables },
        Date.now(),
        due,
      );
      return next;
    },
    write: (cmd, fromVersion, before, next) => persist(cmd.opId, cmd.actorId, fromVersion, before, next, null),
  });

  ri.onChange(callFinished, {
    check: (s, cmd) => {
      const t = s.interp.tokens.find((x) => x.id === cmd.tokenId);
      if (s.interp.status !== 'running' || !t || s.graph.nodes[t.node]?.kind !== 'callActivity') {
        fail('CALL_NOT_WAITING', 'No call waits for this regulation');
      }
    },
    apply: (s, cmd) => {
      const calls = { ...(s.calls ?? {}), [cmd.tokenId]: cmd.childId };
      const at = { ...s, calls };
      return cmd.status === 'failed'
        ? stepped(at, { type: 'throwError', tokenId: cmd.tokenId, code: cmd.error ?? 'error' }, Date.now(), due)
        : stepped(at, { type: 'complete', tokenId: cmd.tokenId, variables: cmd.variables }, Date.now(), due);
    },
    write: (cmd, fromVersion, before, next) => persist(cmd.opId, cmd.actorId, fromVersion, before, next, null),
  });
  ri.onChange(cancelRegulation, {
    check: (s) => {
      if (s.interp.status !== 'running') fail('INSTANCE_NOT_RUNNING', 'The instance has ended');
    },
    apply: (s) => stepped(s, { type: 'terminate' }, Date.now(), due),
    write: (cmd, fromVersion, before, next) => persist(cmd.opId, cmd.actorId, fromVersion, before, next, null),
  });

  await ri.live(
    ({ state, created, handledTotal }) =>
      continueAsNew<typeof regulationWorkflow>({
        instance: state,
        created,
        handledTotal,
        updatesPerRun: input.updatesPerRun,
      }),
    {
      nextAt: (s) => {
        const at = nextWork(s, Date.now());
        const task = due ? nextTaskDue(s) : null;
        return at === null ? task : task === null ? at : Math.min(at, task);
      },
      fire: async (s, now) => {
        const next = await work(s, now, due);
        if (next === s) return s;
        const w = await persist(uuid4(), null, s.version, s, next, null);
        return { ...next, version: w.version };
      },
    },
  );
}

/**
 * The workflow's own work, one piece per firing, in this order: cancel a called instance whose call ended, what is
 * left once the instance ended (outputs to the deal, telling the calling instance), a service to run, a call to
 * start, else the earliest timer — a timer on a service's token looks again (a wait for a deal's stage).
 */
async function work(s: RegulationState, now: number, due: boolean): Promise<RegulationState> {
  if (s.cancelCalls?.length) {
    const [childId, ...rest] = s.cancelCalls;
    await cancelCalledRegulation({ childId });
    return { ...s, cancelCalls: rest };
  }
  if (s.after?.length) {
    const [what, ...rest] = s.after;
    if (what === 'writeBack') {
      const written = await writeOutputsToDeal({ instanceId: s.id });
      // a deal refusing the outputs for good (archived, a value it rejects) is an incident, not dropped
      if (written && 'refused' in written && patched('write-back-incident')) {
        return writeBackRefused({ ...s, after: rest }, written.refused);
      }
    } else await tellCallingRegulation({ instanceId: s.id });
    return { ...s, after: rest };
  }
  if (s.interp.status !== 'running') return s;
  if (due) {
    // a task past its due time: told once (the write puts it on the deal's timeline)
    const late = markOverdue(s, now);
    if (late.tokens.length) return late.state;
  }
  if (s.services.length) {
    const tokenId = s.services[0];
    const token = s.interp.tokens.find((t) => t.id === tokenId);
    const node = token ? s.graph.nodes[token.node] : undefined;
    const outcome = node
      ? await runRegulationService({
          instanceId: s.id,
          tokenId,
          node: node.id,
          serviceType: node.serviceType ?? 'notify',
          params: node.params,
          variables: s.interp.variables,
          now,
        }).catch((err: unknown) => ({ error: failure(err) }))
      : { error: 'the token is gone' };
    if ('recheckAt' in outcome) {
      // not yet (a deal's stage): the token waits on a timer and runs again then
      return { ...s, services: s.services.slice(1), timers: { ...s.timers, [tokenId]: outcome.recheckAt } };
    }
    if ('error' in outcome) {
      const next = stepped(s, { type: 'failed', tokenId, message: outcome.error }, now, due);
      // a parked service waits for its incident to be resolved, not in the queue
      return { ...next, services: next.services.filter((t) => t !== tokenId) };
    }
    return stepped(s, { type: 'complete', tokenId, variables: outcome.variables }, now, due);
  }
  const call = Object.entries(s.calls ?? {}).find(([, child]) => child === null);
  if (call) {
    const [tokenId] = call;
    const token = s.interp.tokens.find((t) => t.id === tokenId)!;
    const node = s.graph.nodes[token.node];
    const started = await startCalledRegulation({
      instanceId: s.id,
      tokenId,
      calledElement: node.calledElement ?? '',
      calledVersion: node.calledVersion ?? 'latest',
      params: node.params,
      variables: s.interp.variables,
    }).catch((err: unknown) => ({ error: failure(err) }));
    if ('error' in started) {
      const next = stepped(s, { type: 'failed', tokenId, message: started.error }, now, due);
      const calls = { ...(next.calls ?? {}) };
      delete calls[tokenId];
      return { ...next, calls };
    }
    return { ...s, calls: { ...s.calls, [tokenId]: started.childId } };
  }
  const [tokenId] = Object.entries(s.timers).sort((a, b) => a[1].localeCompare(b[1]))[0];
  const token = s.interp.tokens.find((t) => t.id === tokenId);
  const kind = token ? s.graph.nodes[token.node]?.kind : undefined;
  if (kind === 'serviceTask' || kind === 'sendTask') {
    const timers = { ...s.timers };
    delete timers[tokenId];
    return { ...s, timers, services: [...s.services, tokenId] };
  }
  return stepped(s, { type: 'timerFired', tokenId }, now, due);
}
