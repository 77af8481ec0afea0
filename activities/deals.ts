import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import { Deal, DealAttachment } from '../modules/deals/entities.ts';
import { recordEvent } from '../modules/timeline/write.ts';
import { recordAudit } from '../modules/audit/index.ts';
import { gateFingerprint, type DealChanges, type DealState } from '../modules/deals/gate.ts';
import { dealStateOf } from '../modules/deals/state.ts';
import { Stage } from '../modules/pipelines/entities.ts';
import { DealFailure, type AttachmentInput } from '../modules/deals/contract.ts';
import { claimOp, finalFailure as failure, refusingBadData } from './kit/ops.ts';

export interface PersistCreatedInput {
  opId: string;
  actorId: string | null;
  deal: DealState;
  gateFingerprint: string;
}

export interface PersistChangeInput {
  opId: string;
  actorId: string | null;
  dealId: string;
  /** the version the workflow holds; the row must still be at it */
  fromVersion: number;
  kind: 'updated' | 'stage_changed' | 'attached' | 'detached' | 'archived' | 'restored';
  /** true archives the deal, false restores it; absent leaves it as it is */
  archive?: boolean;
  changes?: DealChanges;
  stage?: {
    from: string;
    to: string;
    kind: 'open' | 'won' | 'lost';
    lostReason: string | null;
    gateFingerprint: string;
  };
  /** an edit or detachment checked against what the deal's current stage required: it must still require that */
  keeps?: { stageId: string; fingerprint: string };
  attach?: AttachmentInput;
  detachId?: string;
  data: Record<string, unknown>;
}

function columnsOf(changes: DealChanges | undefined): Record<string, unknown> {
  const cols: Record<string, unknown> = {};
  if (!changes) return cols;
  for (const key of ['title', 'contactId', 'amount', 'currency', 'expectedCloseDate'] as const) {
    if (changes[key] !== undefined) cols[key] = changes[key];
  }
  return cols;
}

/**
 * The stage must still demand what the gate said: the row is read FOR SHARE, so an admin's edit of the stage
 * either committed before (and the move is refused) or waits until this write has committed.
 */
async function checkStageUnchanged(em: EntityManager, stageId: string, fingerprint: string) {
  const stage = await em.findOne(Stage, { id: stageId }, { lockMode: LockMode.PESSIMISTIC_READ });
  if (!stage || gateFingerprint(stage) !== fingerprint) {
    throw failure(
      DealFailure.gateChanged,
      "The stage's requirements changed meanwhile; look at what it needs now and try again",
    );
  }
}

/**
 * File fields set by this write must name files still attached to the deal: one detached after the value was checked
 * (by a command from another process, written first) fails the write instead of leaving the field pointing nowhere.
 */
async function checkFileValues(em: EntityManager, dealId: string, custom: Record<string, unknown>) {
  const set = Object.entries(custom).filter(([, v]) => typeof v === 'string');
  if (!set.length) return;
  const [gone] = await em.getConnection().execute<{ key: string }[]>(
    `select f.key from deal_fields f
      where f.type = 'file' and f.key = any(?::text[])
        and not exists (select 1 from deal_attachments a where a.deal_id = ? and a.id::text = (?::jsonb ->> f.key))
      limit 1`,
    [`{${set.map(([k]) => k).join(',')}}`, dealId, JSON.stringify(Object.fromEntries(set))],
    'all',
    em.getTransactionContext(),
  );
  if (gone) throw failure(DealFailure.invalidFieldValue, `${gone.key}: no such file attached to this deal`);
}

/**
 * Deletes the attachment and appends `deal.attachment_removed` to the audit log in the same transaction, so the entry
 * exists exactly when the file left the deal. The row is locked first: a concurrent detach waits, then finds it gone.
 */
async function removeAttachment(em: EntityManager, input: PersistChangeInput) {
  const attachment = await em.findOne(
    DealAttachment,
    { id: input.detachId!, dealId: input.dealId },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!attachment || (await em.nativeDelete(DealAttachment, { id: attachment.id, dealId: input.dealId })) !== 1) {
    throw failure(DealFailure.attachmentNotFound, 'The attachment was removed meanwhile');
  }
  const [actor] = input.actorId
    ? await em
        .getConnection()
        .execute<{ email: string }[]>(
          'select email from users where id = ?',
          [input.actorId],
          'all',
          em.getTransactionContext(),
        )
    : [];
  await recordAudit(em, {
    kind: 'deal.attachment_removed',
    actorId: input.actorId,
    actorEmail: actor?.email ?? null,
    subjectType: 'deal',
    subjectId: input.dealId,
    details: { attachmentId: attachment.id, fileName: attachment.fileName },
  });
}

