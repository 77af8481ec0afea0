import { continueAsNew, patched, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.ts';
import type { PersistedChange } from '../activities/deals.ts';
import {
  applyChanges,
  archiveRefusal,
  archivedRefusal,
  entryRefusal,
  hasMissing,
  lostRequirements,
  moveRefusal,
  withDocument,
  withoutDocument,
  type DealChanges,
  type DealState,
  type Refusal,
  type StageGate,
} from '../modules/deals/gate.ts';
import { DEAL_CODES, DealFailure } from '../modules/deals/contract.ts';
import { fieldsNaming } from '../modules/fields/references.ts';
import { Entity, KIT_FINAL_FAILURES, fail, localWriteOptions, writeActivityOptions } from './kit/entity.ts';
import {
  archiveDeal,
  attachToDeal,
  createDeal,
  dealState,
  detachFromDeal,
  editDeal,
  moveDealStage,
  resyncDeal,
  type DealResult,
  type DealWorkflowInput,
  type DetachCommand,
} from './deal-contract.ts';

export { UPDATES_PER_RUN } from './kit/entity.ts';

/** Failures of the deal's writes that retrying cannot mend; the Update fails with them as they are. */
const FINAL_FAILURES = [
  ...KIT_FINAL_FAILURES,
  DealFailure.gateChanged,
  DealFailure.attachmentNotFound,
  DealFailure.invalidFieldValue,
];

const activities = proxyActivities<ReturnType<typeof createActivities>>(writeActivityOptions(FINAL_FAILURES));
const { loadDealState, abandonOp } = activities;
const local = proxyLocalActivities<ReturnType<typeof createActivities>>(localWriteOptions(FINAL_FAILURES));

/**
 * The writes run as local activities, in the workflow task that accepted the command: one workflow task and six
 * history events per change instead of two and eleven. Safe because every write is claimed by its opId: a task lost
 * after its write committed is retried, and the write run again finds its claim and returns the same version. Runs
 * recorded before (without the patch marker) replay their writes as the regular activities they were.
 */
const LOCAL_WRITES = 'local-writes';
const writes = () => (patched(LOCAL_WRITES) ? local : activities);
const persistDealCreated = (input: Parameters<typeof activities.persistDealCreated>[0]) =>
  writes().persistDealCreated(input);
const persistDealChange = (input: Parameters<typeof activities.persistDealChange>[0]) =>
  writes().persistDealChange(input);

const refuse = (r: Refusal | null) => {
  if (r) fail(r.code, r.message, r.details);
};
/** Every command but archive/restore: refused while the deal is archived (never in histories recorded before). */
const checkLive = (state: DealState) => refuse(archivedRefusal(state));
const checkGate = (state: DealState, gate: StageGate) => refuse(entryRefusal(state, gate));

/** An edit or detachment may not take away what the deal's current stage requires. */
const checkKeeps = (deal: DealState, next: DealState, gate: StageGate) => {
  if (gate.stageId !== deal.stageId) fail(DealFailure.versionConflict, 'The deal moved to another stage meanwhile');
  const lost = lostRequirements(deal, next, gate);
  if (hasMissing(lost)) {
    fail(DealFailure.requirementsUnmet, `Stage "${gate.name}" requires this information`, {
      stageId: gate.stageId,
      missing: lost,
    });
  }
};

const changeSummary = (changes: DealChanges) => ({ changes });
/** The changes a detachment makes besides removing the attachment: the file fields naming it are cleared. */
const detachChanges = (d: DealState, cmd: DetachCommand): DealChanges | undefined => {
  const keys = fieldsNaming(cmd.fileFields ?? [], d.custom, cmd.attachmentId);
  return keys.length ? { custom: Object.fromEntries(keys.map((k) => [k, null])) } : undefined;
};
/** The deal without a detached attachment: one document of its kind fewer, the file fields naming it cleared. */
const detached = (d: DealState, cmd: DetachCommand) =>
  applyChanges(withoutDocument(d, cmd.documentKindId), detachChanges(d, cmd));
/** the write checks that the deal's current stage still requires what the command was checked against */
const keeping = (gate: StageGate) => ({ stageId: gate.stageId, fingerprint: gate.fingerprint });

/**
 * The lifecycle of one deal (`deal-<id>`). Every change to a deal is an Update here, so the stage gate
 * is checked in one place for every path (UI, API, imports, automation) against the deal's current data.
 * The deal brings its rules and its writes; workflows/kit/entity.ts brings the rest.
 */
export async function dealWorkflow(input: DealWorkflowInput): Promise<void> {
  const deal = new Entity<DealState, DealResult, PersistedChange>(
    {
      state: input.deal,
      created: input.created,
      handledTotal: input.handledTotal,
      updatesPerRun: input.updatesPerRun,
      createWindow: input.createWindow,
      codes: DEAL_CODES,
      finalFailures: FINAL_FAILURES,
      load: () => loadDealState({ dealId: input.deal.id }),
      abandon: (opId) => abandonOp({ opId }),
    },
    // the deal as its write left it travels with the answer, so the command need not read it back
    (d, written) => ({ version: d.version, stageId: d.stageId, ...(written?.deal ? { deal: written.deal } : {}) }),
  );

  setHandler(dealState, () => ({ deal: deal.state, created: deal.created, handledTotal: deal.handledTotal }));

  deal.onCreate(createDeal, {
    check: (cmd) => checkGate(cmd.deal, cmd.gate),
    write: (cmd) =>
      persistDealCreated({
        opId: cmd.opId,
        actorId: cmd.actorId,
        deal: cmd.deal,
        gateFingerprint: cmd.gate.fingerprint,
      }),
  });

  deal.onResync(resyncDeal);

  deal.onChange(editDeal, {
    check: (d, cmd) => {
      checkLive(d);
      checkKeeps(d, applyChanges(d, cmd.changes), cmd.currentGate);
    },
    apply: (d, cmd) => applyChanges(d, cmd.changes),
    write: (cmd, fromVersion, d) =>
      persistDealChange({
        opId: cmd.opId,
        actorId: cmd.actorId,
        dealId: d.id,
        fromVersion,
        kind: 'updated',
        changes: cmd.changes,
        keeps: keeping(cmd.currentGate),
        data: changeSummary(cmd.changes),
      }),
  });

  deal.onChange(moveDealStage, {
    check: (d, cmd) => {
      checkLive(d);
      refuse(moveRefusal(d, cmd.gate, cmd.changes, cmd.lostReason));
    },
    apply: (d, cmd) => ({
      ...applyChanges(d, cmd.changes),
      stageId: cmd.gate.stageId,
      lostReason: cmd.gate.kind === 'lost' ? cmd.lostReason!.trim() : null,
    }),
    write: (cmd, fromVersion, d, next) =>
      persistDealChange({
        opId: cmd.opId,
        actorId: cmd.actorId,
        dealId: d.id,
        fromVersion,
        kind: 'stage_changed',
        changes: cmd.changes ?? {},
        stage: {
          from: d.stageId,
          to: cmd.gate.stageId,
          kind: cmd.gate.kind,
          lostReason: next.lostReason,
          gateFingerprint: cmd.gate.fingerprint,
        },
        data: { ...changeSummary(cmd.changes ?? {}), lostReason: next.lostReason },
      }),
  });

  deal.onChange(attachToDeal, {
    check: (d) => checkLive(d),
    apply: (d, cmd) => withDocument(d, cmd.attachment.documentKindId),
    write: (cmd, fromVersion, d) =>
      persistDealChange({
        opId: cmd.opId,
        actorId: cmd.actorId,
        dealId: d.id,
        fromVersion,
        kind: 'attached',
        attach: cmd.attachment,
        data: {
          attachmentId: cmd.attachment.id,
          fileName: cmd.attachment.fileName,
          documentKindId: cmd.attachment.documentKindId,
        },
      }),
  });

  deal.onChange(detachFromDeal, {
    check: (d, cmd) => {
      checkLive(d);
      checkKeeps(d, detached(d, cmd), cmd.currentGate);
    },
    apply: detached,
    write: (cmd, fromVersion, d) => {
      const changes = detachChanges(d, cmd);
      return persistDealChange({
        opId: cmd.opId,
        actorId: cmd.actorId,
        dealId: d.id,
        fromVersion,
        kind: 'detached',
        detachId: cmd.attachmentId,
        keeps: keeping(cmd.currentGate),
        changes,
        data: {
          attachmentId: cmd.attachmentId,
          documentKindId: cmd.documentKindId,
          ...(changes ? changeSummary(changes) : {}),
        },
      });
    },
  });

  // archive and restore: no gate either way, restore puts the deal back in the stage it kept (see archiveRefusal)
  deal.onChange(archiveDeal, {
    check: (d, cmd) => refuse(archiveRefusal(d, cmd.archive)),
    apply: (d, cmd) => {
      const next = { ...d };
      if (cmd.archive) next.archived = true;
      else delete next.archived;
      return next;
    },
    write: (cmd, fromVersion, d) =>
      persistDealChange({
        opId: cmd.opId,
        actorId: cmd.actorId,
        dealId: d.id,
        fromVersion,
        kind: cmd.archive ? 'archived' : 'restored',
        archive: cmd.archive,
        data: { stageId: d.stageId },
      }),
  });

  await deal.live(({ state, created, handledTotal }) =>
    continueAsNew<typeof dealWorkflow>({ deal: state, created, handledTotal, updatesPerRun: input.updatesPerRun }),
  );
}
