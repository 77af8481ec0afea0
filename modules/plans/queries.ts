/**
 * Plan reads: one plan with its lines and both figures (as submitted and as confirmed), its timeline, and the
 * roll-ups — totals for any period at company, group and manager level with drill-down to client and line, split
 * into submitted, approved (final), doubtful and pending, beside the payments received; and plan against actual by
 * period. Plain SQL over the indexes of Migration20261130081000_plans; visibility: one's own plans, a lead their org
 * subtree's, company totals administrators and the roles the plan settings grant them to.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { orgSubtree, uuidArray, type Viewer } from '../access/visibility.ts';
import { DomainError, forbidden, notFound } from '../shared/errors.ts';
import { mayAccessPlansOf, planPeriod } from './commands.ts';
import { PlanFailure } from './contract.ts';
import { parsePeriod, periodBounds, periodsInside, planKindOf, type Period } from './periods.ts';
import { loadPlanSettings, findPlanRow, leadsAbove, type CompanyTotalsRole } from './rows.ts';

const run = <T>(em: EntityManager, sql: string, params: unknown[] = []) =>
  em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());

const money = (v: string | null | undefined) => (v === null || v === undefined ? '0.00' : Number(v).toFixed(2));

export interface PlanLineView {
  id: string;
  clientId: string;
  clientName: string;
  dealId: string | null;
  dealTitle: string | null;
  amount: string;
  currency: string;
  amountBase: string;
  expectedOn: string;
  comment: string;
  status: 'open' | 'approved' | 'doubtful';
  revised: boolean;
  decisionComment: string;
  decidedBy: string | null;
  decidedAt: string | null;
}

/** One plan as the viewer sees it, or NOT_FOUND. */
export async function readPlan(em: EntityManager, viewer: Viewer, managerId: string, periodText: string) {
  const period = planPeriod(periodText);
  if (!(await mayAccessPlansOf(em, viewer, managerId))) throw notFound('Plan');
  const row = await findPlanRow(em, managerId, period.key);
  if (!row) throw notFound('Plan');
  const settings = await loadPlanSettings(em);
  const [meta] = await run<{ managerName: string; finalisedAt: string | null; updatedAt: string }>(
    em,
    `select u.name as "managerName", p.finalised_at as "finalisedAt", p.updated_at as "updatedAt"
       from plans p join users u on u.id = p.manager_id where p.id = ?`,
    [row.id],
  );
  const lines = await run<PlanLineView>(
    em,
    `select l.id, l.client_id as "clientId", c.name as "clientName", l.deal_id as "dealId", d.title as "dealTitle",
            l.amount::text as amount, trim(l.currency) as currency, l.amount_base::text as "amountBase",
            l.expected_on::text as "expectedOn", l.comment, l.status, l.revised, l.decision_comment as "decisionComment",
            l.decided_by as "decidedBy", l.decided_at as "decidedAt"
       from plan_lines l join clients c on c.id = l.client_id left join deals d on d.id = l.deal_id
      where l.plan_id = ? order by l.position, l.id`,
    [row.id],
  );
  const [submission] = await run<{
    number: number;
    revision: number;
    note: string;
    total: string;
    submittedAt: string;
    submittedBy: string | null;
    lines: unknown[];
  }>(
    em,
    `select number, revision, note, total_base::text as total, submitted_at as "submittedAt",
            submitted_by as "submittedBy", lines
       from plan_submissions where plan_id = ? order by number desc limit 1`,
    [row.id],
  );
  const sum = (pred: (l: PlanLineView) => boolean) =>
    money(String(lines.filter(pred).reduce((a, l) => a + Math.round(Number(l.amountBase) * 100), 0) / 100));
  const leads = await leadsAbove(em, managerId);
  return {
    id: row.id,
    managerId,
    managerName: meta.managerName,
    period: row.period,
    periodKind: row.periodKind as 'day' | 'week' | 'month',
    ...periodBounds(period, settings.timeZone),
    status: row.status,
    revision: row.revision,
    version: row.version,
    confirmation: settings.confirmation,
    canReview: leads.includes(viewer.id),
    finalisedAt: meta.finalisedAt ? new Date(meta.finalisedAt).toISOString() : null,
    lines: lines.map((l) => ({
      ...l,
      amount: money(l.amount),
      amountBase: money(l.amountBase),
      decidedAt: l.decidedAt ? new Date(l.decidedAt).toISOString() : null,
    })),
    totals: {
      /** the latest submission's total (the plan's lines while never submitted) */
      submitted: submission ? money(submission.total) : sum(() => true),
      /** approved lines: the confirmed plan */
      confirmed: sum((l) => l.status === 'approved'),
      doubtful: sum((l) => l.status === 'doubtful'),
      pending: sum((l) => l.status === 'open'),
    },
    submission: submission
      ? {
          number: submission.number,
          revision: submission.revision,
          note: submission.note,
          total: money(submission.total),
          submittedAt: new Date(submission.submittedAt).toISOString(),
          submittedBy: submission.submittedBy,
          lines: submission.lines as Record<string, unknown>[],
        }
      : null,
  };
}

