import {
  ActivityFailure, ApplicationFailure, allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { createActivities } from '../activities/index.ts';
import {
  applyChanges, hasMissing, lostRequirements, missingRequirements, withDocument, withoutDocument,
  type DealChanges, type DealState, type StageGate,
} from '../modules/deals/gate.ts';
import {
  DealFailure, attachToDeal, createDeal, dealState, detachFromDeal, editDeal, moveDealStage, resyncDeal,
  type DealResult, type DealWorkflowInput,
} from './deal-contract.ts';

/** Failures of the write that retrying cannot mend; the Update fails with them as they are. */
const FINAL_FAILURES: string[] = [
  DealFailure.versionConflict, DealFailure.gateChanged, DealFailure.invalidData, DealFailure.attachmentNotFound, DealFailure.abandoned,
];

const { persistDealCreated, persistDealChange, loadDealState, abandonOp } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '5 seconds',
  // all attempts together stay inside the API's 10 s command deadline, so a deal is never busy for long
  scheduleToCloseTimeout: '8 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '2 seconds', nonRetryableErrorTypes: FINAL_FAILURES },
});

/** Handled Updates after which a run continues as new, well below Temporal's 2,000-Update and history limits. */
export const UPDATES_PER_RUN = 500;

/** How long a workflow started for a new deal waits for the create Update before it ends itself. */
const CREATE_WINDOW: Duration = '2 minutes';

const fail = (type: string, message: string, details?: unknown): never => {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? [] : [details] });
};

/**
 * The lifecycle of one deal (`deal-<id>`). Every change to a deal is an Update here, so the stage gate
 * is checked in one place for every path (UI, API, imports, automation) against the deal's current data.
 */
