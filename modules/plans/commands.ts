/**
 * The one path for every change to a revenue plan: each is an Update to the plan's workflow (modules/kit/send.ts).
 * What needs I/O — who may act, the period, the lines' clients and deals, the currencies and the rate of each line's
 * date — is loaded and checked here, before.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { orgSubtree, uuidArray, type Viewer } from '../access/visibility.ts';
import { send, type Target } from '../kit/send.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import {
  createPlan,
  decideLines,
  finalisePlan,
  planKey,
  planKind,
  resyncPlan,
  savePlan,
  submitPlan,
  type PlanResult,
  type PlanWorkflowInput,
} from '../../workflows/plan-contract.ts';
import { planWorkflow } from '../../workflows/plan.ts';
import { PlanFailure } from './contract.ts';
import type { DecisionInput, LineInput, LineWrite, PlanState } from './model.ts';
import { parsePlanPeriod, type Period } from './periods.ts';
import { applySave, lineDiff, lineProblems, type LineProblem } from './rules.ts';
import { deadlines, findPlanRow, leadsAbove, loadPlanSettings, loadPlanState, type PlanRow } from './rows.ts';
import { baseAmounts, loadCurrencies } from './money.ts';

export interface PlanCommandContext {
  em: EntityManager;
  temporal: Client;
  taskQueue: string;
  actorId: string | null;
  viewer: Viewer;
}

/** Whose plans the viewer sees and edits: their own, their org subtree's (a lead), everyone's (an admin). */
export async function mayAccessPlansOf(em: EntityManager, viewer: Viewer, managerId: string): Promise<boolean> {
  if (viewer.id === managerId || viewer.role === 'admin') return true;
  const subtree = await orgSubtree(em, viewer.id, viewer.accessEpoch);
  return subtree.userIds.includes(managerId);
}

export function planPeriod(text: string): Period {
  const p = parsePlanPeriod(text);
  if (!p) {
    throw new DomainError(
      PlanFailure.badPeriod,
      'A plan is made for a day (2026-12-01), a week (2026-W49) or a month (2026-12)',
      {
        field: 'period',
      },
    );
  }
  return p;
}

const lineInvalid = (problems: LineProblem[]) =>
  new DomainError(PlanFailure.lineInvalid, `${problems[0].field}: ${problems[0].message}`, { errors: problems });

const target = (key: string, start: () => Promise<PlanWorkflowInput>): Target<PlanWorkflowInput> => ({
  kind: planKind,
  workflow: planWorkflow,
  id: key,
  start,
});

function sendChange<C extends Parameters<typeof send>[3]>(
  ctx: PlanCommandContext,
  row: PlanRow,
  update: Parameters<typeof send<PlanWorkflowInput, PlanResult, C>>[2],
  cmd: C,
): Promise<PlanResult> {
  const t = target(planKey(row.managerId, row.period), async () => {
    const plan = await loadPlanState(ctx.em.fork(), row.id);
    if (!plan) throw notFound('Plan');
    return { plan, created: true };
  });
  return send(ctx, t, update, cmd, {
    storedVersion: async () => (await findPlanRow(ctx.em.fork(), row.managerId, row.period))?.version ?? null,
    resync: resyncPlan,
  });
}

/** The plan the viewer may act on, or NOT_FOUND (another manager's plan looks like a missing one). */
async function reachable(ctx: PlanCommandContext, managerId: string, period: string): Promise<PlanRow> {
  const p = planPeriod(period);
  if (!(await mayAccessPlansOf(ctx.em, ctx.viewer, managerId))) throw notFound('Plan');
  const row = await findPlanRow(ctx.em, managerId, p.key);
  if (!row) throw notFound('Plan');
  return row;
}

/** Checks what the lines refer to: existing clients, and deals of those clients. */
async function checkReferences(em: EntityManager, lines: readonly LineInput[]): Promise<void> {
  const clients = [...new Set(lines.map((l) => l.clientId))];
  const found = await em
    .getConnection()
    .execute<{ id: string }[]>('select id from clients where id = any(?::uuid[])', [uuidArray(clients)]);
  const known = new Set(found.map((r) => r.id));
  const deals = lines.filter((l) => l.dealId).map((l) => l.dealId!);
  const dealRows = deals.length
    ? await em
        .getConnection()
        .execute<{ id: string; client_id: string | null }[]>(
          'select id, client_id from deals where id = any(?::uuid[])',
          [uuidArray(deals)],
        )
    : [];
  const dealClient = new Map(dealRows.map((d) => [d.id, d.client_id]));
  const problems: LineProblem[] = [];
  lines.forEach((l, i) => {
    if (!known.has(l.clientId)) problems.push({ line: i, field: `lines.${i}.clientId`, message: 'No such client' });
    if (l.dealId && dealClient.get(l.dealId) !== l.clientId)
      problems.push({ line: i, field: `lines.${i}.dealId`, message: 'No such deal of this client' });
  });
  if (problems.length)
    throw new DomainError('INVALID_REFERENCE', `${problems[0].field}: ${problems[0].message}`, {
      field: problems[0].field,
      errors: problems,
    });
}

export interface SaveInput {
  lines: LineInput[];
  expectedVersion?: number;
}

const sameLine = (a: LineWrite, b: LineWrite) =>
  a.clientId === b.clientId &&
  a.dealId === b.dealId &&
  Number(a.amount) === Number(b.amount) &&
  a.currency === b.currency &&
  a.expectedOn === b.expectedOn &&
  a.comment === b.comment;