/** The plan's timeline (its record_events), oldest first. */
export async function planHistory(em: EntityManager, viewer: Viewer, managerId: string, periodText: string) {
  const period = planPeriod(periodText);
  if (!(await mayAccessPlansOf(em, viewer, managerId))) throw notFound('Plan');
  const row = await findPlanRow(em, managerId, period.key);
  if (!row) throw notFound('Plan');
  const rows = await run<{
    id: string;
    kind: string;
    actorId: string | null;
    at: string;
    data: Record<string, unknown>;
  }>(
    em,
    `select id::text as id, kind, actor_id as "actorId", created_at as at, data from record_events
      where record_type = 'plan' and record_id = ? order by id`,
    [row.id],
  );
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}

/**
 * The plans of a period the viewer sees (their own; a lead their org subtree's; an administrator everyone's), with
 * their status and kept totals: who has planned, submitted, been reviewed. A quarter or a year lists month plans.
 */
export async function listPlans(em: EntityManager, viewer: Viewer, q: { period: string; departmentId?: string }) {
  const period = rollupPeriod(q.period);
  const managers = await managersInScope(em, viewer, { departmentId: q.departmentId });
  const rows = await run<{
    id: string;
    managerId: string;
    managerName: string;
    period: string;
    status: 'draft' | 'submitted' | 'final';
    revision: number;
    version: number;
    lines: number;
    submitted: string;
    approved: string;
    doubtful: string;
    pending: string;
    updatedAt: string;
  }>(
    em,
    `select p.id, p.manager_id as "managerId", u.name as "managerName", p.period, p.status, p.revision, p.version,
            p.line_count as lines, p.total_base::text as submitted, p.approved_base::text as approved,
            p.doubtful_base::text as doubtful, p.open_base::text as pending, p.updated_at as "updatedAt"
       from plans p join users u on u.id = p.manager_id
      where p.period_kind = ? and p.period_start >= ? and p.period_start < ?
        and (?::uuid[] is null or p.manager_id = any(?::uuid[]))
      order by p.period_start, u.name, p.id
      limit 2000`,
    [planKindOf(period), period.start, period.end, managers && uuidArray(managers), managers && uuidArray(managers)],
  );
  return rows.map((r) => ({
    ...r,
    lines: Number(r.lines),
    submitted: money(r.submitted),
    approved: money(r.approved),
    doubtful: money(r.doubtful),
    pending: money(r.pending),
    updatedAt: new Date(r.updatedAt).toISOString(),
  }));
}

export type TotalsLevel = 'group' | 'manager' | 'client' | 'line';

export interface TotalsQuery {
  period: string;
  by: TotalsLevel;
  departmentId?: string;
  managerId?: string;
  clientId?: string;
}

export interface Figures {
  submitted: string;
  approved: string;
  doubtful: string;
  pending: string;
  actual: string;
}

export interface TotalsRow extends Figures {
  key: string | null;
  name: string;
  lines: number;
}

/** A roll-up period: any period (a quarter or a year sums month plans). */
function rollupPeriod(text: string): Period {
  const p = parsePeriod(text);
  if (!p)
    throw new DomainError(PlanFailure.badPeriod, 'Not a period: 2026-12-01, 2026-W49, 2026-12, 2026-Q4 or 2026', {
      field: 'period',
    });
  return p;
}

/**
 * Whose plans a read covers: everyone's (null) for an administrator — and, for totals, a role the plan settings grant
 * the company's totals to — else the viewer's org subtree and themselves.
 */
