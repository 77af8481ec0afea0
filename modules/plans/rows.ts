/**
 * Plans as Postgres holds them, read into the state their workflow holds (the kit starts and resyncs the workflow
 * from the row), the company's plan settings, and the leads above a manager. Plain SQL, no entity hydration.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { LineStatus, PlanState, PlanStatus } from './model.ts';
import { addDays, parsePlanPeriod, zonedMidnight } from './periods.ts';

export const COMPANY_TOTALS_ROLES = ['manager', 'lead', 'process_owner', 'member'] as const;
export type CompanyTotalsRole = (typeof COMPANY_TOTALS_ROLES)[number];

export interface PlanSettings {
  confirmation: boolean;
  submitDueDays: number;
  reviewDueDays: number;
  timeZone: string;
  /** the plan period a manager with no plan is reminded to submit for (day, week or month) */
  remindPeriod: 'day' | 'week' | 'month';
  /** the roles, beside administrators, that read the company's totals */
  companyTotalsRoles: CompanyTotalsRole[];
  version: number;
}

const run = <T>(em: EntityManager, sql: string, params: unknown[] = []) =>
  em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());

export async function loadPlanSettings(em: EntityManager): Promise<PlanSettings> {
  const [row] = await run<PlanSettings>(
    em,
    `select confirmation, submit_due_days as "submitDueDays", review_due_days as "reviewDueDays",
            time_zone as "timeZone", remind_period as "remindPeriod",
            company_totals_roles as "companyTotalsRoles", version from plan_settings`,
  );
  return (
    row ?? {
      confirmation: false,
      submitDueDays: 0,
      reviewDueDays: 2,
      timeZone: 'UTC',
      remindPeriod: 'month',
      companyTotalsRoles: [],
      version: 0,
    }
  );
}

/** The leads of the manager's department and of every department above it, nearest first, the manager left out. */
export async function leadsAbove(em: EntityManager, userId: string): Promise<string[]> {
  const rows = await run<{ lead_id: string }>(
    em,
    `with recursive up as (
       select d.id, d.parent_id, d.lead_id, 0 as depth from users u join departments d on d.id = u.department_id
        where u.id = ?
       union all
       select d.id, d.parent_id, d.lead_id, up.depth + 1 from departments d join up on d.id = up.parent_id
        where up.depth < 20)
     select lead_id from up where lead_id is not null and lead_id <> ? group by lead_id order by min(depth)`,
    [userId, userId],
  );
  return rows.map((r) => r.lead_id);
}

export interface PlanRow {
  id: string;
  managerId: string;
  period: string;
  periodKind: string;
  status: PlanStatus;
  revision: number;
  submitReminded: number;
  reviewReminded: number;
  version: number;
}

const PLAN_SELECT = `p.id, p.manager_id as "managerId", p.period, p.period_kind as "periodKind", p.status,
  p.revision, p.submit_reminded as "submitReminded", p.review_reminded as "reviewReminded", p.version`;

export async function loadPlanRow(em: EntityManager, id: string): Promise<PlanRow | null> {
  const [row] = await run<PlanRow>(em, `select ${PLAN_SELECT} from plans p where p.id = ?`, [id]);
  return row ?? null;
}

export async function findPlanRow(em: EntityManager, managerId: string, period: string): Promise<PlanRow | null> {
  const [row] = await run<PlanRow>(em, `select ${PLAN_SELECT} from plans p where p.manager_id = ? and p.period = ?`, [
    managerId,
    period,
  ]);
  return row ?? null;
}

/** When the manager is reminded to submit and the lead to review, from the settings. */
export function deadlines(period: string, settings: PlanSettings): { submitDueAt: string; reviewDueAt: string } {
  const p = parsePlanPeriod(period)!;
  const at = (days: number) => new Date(zonedMidnight(addDays(p.start, days), settings.timeZone)).toISOString();
  return { submitDueAt: at(settings.submitDueDays), reviewDueAt: at(settings.reviewDueDays) };
}

/** The plan as its workflow should hold it now, or null. */
export async function loadPlanState(em: EntityManager, id: string): Promise<PlanState | null> {
  const row = await loadPlanRow(em, id);
  if (!row) return null;
  const settings = await loadPlanSettings(em);
  const lines = await run<{ id: string; status: LineStatus; revised: boolean }>(
    em,
    'select id, status, revised from plan_lines where plan_id = ? order by position, id',
    [id],
  );
  return {
    id: row.id,
    managerId: row.managerId,
    period: row.period,
    status: row.status,
    revision: row.revision,
    confirmation: settings.confirmation,
    leadIds: await leadsAbove(em, row.managerId),
    lines,
    version: row.version,
    ...deadlines(row.period, settings),
    submitReminded: row.submitReminded,
    reviewReminded: row.reviewReminded,
  };
}
