import { continueAsNew, patched, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.ts';
import type { EventState } from '../modules/calendar/model.ts';
import { EVENT_CODES, EventFailure } from '../modules/calendar/contract.ts';
import {
  applyCancel,
  applyEdit,
  applyResult,
  cancelRefusal,
  editRefusal,
  resultRefusal,
  type Refusal,
} from '../modules/calendar/changes.ts';
import { eventProblems } from '../modules/calendar/rules.ts';
import { HAND_OVER_AHEAD_MS, dueAt, nextDueAt } from '../modules/calendar/schedule.ts';
import { Entity, KIT_FINAL_FAILURES, fail, localWriteOptions, writeActivityOptions } from './kit/entity.ts';
import {
  cancelEvent,
  createEvent,
  editEvent,
  eventState,
  recordResult,
  resyncEvent,
  type EventResult,
  type EventWorkflowInput,
} from './event-contract.ts';

const FINAL_FAILURES = [...KIT_FINAL_FAILURES, EventFailure.resultNotDue];

const activities = proxyActivities<ReturnType<typeof createActivities>>(writeActivityOptions(FINAL_FAILURES));
const { loadEventState, abandonOp } = activities;
const writes = proxyLocalActivities<ReturnType<typeof createActivities>>(localWriteOptions(FINAL_FAILURES));
/**
 * Reminders and asks: a local activity, run in the workflow task the timer woke (one round trip to the server fewer
 * per reminder). Safe to run again — a task lost after the step committed re-runs it and finds each notification's
 * key taken — and retried for as long as it takes.
 */
const { runEventStep } = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const refuse = (r: Refusal | null) => {
  if (r) fail(r.code, r.message, r.details);
};

/**
 * A calendar event (`event-<id>`): edits, cancellations and results are Updates checked against the event's state;
 * the asks for its result are durable timers (workflows/kit/entity.ts `live` with timers), and so is handing its
 * reminders over to the dispatcher hours before they are due (workflows/dispatch.ts delivers them at their minute).
 * The run ends when nothing more is due (a past single event once answered); a later command starts it from its row.
 */
export async function eventWorkflow(input: EventWorkflowInput): Promise<void> {
  // runs begun before the hand-over deliver each reminder from the workflow, at its time
  const ahead = patched('reminders-handed-over') ? HAND_OVER_AHEAD_MS : 0;
  const ev = new Entity<EventState, EventResult>(
    {
      state: input.event,
      created: input.created,
      handledTotal: input.handledTotal,
      updatesPerRun: input.updatesPerRun,
      createWindow: input.createWindow,
      codes: EVENT_CODES,
      finalFailures: FINAL_FAILURES,
      load: () => loadEventState({ eventId: input.event.id }),
      abandon: (opId) => abandonOp({ opId }),
    },
    (event) => ({ version: event.version, event }),
  );

  setHandler(eventState, () => ({ event: ev.state, created: ev.created, handledTotal: ev.handledTotal }));

  ev.onCreate(createEvent, {
    check: (cmd) => {
      const errors = eventProblems(cmd.event);
      if (errors.length) fail(EventFailure.invalid, errors[0].message, { errors });
    },
    write: (cmd) => writes.persistEventCreated({ opId: cmd.opId, actorId: cmd.actorId, event: cmd.event }),
  });
  ev.onResync(resyncEvent);
  ev.onChange(editEvent, {
    check: (s, cmd) => refuse(editRefusal(s, cmd.changes)),
    apply: (s, cmd) => applyEdit(s, cmd.changes, cmd.at),
    write: (cmd, fromVersion, _before, next) =>
      writes.persistEventChange({ opId: cmd.opId, actorId: cmd.actorId, fromVersion, next, kind: 'updated' }),
  });
  ev.onChange(cancelEvent, {
    check: (s, cmd) => refuse(cancelRefusal(s, cmd.occurrence)),
    apply: (s, cmd) => applyCancel(s, cmd.occurrence),
    write: (cmd, fromVersion, _before, next) =>
      writes.persistEventChange({
        opId: cmd.opId,
        actorId: cmd.actorId,
        fromVersion,
        next,
        kind: 'cancelled',
        occurrence: cmd.occurrence ?? null,
      }),
  });
  ev.onChange(recordResult, {
    check: (s, cmd) => refuse(resultRefusal(s, { ...cmd, hasNextStep: cmd.report.nextEventId !== null })),
    apply: (s, cmd) => applyResult(s, cmd.occurrence),
    write: (cmd, fromVersion, before, next) =>
      writes.persistEventResult({
        opId: cmd.opId,
        actorId: cmd.actorId,
        fromVersion,
        next,
        occurrence: cmd.occurrence,
        outcome: cmd.outcome,
        report: cmd.report,
        kind: before.kind,
      }),
  });

  await ev.live(
    ({ state, created, handledTotal }) =>
      continueAsNew<typeof eventWorkflow>({ event: state, created, handledTotal, updatesPerRun: input.updatesPerRun }),
    {
      nextAt: (state) => nextDueAt(state, ahead),
      fire: (state, now) => runEventStep({ state, now: new Date(now).toISOString(), work: dueAt(state, now, ahead) }),
    },
  );
}