async function managersInScope(
  em: EntityManager,
  viewer: Viewer,
  q: { by?: string; departmentId?: string; managerId?: string },
  totals = false,
) {
  let managers: string[] | null = null;
  const company =
    viewer.role === 'admin' ||
    (totals && (await loadPlanSettings(em)).companyTotalsRoles.includes(viewer.role as CompanyTotalsRole));
  if (!company) {
    if (!q.departmentId && !q.managerId && q.by === 'group')
      throw forbidden('Company totals are for administrators and the roles granted them');
    const subtree = await orgSubtree(em, viewer.id, viewer.accessEpoch);
    managers = [...new Set([viewer.id, ...subtree.userIds])];
  }
  if (q.departmentId) {
    const rows = await run<{ id: string }>(
      em,
      `with recursive sub as (select id from departments where id = ?
         union select d.id from departments d join sub on d.parent_id = sub.id)
       select u.id from users u where u.department_id in (select id from sub)`,
      [q.departmentId],
    );
    const inDept = rows.map((r) => r.id);
    managers = managers ? managers.filter((m) => inDept.includes(m)) : inDept;
  }
  if (q.managerId) {
    if (managers && !managers.includes(q.managerId)) throw notFound('Manager');
    managers = [q.managerId];
  }
  return managers;
}

/** the same from the plans' kept totals */
const KEPT_FIGURES = `
  coalesce(sum(p.total_base), 0)::text as submitted,
  coalesce(sum(p.approved_base), 0)::text as approved,
  coalesce(sum(p.doubtful_base), 0)::text as doubtful,
  coalesce(sum(p.open_base), 0)::text as pending,
  coalesce(sum(p.line_count), 0)::int as lines`;

const FIGURES = `
  coalesce(sum(l.amount_base), 0)::text as submitted,
  coalesce(sum(l.amount_base) filter (where l.status = 'approved'), 0)::text as approved,
  coalesce(sum(l.amount_base) filter (where l.status = 'doubtful'), 0)::text as doubtful,
  coalesce(sum(l.amount_base) filter (where l.status = 'open'), 0)::text as pending,
  count(*)::int as lines`;

/**
 * Totals for a period at one level under a filter: by group (department) for the company, by manager for a group,
 * by client for a manager, by line for a client; each split into submitted (plans submitted or final), approved
 * (the final plan), doubtful and pending, beside the payments received in the period.
 */
