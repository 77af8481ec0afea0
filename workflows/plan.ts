import { continueAsNew, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.ts';
import type { PlanState, Refusal } from '../modules/plans/model.ts';
import { PLAN_CODES } from '../modules/plans/contract.ts';
import {
  applyDecisions,
  applyFinalise,
  applySave,
  applySubmit,
  decideRefusal,
  finaliseRefusal,
  lineDiff,
  nextReminder,
  saveRefusal,
  submitRefusal,
} from '../modules/plans/rules.ts';
import { Entity, KIT_FINAL_FAILURES, fail, localWriteOptions, writeActivityOptions } from './kit/entity.ts';
import {
  createPlan,
  decideLines,
  finalisePlan,
  planState,
  resyncPlan,
  savePlan,
  submitPlan,
  type PlanResult,
  type PlanWorkflowInput,
} from './plan-contract.ts';

const FINAL_FAILURES = [...KIT_FINAL_FAILURES];
/** how long a run with nothing due sleeps before it looks again */
const IDLE_MS = 30 * 86_400_000;

const activities = proxyActivities<ReturnType<typeof createActivities>>(writeActivityOptions(FINAL_FAILURES));
const { loadPlanState, abandonOp } = activities;
const writes = proxyLocalActivities<ReturnType<typeof createActivities>>(localWriteOptions(FINAL_FAILURES));
/** deadline reminders: delivered once each (keyed notifications), retried for as long as it takes */
const { remindPlan } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** the state under the company setting the command was made with */
const under = (s: PlanState, cmd: { confirmation?: boolean }): PlanState =>
  cmd.confirmation === undefined || cmd.confirmation === s.confirmation ? s : { ...s, confirmation: cmd.confirmation };
/** the state with the leads of the org tree as it stood when the command was made */
const ledBy = (s: PlanState, cmd: { leadIds?: string[] }): PlanState =>
  cmd.leadIds === undefined ? s : { ...s, leadIds: cmd.leadIds };

const refuse = (r: Refusal | null) => {
  if (r) fail(r.code, r.message, r.details);
};

/**
 * A manager's revenue plan for a period (`plan-<manager>-<period>`): saves, the submission, the lead's decisions line
 * by line and the finalisation are Updates checked against the plan's state (a refused one leaves no history); the
 * deadlines to submit and to review are durable timers (workflows/kit/entity.ts `live` with timers). The run lives on
 * like a deal's, continuing as new after its Update budget.
 */
export async function planWorkflow(input: PlanWorkflowInput): Promise<void> {
  const plan = new Entity<PlanState, PlanResult>(
    {
      state: input.plan,
      created: input.created,
      handledTotal: input.handledTotal,
      updatesPerRun: input.updatesPerRun,
      createWindow: input.createWindow,
      codes: PLAN_CODES,
      finalFailures: FINAL_FAILURES,
      load: () => loadPlanState({ planId: input.plan.id }),
      abandon: (opId) => abandonOp({ opId }),
    },
    (p) => ({ version: p.version, plan: p }),
  );

  setHandler(planState, () => ({ plan: plan.state, created: plan.created, handledTotal: plan.handledTotal }));

  plan.onCreate(createPlan, {
    check: () => undefined,
    write: (cmd) => writes.persistPlanCreated(cmd),
  });
  plan.onResync(resyncPlan);
  plan.onChange(savePlan, {
    check: (s, cmd) =>
      refuse(
        saveRefusal(
          s,
          lineDiff(
            s,
            cmd.lines.map((l) => l.id),
            cmd.changed,
          ),
        ),
      ),
    apply: (s, cmd) =>
      applySave(
        under(s, cmd),
        cmd.lines,
        lineDiff(
          s,
          cmd.lines.map((l) => l.id),
          cmd.changed,
        ),
      ),
    write: (cmd, fromVersion, before, next) =>
      writes.persistPlanSaved({
        opId: cmd.opId,
        actorId: cmd.actorId,
        fromVersion,
        next,
        lines: cmd.lines,
        reopened: before.revision !== next.revision,
      }),
  });
  plan.onChange(submitPlan, {
    check: (s, cmd) => refuse(submitRefusal(under(s, cmd))),
    apply: (s, cmd) => applySubmit(under(s, cmd)),
    write: (cmd, fromVersion, _before, next) =>
      writes.persistPlanSubmitted({ opId: cmd.opId, actorId: cmd.actorId, fromVersion, next, note: cmd.note }),
  });
  plan.onChange(decideLines, {
    check: (s, cmd) => refuse(decideRefusal(ledBy(s, cmd), cmd.actorId, cmd.decisions)),
    apply: (s, cmd) => applyDecisions(ledBy(s, cmd), cmd.decisions),
    write: (cmd, fromVersion, _before, next) =>
      writes.persistPlanDecisions({
        opId: cmd.opId,
        actorId: cmd.actorId,
        fromVersion,
        next,
        decisions: cmd.decisions,
      }),
  });
  plan.onChange(finalisePlan, {
    check: (s, cmd) => refuse(finaliseRefusal(ledBy(s, cmd), cmd.actorId)),
    apply: (s, cmd) => applyFinalise(ledBy(s, cmd)),
    write: (cmd, fromVersion, _before, next) =>
      writes.persistPlanFinalised({ opId: cmd.opId, actorId: cmd.actorId, fromVersion, next }),
  });

  await plan.live(
    ({ state, created, handledTotal }) =>
      continueAsNew<typeof planWorkflow>({ plan: state, created, handledTotal, updatesPerRun: input.updatesPerRun }),
    {
      // with no reminder due the run stays (a check every IDLE), like a deal's: a refused command then finds it
      // running and leaves no history, where a run that ended would be started anew from the row
      nextAt: (s) => nextReminder(s)?.at ?? Date.now() + IDLE_MS,
      fire: (s, now) => {
        const due = nextReminder(s);
        return due && due.at <= now ? remindPlan({ state: s, kind: due.kind }) : Promise.resolve(s);
      },
    },
  );
}