/**
 * Writes of the deal workflow. Each is one transaction keyed by the command's opId (claimed in command_ops),
 * so a retried activity finds its own earlier write and returns the same result instead of writing twice.
 */
export function createDealActivities({ orm }: { orm: MikroORM }) {
  return {
    /** Returns the deal as stored: this create's, or the one an earlier attempt of the same create wrote. */
    async persistDealCreated({
      opId,
      actorId,
      deal,
      gateFingerprint: fingerprint,
    }: PersistCreatedInput): Promise<DealState> {
      await refusingBadData(() =>
        orm.em.fork().transactional(async (em) => {
          // attempts of one create (each request its own opId) queue on the deal's id: the first one writes it
          await em
            .getConnection()
            .execute(
              'select pg_advisory_xact_lock(hashtextextended(?, 1))',
              [deal.id],
              'all',
              em.getTransactionContext(),
            );
          if (!(await claimOp(em, opId))) return;
          if (await em.findOne(Deal, { id: deal.id }, { fields: ['id'] })) return;
          await checkStageUnchanged(em, deal.stageId, fingerprint);
          em.create(Deal, {
            id: deal.id,
            title: deal.title,
            clientId: deal.clientId,
            contactId: deal.contactId,
            ownerId: deal.ownerId,
            pipelineId: deal.pipelineId,
            stageId: deal.stageId,
            amount: deal.amount,
            currency: deal.currency,
            expectedCloseDate: deal.expectedCloseDate,
            custom: deal.custom,
            lostReason: deal.lostReason,
          });
          await recordEvent(em, {
            recordType: 'deal',
            recordId: deal.id,
            opId,
            kind: 'created',
            actorId,
            toStageId: deal.stageId,
          });
        }),
      );
      const em = orm.em.fork();
      return dealStateOf(em, await em.findOneOrFail(Deal, { id: deal.id }));
    },

    async persistDealChange(input: PersistChangeInput): Promise<{ version: number }> {
      const toVersion = input.fromVersion + 1;
      await refusingBadData(() =>
        orm.em.fork().transactional(async (em) => {
          if (!(await claimOp(em, input.opId))) return; // this command was written by an earlier attempt
          const cols: Record<string, unknown> = columnsOf(input.changes);
          if (input.changes?.custom) {
            await checkFileValues(em, input.dealId, input.changes.custom);
            const row = await em.findOne(Deal, { id: input.dealId }, { fields: ['custom'] });
            const custom: Record<string, unknown> = { ...(row?.custom ?? {}) };
            for (const [k, v] of Object.entries(input.changes.custom)) {
              if (v === null) delete custom[k];
              else custom[k] = v;
            }
            cols.custom = custom;
          }
          if (input.keeps) await checkStageUnchanged(em, input.keeps.stageId, input.keeps.fingerprint);
          if (input.stage) {
            await checkStageUnchanged(em, input.stage.to, input.stage.gateFingerprint);
            cols.stageId = input.stage.to;
            cols.lostReason = input.stage.lostReason;
            cols.closedAt = input.stage.kind === 'open' ? null : new Date();
          }
          if (input.archive !== undefined) cols.archivedAt = input.archive ? new Date() : null;
          const updated = await em.nativeUpdate(
            Deal,
            { id: input.dealId, version: input.fromVersion },
            { ...cols, version: toVersion, updatedAt: new Date() },
          );
          if (updated !== 1)
            throw failure(DealFailure.versionConflict, `The deal is no longer at version ${input.fromVersion}`);
          if (input.attach) {
            const a = input.attach;
            em.create(DealAttachment, {
              id: a.id,
              dealId: input.dealId,
              documentKindId: a.documentKindId,
              fileSha256: a.fileSha256,
              fileName: a.fileName,
              contentType: a.contentType,
              size: a.size,
              uploadedBy: input.actorId!,
            });
          }
          if (input.detachId) await removeAttachment(em, input);
          await recordEvent(em, {
            recordType: 'deal',
            recordId: input.dealId,
            opId: input.opId,
            kind: input.kind,
            actorId: input.actorId,
            fromStageId: input.stage?.from ?? null,
            toStageId: input.stage?.to ?? null,
            data: input.data,
          });
        }),
      );
      return { version: toVersion };
    },

    /** The deal as Postgres has it: how a workflow whose state disagrees with the row recovers. */
    async loadDealState({ dealId }: { dealId: string }): Promise<DealState | null> {
      const em = orm.em.fork();
      const row = await em.findOne(Deal, { id: dealId });
      return row ? dealStateOf(em, row) : null;
    },
  };
}