/**
 * Saves a manager's plan for a period: creates it, or replaces its lines. With confirmation off a saved plan is
 * final; on, a final plan saved again opens a new revision to confirm, and under review only doubtful lines change.
 */
export async function savePlanCommand(
  ctx: PlanCommandContext,
  managerId: string,
  periodText: string,
  input: SaveInput,
): Promise<PlanState> {
  const period = planPeriod(periodText);
  if (!(await mayAccessPlansOf(ctx.em, ctx.viewer, managerId))) throw notFound('Plan');
  const [manager] = await ctx.em
    .getConnection()
    .execute<{ id: string }[]>('select id from users where id = ?', [managerId]);
  if (!manager) throw notFound('Plan');
  const currencies = await loadCurrencies(ctx.em);
  const problems = lineProblems(input.lines, period, {
    company: currencies.company,
    rated: Object.keys(currencies.byDay),
  });
  if (problems.length) throw lineInvalid(problems);
  await checkReferences(ctx.em, input.lines);
  const row = await findPlanRow(ctx.em, managerId, period.key);
  const existing = row
    ? await ctx.em.getConnection().execute<LineWrite[]>(
        `select id, client_id as "clientId", deal_id as "dealId", amount::text as amount, currency,
                  amount_base::text as "amountBase", expected_on::text as "expectedOn", comment
             from plan_lines where plan_id = ?`,
        [row.id],
      )
    : [];
  const held = new Map(existing.map((l) => [l.id, l]));
  const bad = input.lines.map((l, i) => [l, i] as const).filter(([l]) => l.id && !held.has(l.id));
  if (bad.length) {
    throw lineInvalid(bad.map(([, i]) => ({ line: i, field: `lines.${i}.id`, message: 'No such line in this plan' })));
  }
  const amounts = baseAmounts(currencies, input.lines);
  const lines: LineWrite[] = input.lines.map((l, i) => ({
    id: l.id ?? randomUUID(),
    clientId: l.clientId,
    dealId: l.dealId ?? null,
    amount: l.amount,
    currency: l.currency,
    expectedOn: l.expectedOn,
    comment: l.comment ?? '',
    amountBase: amounts[i],
  }));
  const changed = lines.filter((l) => held.has(l.id) && !sameLine(l, held.get(l.id)!)).map((l) => l.id);
  const opId = randomUUID();
  if (!row) {
    const settings = await loadPlanSettings(ctx.em);
    const empty: PlanState = {
      id: randomUUID(),
      managerId,
      period: period.key,
      status: 'draft',
      revision: 1,
      confirmation: settings.confirmation,
      leadIds: await leadsAbove(ctx.em, managerId),
      lines: [],
      version: 0,
      ...deadlines(period.key, settings),
      submitReminded: 0,
      reviewReminded: 0,
    };
    const plan = {
      ...applySave(
        empty,
        lines,
        lineDiff(
          empty,
          lines.map((l) => l.id),
          [],
        ),
      ),
      version: 1,
    };
    const start = { plan: empty, created: false };
    const r = await send(
      ctx,
      target(planKey(managerId, period.key), () => Promise.resolve(start)),
      createPlan,
      {
        opId,
        actorId: ctx.actorId,
        plan,
        periodKind: period.kind,
        periodStart: period.start,
        periodEnd: period.end,
        lines,
      },
    );
    return r.plan;
  }
  const r = await sendChange(ctx, row, savePlan, {
    opId,
    actorId: ctx.actorId,
    expectedVersion: input.expectedVersion,
    storedVersion: row.version,
    lines,
    changed,
    confirmation: (await loadPlanSettings(ctx.em)).confirmation,
  });
  return r.plan;
}

export async function submitPlanCommand(
  ctx: PlanCommandContext,
  managerId: string,
  period: string,
  input: { note: string; expectedVersion?: number },
): Promise<PlanState> {
  const row = await reachable(ctx, managerId, period);
  const r = await sendChange(ctx, row, submitPlan, {
    opId: randomUUID(),
    actorId: ctx.actorId,
    expectedVersion: input.expectedVersion,
    storedVersion: row.version,
    note: input.note,
    confirmation: (await loadPlanSettings(ctx.em)).confirmation,
  });
  return r.plan;
}

export async function decideLinesCommand(
  ctx: PlanCommandContext,
  managerId: string,
  period: string,
  input: { decisions: DecisionInput[]; expectedVersion?: number },
): Promise<PlanState> {
  const row = await reachable(ctx, managerId, period);
  const r = await sendChange(ctx, row, decideLines, {
    opId: randomUUID(),
    actorId: ctx.actorId,
    expectedVersion: input.expectedVersion,
    storedVersion: row.version,
    decisions: input.decisions,
    leadIds: await leadsAbove(ctx.em, managerId),
  });
  return r.plan;
}

export async function finalisePlanCommand(
  ctx: PlanCommandContext,
  managerId: string,
  period: string,
  input: { expectedVersion?: number },
): Promise<PlanState> {
  const row = await reachable(ctx, managerId, period);
  const r = await sendChange(ctx, row, finalisePlan, {
    opId: randomUUID(),
    actorId: ctx.actorId,
    expectedVersion: input.expectedVersion,
    storedVersion: row.version,
    leadIds: await leadsAbove(ctx.em, managerId),
  });
  return r.plan;
}
