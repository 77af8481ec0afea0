import { LockMode, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import { Deal, DealAttachment } from '../modules/deals/entities.ts';
import { recordEvent } from '../modules/timeline/write.ts';
import { recordAudit } from '../modules/audit/index.ts';
import { gateFingerprint, type DealChanges, type DealState } from '../modules/deals/gate.ts';
import { dealStateOf } from '../modules/deals/state.ts';
import { Stage } from '../modules/pipelines/entities.ts';
import { DealFailure, type AttachmentInput } from '../modules/deals/contract.ts';
import { claimOp, finalFailure as failure, refusingBadData } from './kit/ops.ts';
import { KitFailure } from '../modules/kit/contract.ts';
import { EVENTS_CHANNEL } from '../modules/timeline/write.ts';
import { DEAL_COLUMNS, DEAL_JOINS, toView, type DealSqlRow, type DealView } from '../modules/deals/queries.ts';

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

/** What a change's write answers: the version written and, when this attempt wrote it, the deal as written. */
export interface PersistedChange {
  version: number;
  /** the deal as the write left it (absent when an earlier attempt of the command wrote it) */
  deal?: DealView;
}

const SQL_COLUMNS = {
  title: 'title',
  contactId: 'contact_id',
  amount: 'amount',
  currency: 'currency',
  expectedCloseDate: 'expected_close_date',
} as const;

/** The SQLSTATE `deal_write_refused()` raises (Migration20261130061000_write_path). */
const REFUSED = 'P0D01';

/**
 * An edit or a move (no attachment) in one statement, its own transaction: the opId's claim, the stages the write
 * depends on read FOR SHARE and compared with the requirements the command was checked against, the row updated at
 * its version, the timeline event and its NOTIFY, and the deal as written joined for the answer. When the claim is
 * this attempt's but the gate or the version does not hold, `deal_write_refused` raises, so nothing of it (not even
 * the claim) commits, as when the same steps ran one by one in a transaction that threw.
 */
async function writeChange(orm: MikroORM, input: PersistChangeInput): Promise<PersistedChange> {
  const toVersion = input.fromVersion + 1;
  const params: unknown[] = [input.opId];
  const gates: { stageId: string; fingerprint: string }[] = [];
  if (input.keeps) gates.push(input.keeps);
  if (input.stage) gates.push({ stageId: input.stage.to, fingerprint: input.stage.gateFingerprint });
  const gateSql = gates.map(({ stageId, fingerprint }) => {
    const [kind, fields, docs] = JSON.parse(fingerprint) as [string, unknown, unknown];
    params.push(stageId, kind, JSON.stringify(fields), JSON.stringify(docs));
    // FOR SHARE: an administrator's change of the stage committed before (and the row no longer matches) or waits
    return `(select s.id from stages s where s.id = ? and s.kind = ? and s.required_fields = ?::jsonb
        and s.required_document_kinds = ?::jsonb for share)`;
  });
  const set: string[] = [];
  for (const [key, column] of Object.entries(SQL_COLUMNS)) {
    const value = input.changes?.[key as keyof typeof SQL_COLUMNS];
    if (value === undefined) continue;
    set.push(`${column} = ?`);
    params.push(value);
  }
  if (input.changes?.custom) {
    // a null removes the key; stored custom values never hold a null
    set.push(`custom = jsonb_strip_nulls(coalesce(x.custom, '{}'::jsonb) || ?::jsonb)`);
    params.push(JSON.stringify(input.changes.custom));
  }
  if (input.stage) {
    set.push('stage_id = ?', 'lost_reason = ?', `closed_at = ${input.stage.kind === 'open' ? 'null' : 'now()'}`);
    params.push(input.stage.to, input.stage.lostReason);
  }
  if (input.archive !== undefined) set.push(`archived_at = ${input.archive ? 'now()' : 'null'}`);
  set.push('version = ?', 'updated_at = now()');
  params.push(toVersion, input.dealId, input.fromVersion);
  params.push(
    input.kind,
    input.actorId,
    input.opId,
    input.stage?.from ?? null,
    input.stage?.to ?? null,
    JSON.stringify(input.data ?? {}),
  );
  const gateOk = gateSql.length ? gateSql.map((g) => `exists ${g}`).join(' and ') : 'true';
  const sql = `with op as (
      insert into command_ops as o (op_id, state) values (?, 'applied')
      on conflict (op_id) do update set state = o.state
      returning state, (xmax = 0) as mine),
    gate as (select ${gateOk} as ok),
    d as (
      update deals x set ${set.join(', ')}
      where x.id = ? and x.version = ? and (select mine from op) and (select ok from gate)
      returning x.*),
    ev as (
      insert into record_events (record_type, record_id, kind, actor_id, op_id, from_stage_id, to_stage_id, data)
      select 'deal', d.id, ?::text, ?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::jsonb from d
      returning id)
    select op.state, op.mine, ${DEAL_COLUMNS},
      (select pg_notify('${EVENTS_CHANNEL}', ev.id::text) from ev) as notified,
      case when op.mine and d.id is null
        then deal_write_refused(case when (select ok from gate) then 'version' else 'gate' end) end as refused
    from op left join (d ${DEAL_JOINS}) on true`;
  let row: DealSqlRow & { state: string; mine: boolean };
  try {
    [row] = await refusingBadData(() =>
      orm.em.fork().getConnection().execute<(DealSqlRow & { state: string; mine: boolean })[]>(sql, params),
    );
  } catch (e) {
    const err = e as { code?: string; detail?: string; message?: string };
    if (err.code !== REFUSED) throw e;
    if ((err.detail ?? /deal write refused: (\w+)/.exec(err.message ?? '')?.[1]) === 'gate') {
      throw failure(
        DealFailure.gateChanged,
        "The stage's requirements changed meanwhile; look at what it needs now and try again",
      );
    }
    throw failure(DealFailure.versionConflict, `The deal is no longer at version ${input.fromVersion}`);
  }
  if (row.mine) return { version: toVersion, deal: toView(row) };
  if (row.state === 'abandoned') {
    throw failure(KitFailure.abandoned, 'This change was given up after its write failed');
  }
  return { version: toVersion }; // this command was written by an earlier attempt
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
      let wrote = false;
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
          wrote = true;
        }),
      );
      // written just now: stored as given (a new deal has no attachments yet); else as an earlier attempt wrote it
      if (wrote) return { ...deal, documentKinds: {}, version: 1 };
      const em = orm.em.fork();
      return dealStateOf(em, await em.findOneOrFail(Deal, { id: deal.id }));
    },

    async persistDealChange(input: PersistChangeInput): Promise<PersistedChange> {
      // custom values that may name a file are checked against the deal's attachments in a transaction (below)
      const namesFiles = Object.values(input.changes?.custom ?? {}).some((v) => typeof v === 'string');
      if (!input.attach && !input.detachId && !namesFiles) return writeChange(orm, input);
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
