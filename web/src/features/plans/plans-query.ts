/**
 * Revenue plans' server state: one manager's plan for a period (with both figures, as submitted and as confirmed),
 * the plans of a period a viewer sees, the roll-up totals and plan against actual, and the writes (save, submit, the
 * lead's decisions, finalise, payments and their CSV import). Everything sits under the ['plans'] key, which a live
 * plan event invalidates (live.ts), so an open roll-up or review follows every change.
 */
import type { QueryClient } from '@tanstack/react-query';
import { ApiError, api, call, client, qs, type RequestBody } from '../../api.js';
import type { operations } from '../../api/schema.js';

type Json<Op extends keyof operations, S extends number = 200> =
  operations[Op]['responses'] extends Record<S, { content: { 'application/json': infer R } }> ? R : never;

export type Plan = Json<'getPlan'>;
export type PlanLine = Plan['lines'][number];
export type PlanSummary = Json<'listPlans'>['items'][number];
export type PlanTotals = Json<'planTotals'>;
export type PlanVsActual = Json<'planVsActual'>;
export type PlanSettings = Json<'getPlanSettings'>;
export type OverdueReview = Json<'overduePlanReviews'>['items'][number];
export type PaymentImport = Json<'importPayments'>;
export type NewPayment = RequestBody<'recordPayment'>;
export type SaveBody = RequestBody<'savePlan'>;
export type Decision = RequestBody<'decidePlanLines'>['decisions'][number];
export type TotalsLevel = PlanTotals['by'];

export const planKeys = {
  all: ['plans'] as const,
  plan: (managerId: string, period: string) => ['plans', 'one', managerId, period] as const,
  list: (period: string) => ['plans', 'list', period] as const,
  totals: (q: object) => ['plans', 'totals', q] as const,
  vsActual: (q: object) => ['plans', 'vs-actual', q] as const,
  settings: ['plans', 'settings'] as const,
  overdue: ['plans', 'overdue'] as const,
};

/** The plan, or null when the manager has none for the period yet (404). */
export const planQuery = (managerId: string, period: string) => ({
  queryKey: planKeys.plan(managerId, period),
  queryFn: async (): Promise<Plan | null> => {
    try {
      return await call(client.GET('/api/v1/plans/{managerId}/{period}', { params: { path: { managerId, period } } }), {
        quiet401: false,
      });
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  },
});

export const planListQuery = (period: string) => ({
  queryKey: planKeys.list(period),
  queryFn: () => call(client.GET('/api/v1/plans', { params: { query: { period } } })),
});

export interface TotalsQuery {
  period: string;
  by: TotalsLevel;
  departmentId?: string;
  managerId?: string;
  clientId?: string;
}
export const totalsQuery = (q: TotalsQuery) => ({
  queryKey: planKeys.totals(q),
  queryFn: () => call(client.GET('/api/v1/plan-totals', { params: { query: q } })),
});

export interface VsActualQuery {
  from: string;
  to: string;
  departmentId?: string;
  managerId?: string;
}
export const vsActualQuery = (q: VsActualQuery) => ({
  queryKey: planKeys.vsActual(q),
  queryFn: () => call(client.GET('/api/v1/plan-vs-actual', { params: { query: q } })),
});

export const settingsQuery = {
  queryKey: planKeys.settings,
  queryFn: () => call(client.GET('/api/v1/plan-settings')),
  staleTime: 60_000,
};

/** Submitted plans past the review day (an administrator: the company's; a lead: their subtree's). */
export const overdueQuery = {
  queryKey: planKeys.overdue,
  queryFn: () => call(client.GET('/api/v1/plans/overdue')),
};

export const saveSettings = (body: RequestBody<'setPlanSettings'>) =>
  call(client.PUT('/api/v1/plan-settings', { body }), { method: 'PUT' });

const path = (managerId: string, period: string) => ({ params: { path: { managerId, period } } });

export const savePlan = (managerId: string, period: string, body: SaveBody) =>
  call(client.PUT('/api/v1/plans/{managerId}/{period}', { ...path(managerId, period), body }), { method: 'PUT' });

export const submitPlan = (managerId: string, period: string, note: string, version?: number) =>
  call(
    client.POST('/api/v1/plans/{managerId}/{period}/submit', {
      ...path(managerId, period),
      body: { note, version },
    }),
    { method: 'POST' },
  );

export const decideLines = (managerId: string, period: string, decisions: Decision[]) =>
  call(
    client.POST('/api/v1/plans/{managerId}/{period}/decisions', {
      ...path(managerId, period),
      body: { decisions },
    }),
    { method: 'POST' },
  );

export const finalisePlan = (managerId: string, period: string, version?: number) =>
  call(client.POST('/api/v1/plans/{managerId}/{period}/finalise', { ...path(managerId, period), body: { version } }), {
    method: 'POST',
  });

export const recordPayment = (body: NewPayment) => call(client.POST('/api/v1/payments', { body }), { method: 'POST' });

/** Without confirm: the preview with each row's errors, nothing written; with confirm the valid rows are written. */
export function importPayments(file: File, confirm: boolean) {
  const form = new FormData();
  form.set('confirm', confirm ? 'true' : 'false');
  form.set('file', file, file.name);
  return api.post<PaymentImport>('/payments/import', form);
}

/** The open deals (not closed) a manager owns, for lines made from deals. */
export interface OpenDeal {
  id: string;
  title: string;
  clientId: string;
  clientName: string;
  amount: string | null;
  currency: string | null;
  expectedCloseDate: string | null;
  closedAt: string | null;
}
export async function openDealsOf(managerId: string): Promise<OpenDeal[]> {
  const out: OpenDeal[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 5; i++) {
    const page: { items: OpenDeal[]; nextCursor: string | null } = await api.get(
      `/deals${qs({ owner: managerId, limit: 100, cursor: cursor ?? undefined })}`,
    );
    out.push(...page.items.filter((d) => !d.closedAt));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

/**
 * A plan as a command answered it, shown at once. A read of it still in flight (started, say, by the live event of
 * an earlier change) is cancelled first, so that its older answer cannot replace this one.
 */
export async function showPlan(qc: QueryClient, plan: Plan) {
  const key = planKeys.plan(plan.managerId, plan.period);
  await qc.cancelQueries({ queryKey: key, exact: true });
  // answers to commands sent close together may arrive out of order: an older plan never replaces a newer one
  qc.setQueryData<Plan | null>(key, (shown) => (shown && shown.version > plan.version ? shown : plan));
  void qc.invalidateQueries({ queryKey: planKeys.all, predicate: (x) => x.queryKey[1] !== 'one' });
}
