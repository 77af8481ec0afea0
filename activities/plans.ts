/**
 * The revenue plan's writes and its deadline reminders. Each write is one transaction claimed by its command's opId
 * (activities/kit/ops.ts) with its event on the plan's timeline; a reminder is a keyed notification, so a step run
 * again after a worker died delivers nothing twice.
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { KitFailure } from '../modules/kit/contract.ts';
import type { DecisionInput, LineWrite, PlanState } from '../modules/plans/model.ts';
import { loadPlanRow, loadPlanSettings, loadPlanState } from '../modules/plans/rows.ts';
import { submitDeadlines } from '../modules/plans/rules.ts';
import { notify } from '../modules/notifications/write.ts';
import { recordEvent } from '../modules/timeline/write.ts';
import type { CreatePlanCommand } from '../workflows/plan-contract.ts';
import { claimOp, finalFailure, refusingBadData } from './kit/ops.ts';
import type { AfterNotify } from './events.ts';

const arr = (xs: readonly (string | boolean)[]) =>
  `{${xs.map((x) => (typeof x === 'string' ? `"${x}"` : x)).join(',')}}`;

interface WriteInput {
  opId: string;
  actorId: string | null;
  fromVersion: number;
  next: PlanState;
}

const exec = <T = unknown>(em: EntityManager, sql: string, params: unknown[]) =>
  em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());

/** The plan's lines as sent, with the statuses the workflow's state gives them; lines not sent are removed. */
async function writeLines(em: EntityManager, next: PlanState, lines: LineWrite[]): Promise<void> {
  const status = new Map(next.lines.map((l) => [l.id, l]));
  await exec(em, 'delete from plan_lines where plan_id = ? and not (id = any(?::uuid[]))', [
    next.id,
    arr(lines.map((l) => l.id)),
  ]);
  if (!lines.length) return;
  await exec(
    em,
    `insert into plan_lines as l (id, plan_id, position, client_id, deal_id, amount, currency, amount_base, expected_on,
       comment, status, revised)
     select x.id, ?, x.position, x.client_id, x.deal_id, x.amount, x.currency, x.amount_base, x.expected_on, x.comment,
            x.status, x.revised
       from jsonb_to_recordset(?::jsonb) as x(id uuid, position int, client_id uuid, deal_id uuid, amount numeric,
            currency text, amount_base numeric, expected_on date, comment text, status text, revised boolean)
     on conflict (id) do update set position = excluded.position, client_id = excluded.client_id,
       deal_id = excluded.deal_id, amount = excluded.amount, currency = excluded.currency,
       amount_base = excluded.amount_base, expected_on = excluded.expected_on, comment = excluded.comment,
       status = excluded.status, revised = excluded.revised,
       decision_comment = case when excluded.status = 'open' then '' else l.decision_comment end,
       decided_by = case when excluded.status = 'open' then null else l.decided_by end,
       decided_at = case when excluded.status = 'open' then null else l.decided_at end
     where l.plan_id = excluded.plan_id`,
    [
      next.id,
      JSON.stringify(
        lines.map((l, i) => ({
          id: l.id,
          position: i,
          client_id: l.clientId,
          deal_id: l.dealId,
          amount: l.amount,
          currency: l.currency,
          amount_base: l.amountBase,
          expected_on: l.expectedOn,
          comment: l.comment,
          status: status.get(l.id)?.status ?? 'open',
          revised: status.get(l.id)?.revised ?? false,
        })),
      ),
    ],
  );
}

/** The lines' statuses as the workflow's state gives them. */
async function syncStatuses(em: EntityManager, next: PlanState): Promise<void> {
  if (!next.lines.length) return;
  await exec(
    em,
    `update plan_lines l set status = x.status, revised = x.revised,
       decision_comment = case when x.status = 'open' then '' else l.decision_comment end
     from unnest(?::uuid[], ?::text[], ?::boolean[]) as x(id, status, revised)
     where l.id = x.id and l.plan_id = ? and (l.status <> x.status or l.revised <> x.revised)`,
    [
      arr(next.lines.map((l) => l.id)),
      arr(next.lines.map((l) => l.status)),
      arr(next.lines.map((l) => l.revised)),
      next.id,
    ],
  );
}

/** The plan row from the state, if still at fromVersion; answers the version written. */
async function writePlan(em: EntityManager, next: PlanState, fromVersion: number, finalisedBy?: string | null) {
  const [row] = await exec<{ version: number }>(
    em,
    `update plans set status = ?, revision = ?, submit_reminded = ?, review_reminded = ?, version = version + 1,
       updated_at = now(),
       finalised_at = case when ? then now() when ? <> 'final' then null else finalised_at end,
       finalised_by = case when ? then ?::uuid when ? <> 'final' then null else finalised_by end
     where id = ? and version = ? returning version`,
    [
      next.status,
      next.revision,
      next.submitReminded,
      next.reviewReminded,
      finalisedBy !== undefined,
      next.status,
      finalisedBy !== undefined,
      finalisedBy ?? null,
      next.status,
      next.id,
      fromVersion,
    ],
  );
  if (!row) throw finalFailure(KitFailure.versionConflict, 'The plan changed meanwhile');
  return row.version;
}