export async function planTotals(em: EntityManager, viewer: Viewer, q: TotalsQuery) {
  const period = rollupPeriod(q.period);
  const managers = await managersInScope(em, viewer, q, true);
  const kind = planKindOf(period);
  const where: string[] = [`p.period_kind = ?`, `p.period_start >= ?`, `p.period_start < ?`, `p.status <> 'draft'`];
  const params: unknown[] = [kind, period.start, period.end];
  const pay: string[] = ['y.paid_on >= ?', 'y.paid_on < ?'];
  const payParams: unknown[] = [period.start, period.end];
  if (managers) {
    where.push('p.manager_id = any(?::uuid[])');
    params.push(uuidArray(managers));
    pay.push('y.manager_id = any(?::uuid[])');
    payParams.push(uuidArray(managers));
  }
  if (q.clientId) {
    where.push('l.client_id = ?');
    params.push(q.clientId);
    pay.push('y.client_id = ?');
    payParams.push(q.clientId);
  }
  const key = {
    group: {
      plan: 'u.department_id',
      pay: 'u.department_id',
      name: `coalesce(dep.name, '')`,
      join: 'left join departments dep on dep.id = k.key',
    },
    manager: {
      plan: 'p.manager_id',
      pay: 'y.manager_id',
      name: 'mu.name',
      join: 'left join users mu on mu.id = k.key',
    },
    client: { plan: 'l.client_id', pay: 'y.client_id', name: 'c.name', join: 'left join clients c on c.id = k.key' },
    line: {
      plan: 'l.id',
      pay: 'null::uuid',
      name: `c.name || ' · ' || l2.expected_on::text`,
      join: 'left join plan_lines l2 on l2.id = k.key left join clients c on c.id = l2.client_id',
    },
  }[q.by];
  // by group or manager the plans' kept totals answer (one row a plan); a client or a line needs the lines
  const kept = (q.by === 'group' || q.by === 'manager') && !q.clientId;
  const planned = kept
    ? `select ${key.plan} as key, ${KEPT_FIGURES}
         from plans p ${q.by === 'group' ? 'join users u on u.id = p.manager_id' : ''}
        where ${where.join(' and ')}
        group by 1`
    : `select ${key.plan} as key, ${FIGURES}
         from plans p join plan_lines l on l.plan_id = p.id
        where ${where.join(' and ')}
        group by 1`;
  const rows = await run<TotalsRow & { actual: string }>(
    em,
    `with planned as (${planned}),
     paid as (
       select ${key.pay} as key, sum(y.amount_base)::text as actual
         from payments y ${q.by === 'group' ? 'join users u on u.id = y.manager_id' : ''}
        where ${pay.join(' and ')} ${q.by === 'line' ? 'and false' : ''}
        group by 1),
     k as (select key from planned union select key from paid)
     select k.key, ${key.name} as name, pl.submitted, pl.approved, pl.doubtful, pl.pending, coalesce(pl.lines, 0) as lines,
            pa.actual
       from k left join planned pl on pl.key is not distinct from k.key left join paid pa on pa.key is not distinct from k.key
       ${key.join}
      order by 2 nulls first, 1`,
    [...params, ...payParams],
  );
  const items = rows.map((r) => ({
    key: r.key,
    name: r.name ?? '',
    lines: Number(r.lines),
    submitted: money(r.submitted),
    approved: money(r.approved),
    doubtful: money(r.doubtful),
    pending: money(r.pending),
    actual: money(r.actual),
  }));
  const total = (f: keyof Figures) =>
    money(String(items.reduce((a, i) => a + Math.round(Number(i[f]) * 100), 0) / 100));
  let actualTotal = total('actual');
  if (q.by === 'line') {
    const [t] = await run<{ actual: string | null }>(
      em,
      `select sum(y.amount_base)::text as actual from payments y where ${pay.join(' and ')}`,
      payParams,
    );
    actualTotal = money(t?.actual);
  }
  return {
    period: period.key,
    periodKind: period.kind,
    planKind: kind,
    by: q.by,
    total: {
      submitted: total('submitted'),
      approved: total('approved'),
      doubtful: total('doubtful'),
      pending: total('pending'),
      actual: actualTotal,
      lines: items.reduce((a, i) => a + i.lines, 0),
    },
    items,
  };
}

/**
 * Plan against actual by period: for each plan period (of the kind of `from`) between `from` and `to`, the approved
 * and submitted plan and the payments received, at one level (company, a group, a manager).
 */
export async function planVsActual(
  em: EntityManager,
  viewer: Viewer,
  q: { from: string; to: string; departmentId?: string; managerId?: string },
) {
  const from = rollupPeriod(q.from);
  const to = rollupPeriod(q.to);
  const kind = planKindOf(from);
  const span: Period = { kind: from.kind, key: `${from.key}..${to.key}`, start: from.start, end: to.end };
  const periods = periodsInside(span, kind);
  if (periods.length > 400) throw new DomainError('VALIDATION_FAILED', 'At most 400 periods', { field: 'to' });
  const managers = await managersInScope(
    em,
    viewer,
    { by: q.departmentId || q.managerId ? undefined : 'group', ...q },
    true,
  );
  const bucket =
    kind === 'month'
      ? `to_char(y.paid_on, 'YYYY-MM')`
      : kind === 'week'
        ? `to_char(y.paid_on, 'IYYY-"W"IW')`
        : 'y.paid_on::text';
  const mgr = managers ? uuidArray(managers) : null;
  const planned = await run<{ period: string; submitted: string; approved: string; doubtful: string }>(
    em,
    `select p.period, sum(p.total_base)::text as submitted, sum(p.approved_base)::text as approved,
            sum(p.doubtful_base)::text as doubtful
       from plans p
      where p.period_kind = ? and p.period_start >= ? and p.period_start < ? and p.status <> 'draft'
        and (?::uuid[] is null or p.manager_id = any(?::uuid[]))
      group by p.period`,
    [kind, span.start, span.end, mgr, mgr],
  );
  const paid = await run<{ period: string; actual: string }>(
    em,
    `select ${bucket} as period, sum(y.amount_base)::text as actual from payments y
      where y.paid_on >= ? and y.paid_on < ? and (?::uuid[] is null or y.manager_id = any(?::uuid[]))
      group by 1`,
    [periods[0]?.start ?? span.start, periods.at(-1)?.end ?? span.end, mgr, mgr],
  );
  const p = new Map(planned.map((r) => [r.period, r]));
  const a = new Map(paid.map((r) => [r.period, r.actual]));
  return {
    planKind: kind,
    items: periods.map((x) => {
      const approved = money(p.get(x.key)?.approved);
      const actual = money(a.get(x.key));
      return {
        period: x.key,
        submitted: money(p.get(x.key)?.submitted),
        approved,
        doubtful: money(p.get(x.key)?.doubtful),
        actual,
        /** actual as a share of the approved plan, in percent (null without a plan) */
        percent: Number(approved) > 0 ? Math.round((Number(actual) / Number(approved)) * 1000) / 10 : null,
      };
    }),
  };
}