export async function dealWorkflow(input: DealWorkflowInput): Promise<void> {
  let deal: DealState = input.deal;
  let created = input.created;
  let handledThisRun = 0;
  const handledBefore = input.handledTotal ?? 0;
  /** one change is written at a time: a second command arriving meanwhile is refused, never interleaved */
  let busy = false;

  const checkCommon = (cmd: { expectedVersion?: number; storedVersion?: number }) => {
    if (!created) fail(DealFailure.notCreated, 'Deal does not exist');
    if (busy) fail(DealFailure.busy, 'Another change to this deal is in progress; try again');
    if (cmd.storedVersion !== undefined && cmd.storedVersion !== deal.version) {
      fail(DealFailure.stale, `This workflow holds version ${deal.version} of a deal stored at ${cmd.storedVersion}`,
        { currentVersion: deal.version });
    }
    if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== deal.version) {
      fail(DealFailure.versionConflict, `Deal changed meanwhile (version ${deal.version}, expected ${cmd.expectedVersion})`,
        { currentVersion: deal.version });
    }
  };

  const checkGate = (state: DealState, gate: StageGate) => {
    if (gate.pipelineId !== state.pipelineId) fail(DealFailure.stageNotInPipeline, 'Stage belongs to another pipeline');
    const missing = missingRequirements(state, gate);
    if (hasMissing(missing)) {
      fail(DealFailure.requirementsUnmet, `Stage "${gate.name}" requires more information`, { stageId: gate.stageId, missing });
    }
  };

  /** An edit or detachment may not take away what the deal's current stage requires. */
  const checkKeeps = (next: DealState, gate: StageGate) => {
    if (gate.stageId !== deal.stageId) fail(DealFailure.versionConflict, 'The deal moved to another stage meanwhile');
    const lost = lostRequirements(deal, next, gate);
    if (hasMissing(lost)) {
      fail(DealFailure.requirementsUnmet, `Stage "${gate.name}" requires this information`, { stageId: gate.stageId, missing: lost });
    }
  };

  /**
   * A write that failed for good fails the Update with its own type. When the row has moved on from the version
   * this workflow holds, the workflow adopts what Postgres has before failing. A write that failed otherwise
   * (Postgres unreachable, timed out) is given up by its opId, so that no late attempt can commit after the
   * failure is reported; if one committed first after all, the change stands and the Update succeeds.
   */
  const failedWrite = async (err: unknown, opId: string): Promise<DealState> => {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (cause instanceof ApplicationFailure && cause.type && FINAL_FAILURES.includes(cause.type)) {
      if (cause.type === DealFailure.versionConflict) {
        const stored = await loadDealState({ dealId: deal.id });
        if (stored) deal = stored;
      }
      return fail(cause.type, cause.message, { currentVersion: deal.version });
    }
    let outcome: 'applied' | 'abandoned';
    try {
      outcome = await abandonOp({ opId });
    } catch {
      return fail(DealFailure.outcomeUnknown,
        'The change could not be confirmed: it may or may not have been applied. Reload the deal before trying again');
    }
    if (outcome === 'abandoned') {
      return fail(DealFailure.abandoned, 'The change could not be written; nothing was changed, try again shortly');
    }
    const stored = await loadDealState({ dealId: deal.id });
    if (!stored) return fail(DealFailure.outcomeUnknown, 'The change was written but the deal could not be read back; reload it');
    return stored;
  };

  /** Runs one accepted change: write it through the activity, then adopt the new state. */
  const run = async (opId: string, next: DealState, write: (fromVersion: number) => Promise<{ version: number }>): Promise<DealResult> => {
    busy = true;
    try {
      const written = await write(deal.version).then(
        ({ version }) => ({ ...next, version }),
        (err) => failedWrite(err, opId),
      );
      deal = written;
      return { version: deal.version, stageId: deal.stageId };
    } finally {
      busy = false;
      handledThisRun++;
    }
  };

  setHandler(dealState, () => ({ deal, created, handledTotal: handledBefore + handledThisRun }));

  /** the opId of the create being written; a retry of the create (same deal id) waits for it instead of being refused */
  let creating: string | null = null;
  const createdResult = () => ({ version: deal.version, stageId: deal.stageId });

  setHandler(createDeal, async (cmd) => {
    if (created) return createdResult();
    if (creating) {
      await condition(() => creating === null);
      if (created) return createdResult();
      return fail(DealFailure.notCreated, 'The deal could not be created; try again');
    }
    creating = cmd.opId;
    busy = true;
    try {
      // what Postgres holds: a retry whose earlier attempt did write gets that deal, not its own body
      deal = await persistDealCreated({ opId: cmd.opId, actorId: cmd.actorId, deal: cmd.deal, gateFingerprint: cmd.gate.fingerprint })
        .catch((err) => failedWrite(err, cmd.opId));
      created = true;
      return createdResult();
    } finally {
      creating = null;
      busy = false;
      handledThisRun++;
    }
  }, {
    validator: (cmd) => {
      if (created || creating) return;
      checkGate(cmd.deal, cmd.gate);
    },
  });

  setHandler(resyncDeal, async () => {
    busy = true;
    try {
      const stored = await loadDealState({ dealId: deal.id });
      if (stored) { deal = stored; created = true; }
      return { version: deal.version, stageId: deal.stageId };
    } finally {
      busy = false;
      handledThisRun++;
    }
  }, { validator: () => { if (busy) fail(DealFailure.busy, 'Another change to this deal is in progress; try again'); } });

  const changeSummary = (changes: DealChanges) => ({ changes });

  setHandler(editDeal, (cmd) => run(cmd.opId, applyChanges(deal, cmd.changes), (fromVersion) =>
    persistDealChange({
      opId: cmd.opId, actorId: cmd.actorId, dealId: deal.id, fromVersion, kind: 'updated',
      changes: cmd.changes, data: changeSummary(cmd.changes),
    })), {
    validator: (cmd) => {
      checkCommon(cmd);
      checkKeeps(applyChanges(deal, cmd.changes), cmd.currentGate);
    },
  });

  setHandler(moveDealStage, (cmd) => {
    const next = { ...applyChanges(deal, cmd.changes), stageId: cmd.gate.stageId,
      lostReason: cmd.gate.kind === 'lost' ? cmd.lostReason!.trim() : null };
    const fromStageId = deal.stageId;
    return run(cmd.opId, next, (fromVersion) => persistDealChange({
      opId: cmd.opId, actorId: cmd.actorId, dealId: deal.id, fromVersion, kind: 'stage_changed',
      changes: cmd.changes ?? {},
      stage: { from: fromStageId, to: cmd.gate.stageId, kind: cmd.gate.kind, lostReason: next.lostReason, gateFingerprint: cmd.gate.fingerprint },
      data: { ...changeSummary(cmd.changes ?? {}), lostReason: next.lostReason },
    }));
  }, {
    validator: (cmd) => {
      checkCommon(cmd);
      if (cmd.gate.stageId === deal.stageId) fail(DealFailure.stageUnchanged, 'The deal is already in this stage');
      if (cmd.gate.kind === 'lost' && !(cmd.lostReason && cmd.lostReason.trim())) {
        fail(DealFailure.lostReasonRequired, 'A lost deal needs a reason');
      }
      checkGate(applyChanges(deal, cmd.changes), cmd.gate);
    },
  });

  setHandler(attachToDeal, (cmd) => run(cmd.opId, withDocument(deal, cmd.attachment.documentKindId), (fromVersion) => persistDealChange({
    opId: cmd.opId, actorId: cmd.actorId, dealId: deal.id, fromVersion, kind: 'attached', attach: cmd.attachment,
    data: { attachmentId: cmd.attachment.id, fileName: cmd.attachment.fileName, documentKindId: cmd.attachment.documentKindId },
  })), { validator: checkCommon });

  setHandler(detachFromDeal, (cmd) => run(cmd.opId, withoutDocument(deal, cmd.documentKindId), (fromVersion) => persistDealChange({
    opId: cmd.opId, actorId: cmd.actorId, dealId: deal.id, fromVersion, kind: 'detached',
    detachId: cmd.attachmentId, data: { attachmentId: cmd.attachmentId, documentKindId: cmd.documentKindId },
  })), {
    validator: (cmd) => {
      checkCommon(cmd);
      checkKeeps(withoutDocument(deal, cmd.documentKindId), cmd.currentGate);
    },
  });

  // A workflow started for a deal whose create was refused or never arrived ends instead of waiting forever.
  if (!created) {
    if (!(await condition(() => created, (input.createWindow ?? CREATE_WINDOW) as Duration))) {
      await condition(allHandlersFinished);
      return;
    }
  }

  const updatesPerRun = input.updatesPerRun ?? UPDATES_PER_RUN;
  await condition(() => handledThisRun >= updatesPerRun || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof dealWorkflow>({ deal, created, handledTotal: handledBefore + handledThisRun, updatesPerRun: input.updatesPerRun });
}