/**
 * A deadline reminder's key: per manager and period (not per plan row), so the reminder a manager gets while they
 * have no plan and the one their plan's workflow sends for its first revision are one and the same.
 */
const reminderKey = (kind: 'submit' | 'review', managerId: string, period: string, revision: number, userId: string) =>
  `plan-${kind}:${managerId}-${period}:${revision}:${userId}`;

const currentVersion = async (em: EntityManager, id: string) => (await loadPlanRow(em, id))?.version ?? 0;

export function createPlanActivities({ orm, afterNotify }: { orm: MikroORM; afterNotify?: AfterNotify }) {
  /** one claimed transaction: an earlier attempt's claim answers the version it wrote */
  const claimed = (input: { opId: string; next: PlanState }, fn: (em: EntityManager) => Promise<number>) =>
    refusingBadData(() =>
      orm.em.fork().transactional(async (em) => {
        if (!(await claimOp(em, input.opId))) return { version: await currentVersion(em, input.next.id) };
        return { version: await fn(em) };
      }),
    );

  return {
    async loadPlanState({ planId }: { planId: string }): Promise<PlanState | null> {
      return loadPlanState(orm.em.fork(), planId);
    },

    /** Returns the plan as stored: this create's, or the one an earlier attempt of the same create wrote. */
    async persistPlanCreated(cmd: CreatePlanCommand): Promise<PlanState> {
      const p = cmd.plan;
      return refusingBadData(() =>
        orm.em.fork().transactional(async (em) => {
          await exec(em, 'select pg_advisory_xact_lock(hashtextextended(?, 1))', [p.id]);
          if ((await claimOp(em, cmd.opId)) && !(await loadPlanRow(em, p.id))) {
            await exec(
              em,
              `insert into plans (id, manager_id, period, period_kind, period_start, period_end, status, revision,
                 submit_reminded, review_reminded, finalised_at, finalised_by, version)
               values (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, 1)`,
              [
                p.id,
                p.managerId,
                p.period,
                cmd.periodKind,
                cmd.periodStart,
                cmd.periodEnd,
                p.status,
                p.revision,
                p.status === 'final' ? new Date() : null,
                p.status === 'final' ? cmd.actorId : null,
              ],
            );
            await writeLines(em, p, cmd.lines);
            await recordEvent(em, {
              recordType: 'plan',
              kind: 'created',
              recordId: p.id,
              actorId: cmd.actorId,
              opId: cmd.opId,
              data: { managerId: p.managerId, period: p.period, lines: cmd.lines.length, status: p.status },
            });
          }
          const stored = await loadPlanState(em, p.id);
          if (!stored) throw finalFailure(KitFailure.invalidData, 'The plan was not written');
          return stored;
        }),
      );
    },

    async persistPlanSaved(input: WriteInput & { lines: LineWrite[]; reopened: boolean }) {
      return claimed(input, async (em) => {
        const version = await writePlan(
          em,
          input.next,
          input.fromVersion,
          input.next.status === 'final' ? input.actorId : undefined,
        );
        await writeLines(em, input.next, input.lines);
        await recordEvent(em, {
          recordType: 'plan',
          kind: input.reopened ? 'reopened' : 'updated',
          recordId: input.next.id,
          actorId: input.actorId,
          opId: input.opId,
          data: { revision: input.next.revision, lines: input.lines.length, status: input.next.status },
        });
        return version;
      });
    },

    /** The submission: the lines frozen as a snapshot with the note (the latest is current). */
    async persistPlanSubmitted(input: WriteInput & { note: string }) {
      return claimed(input, async (em) => {
        const version = await writePlan(em, input.next, input.fromVersion);
        await syncStatuses(em, input.next);
        const [snap] = await exec<{ number: number; total: string }>(
          em,
          `insert into plan_submissions (id, plan_id, revision, number, note, lines, total_base, submitted_by)
           select gen_random_uuid(), ?, ?, coalesce((select max(number) from plan_submissions where plan_id = ?), 0) + 1, ?,
                  coalesce(jsonb_agg(jsonb_build_object('id', l.id, 'clientId', l.client_id, 'dealId', l.deal_id,
                    'amount', l.amount::text, 'currency', l.currency, 'amountBase', l.amount_base::text,
                    'expectedOn', l.expected_on::text, 'comment', l.comment, 'status', l.status) order by l.position), '[]'),
                  coalesce(sum(l.amount_base), 0), ?
             from plan_lines l where l.plan_id = ?
           returning number, total_base::text as total`,
          [input.next.id, input.next.revision, input.next.id, input.note, input.actorId, input.next.id],
        );
        await recordEvent(em, {
          recordType: 'plan',
          kind: 'submitted',
          recordId: input.next.id,
          actorId: input.actorId,
          opId: input.opId,
          data: { revision: input.next.revision, submission: snap.number, total: snap.total, note: input.note },
        });
        return version;
      });
    },

    /** The lead's decisions, line by line, in one statement; one timeline event names them all. */
    async persistPlanDecisions(input: WriteInput & { decisions: DecisionInput[] }) {
      return claimed(input, async (em) => {
        const version = await writePlan(em, input.next, input.fromVersion);
        const d = input.decisions;
        await exec(
          em,
          `update plan_lines l set status = x.decision, revised = false, decision_comment = x.comment,
             decided_by = ?, decided_at = now()
           from unnest(?::uuid[], ?::text[], ?::text[]) as x(id, decision, comment)
           where l.id = x.id and l.plan_id = ?`,
          [
            input.actorId,
            arr(d.map((x) => x.lineId)),
            arr(d.map((x) => x.decision)),
            arr(d.map((x) => x.comment.replace(/["\\]/g, (c) => `\\${c}`))),
            input.next.id,
          ],
        );
        await recordEvent(em, {
          recordType: 'plan',
          kind: 'reviewed',
          recordId: input.next.id,
          actorId: input.actorId,
          opId: input.opId,
          data: { decisions: d },
        });
        return version;
      });
    },

    async persistPlanFinalised(input: WriteInput) {
      return claimed(input, async (em) => {
        const version = await writePlan(em, input.next, input.fromVersion, input.actorId);
        const [t] = await exec<{ approved: string; doubtful: string }>(
          em,
          `select coalesce(sum(amount_base) filter (where status = 'approved'), 0)::text as approved,
                  coalesce(sum(amount_base) filter (where status = 'doubtful'), 0)::text as doubtful
             from plan_lines where plan_id = ?`,
          [input.next.id],
        );
        await recordEvent(em, {
          recordType: 'plan',
          kind: 'finalised',
          recordId: input.next.id,
          actorId: input.actorId,
          opId: input.opId,
          data: { revision: input.next.revision, approved: t.approved, doubtful: t.doubtful },
        });
        return version;
      });
    },

    /**
     * A deadline passed: the manager is reminded to submit, or the leads above to review; keyed per plan, revision
     * and person, so never twice. Answers the state after it.
     */
    async remindPlan({ state, kind }: { state: PlanState; kind: 'submit' | 'review' }): Promise<PlanState> {
      let ids: string[] = [];
      const next = {
        ...state,
        ...(kind === 'submit' ? { submitReminded: state.revision } : { reviewReminded: state.revision }),
      };
      await orm.em.fork().transactional(async (em) => {
        const people = kind === 'submit' ? [state.managerId] : state.leadIds.slice(0, 1);
        ids = await notify(
          em,
          people.map((userId) => ({
            userId,
            kind: kind === 'submit' ? 'plan_submit_due' : 'plan_review_due',
            recordType: 'plan',
            recordId: state.id,
            data: { period: state.period, managerId: state.managerId, revision: state.revision },
            key: reminderKey(kind, state.managerId, state.period, state.revision, userId),
          })),
        );
        await exec(
          em,
          `update plans set ${kind === 'submit' ? 'submit_reminded' : 'review_reminded'} = greatest(${kind === 'submit' ? 'submit_reminded' : 'review_reminded'}, ?) where id = ?`,
          [state.revision, state.id],
        );
      });
      if (ids.length && afterNotify) await afterNotify(ids).catch(() => undefined);
      return next;
    },

    /**
     * The submit deadline for managers with no plan at all (those with a plan are reminded by its workflow): for each
     * plan period (the settings' `remindPeriod`) whose deadline has passed and which has not ended, every active
     * manager without a plan for it is told, keyed as the plan's own first reminder would be, so never twice. Only
     * while plans are confirmed. Answers when the next deadline falls (epoch ms) and how many were told.
     */
    async remindMissingPlans({ now }: { now: number }): Promise<{ nextAt: number | null; reminded: number }> {
      const em = orm.em.fork();
      const settings = await loadPlanSettings(em);
      if (!settings.confirmation) return { nextAt: null, reminded: 0 };
      const { due, nextAt } = submitDeadlines(now, settings);
      const ids: string[] = [];
      for (const period of due) {
        await em.transactional(async (tem) => {
          const managers = await exec<{ id: string }>(
            tem,
            `select u.id from users u
              where u.role = 'manager' and u.disabled_at is null
                and not exists (select 1 from plans p where p.manager_id = u.id and p.period = ?)
              order by u.id`,
            [period.key],
          );
          ids.push(
            ...(await notify(
              tem,
              managers.map(({ id }) => ({
                userId: id,
                kind: 'plan_submit_due',
                recordType: 'plan',
                recordId: null,
                data: { period: period.key, managerId: id, revision: 1, planned: false },
                key: reminderKey('submit', id, period.key, 1, id),
              })),
            )),
          );
        });
      }
      if (ids.length && afterNotify) await afterNotify(ids).catch(() => undefined);
      return { nextAt, reminded: ids.length };
    },
  };
}