export interface OverdueReview {
  planId: string;
  managerId: string;
  managerName: string;
  period: string;
  periodKind: 'day' | 'week' | 'month';
  revision: number;
  /** who should have reviewed: the nearest lead above the manager */
  leadId: string | null;
  leadName: string | null;
  submittedAt: string | null;
  dueAt: string;
  openLines: number;
  openAmount: string;
}

/**
 * Confirmations overdue: plans submitted whose lines still await the lead after the review deadline (the settings'
 * review day of the period). An administrator sees the company's; a lead those of their org subtree — so the lead above
 * a lead who is late sees it — and anyone else none. Oldest deadline first, at most 500.
 */
export async function overdueReviews(em: EntityManager, viewer: Viewer, now = new Date()): Promise<OverdueReview[]> {
  let managers: string[] | null = null;
  if (viewer.role !== 'admin') {
    managers = (await orgSubtree(em, viewer.id, viewer.accessEpoch)).userIds.filter((id) => id !== viewer.id);
    if (!managers.length) return [];
  }
  const rows = await run<Omit<OverdueReview, 'leadId' | 'leadName'>>(
    em,
    `select p.id as "planId", p.manager_id as "managerId", u.name as "managerName", p.period,
            p.period_kind as "periodKind", p.revision,
            (select max(s.submitted_at) from plan_submissions s where s.plan_id = p.id) as "submittedAt",
            ((p.period_start + st.review_due_days)::timestamp at time zone st.time_zone) as "dueAt",
            o.n::int as "openLines", o.amount::text as "openAmount"
       from plans p
       cross join plan_settings st
       join users u on u.id = p.manager_id
       cross join lateral (select count(*) as n, coalesce(sum(l.amount_base), 0) as amount
                             from plan_lines l where l.plan_id = p.id and l.status = 'open') o
      where st.confirmation and p.status = 'submitted' and o.n > 0
        and ((p.period_start + st.review_due_days)::timestamp at time zone st.time_zone) <= ?
        and (?::uuid[] is null or p.manager_id = any(?::uuid[]))
      order by "dueAt", "managerName", "planId"
      limit 500`,
    [now, managers && uuidArray(managers), managers && uuidArray(managers)],
  );
  const leads = new Map<string, string | null>();
  for (const r of rows)
    if (!leads.has(r.managerId)) leads.set(r.managerId, (await leadsAbove(em, r.managerId))[0] ?? null);
  const ids = [...new Set([...leads.values()].filter((x): x is string => !!x))];
  const names = ids.length
    ? new Map(
        (
          await run<{ id: string; name: string }>(em, 'select id, name from users where id = any(?::uuid[])', [
            uuidArray(ids),
          ])
        ).map((r) => [r.id, r.name]),
      )
    : new Map<string, string>();
  return rows.map((r) => {
    const leadId = leads.get(r.managerId) ?? null;
    return {
      ...r,
      leadId,
      leadName: leadId ? (names.get(leadId) ?? null) : null,
      submittedAt: r.submittedAt ? new Date(r.submittedAt).toISOString() : null,
      dueAt: new Date(r.dueAt).toISOString(),
      openLines: Number(r.openLines),
      openAmount: money(r.openAmount),
    };
  });
}
