/**
 * Deal reads: the list, the board, one deal, its history. Plain SQL shaped for the indexes of
 * Migration20261130010000_reads_at_scale, rows mapped without entity hydration, names joined in the query.
 *
 * Visibility is read as owned UNION shared, so each side uses its own index: the owned side orders by the index of its
 * owner condition ((updated_at, id) for everyone, (owner_id, updated_at, id) for one owner, the same index once per
 * owner for a small group, merged), the shared side starts from record_shares (user_id, record_type).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Keyset } from '../shared/keyset.ts';
import { likePattern } from '../shared/search.ts';
import { notFound } from '../shared/errors.ts';
import { dealReferences } from '../fields/deal-references.ts';
import { addCompanyTotals, addTotals, companyTotal, type CompanyTotal, type Money } from '../currency/rules.ts';
import { RATE_TEXT } from '../currency/queries.ts';
import { nextActivities } from '../calendar/queries.ts';
import type { EventKind } from '../calendar/model.ts';
import {
  ownerScope,
  readScope,
  uuidArray,
  type OwnerFilter,
  type ReadScope,
  type Viewer,
} from '../access/visibility.ts';

export interface DealView {
  id: string;
  title: string;
  clientId: string;
  clientName: string;
  contactId: string | null;
  contactName: string | null;
  ownerId: string;
  ownerName: string;
  pipelineId: string;
  stageId: string;
  amount: string | null;
  currency: string | null;
  expectedCloseDate: string | null;
  custom: Record<string, unknown>;
  lostReason: string | null;
  closedAt: string | null;
  archivedAt: string | null;
  /** when the deal entered the stage it is in */
  stageEnteredAt: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface DealFilters {
  pipelineId?: string;
  stageId?: string;
  clientId?: string;
  /** text in the title, the client's name, tax id, email or phone, the contact's name, email or phone */
  q?: string;
  /** expected close date from / to (inclusive), YYYY-MM-DD */
  closeFrom?: string;
  closeTo?: string;
  /** open deals whose expected close date has passed */
  overdue?: boolean;
  /** open deals unchanged for at least this many days */
  stuckDays?: number;
  /** open deals in their stage for at least the stage's "stuck after" days (stages without one: none) */
  stuck?: boolean;
  owner?: OwnerFilter;
  /** true: only archived deals (the archive); otherwise archived deals are left out */
  archived?: boolean;
}

/**
 * The list's orders: by the last change, newest or oldest first. Only columns with a keyset index are offered (see
 * Migration20261130010000_reads_at_scale): (updated_at, id) overall, per owner, per stage; an order by another
 * column (title, amount, created) would read every visible deal to sort a page.
 */
export const DEAL_SORTS = ['-updatedAt', 'updatedAt'] as const;
export type DealSort = (typeof DEAL_SORTS)[number];

/** (updatedAt, id) of a page's last deal, newest change first */
export const dealKeyset = new Keyset({
  cursor: z.tuple([z.iso.datetime(), z.uuid()]),
  columns: ['{alias}.updated_at', '{alias}.id'],
  dir: 'desc',
  keyOf: (d: { updatedAt: string; id: string }) => [d.updatedAt, d.id],
});

/** The same key, oldest change first (the same indexes, read backwards). */
export const dealKeysetAsc = new Keyset({
  cursor: z.tuple([z.iso.datetime(), z.uuid()]),
  columns: ['{alias}.updated_at', '{alias}.id'],
  dir: 'asc',
  keyOf: (d: { updatedAt: string; id: string }) => [d.updatedAt, d.id],
});
const keysetOf = (sort: DealSort | undefined) => (sort === 'updatedAt' ? dealKeysetAsc : dealKeyset);
type DealKeyset = typeof dealKeyset;

/** Timeline events page by their id (a bigint, as a decimal string): newest first. */
export const eventKeyset = new Keyset({
  cursor: z.tuple([z.string().regex(/^\d{1,19}$/)]),
  columns: ['{alias}.id'],
  values: ['?::bigint'],
  dir: 'desc',
  keyOf: (e: { id: string }) => [e.id],
});

interface Frag {
  sql: string;
  params: unknown[];
}
const frag = (sql: string, ...params: unknown[]): Frag => ({ sql, params });
const and = (parts: Frag[]): Frag => ({
  sql: parts.length ? parts.map((p) => `(${p.sql})`).join(' and ') : 'true',
  params: parts.flatMap((p) => p.params),
});

/** Up to this many owners, the owned side reads each owner's index and merges; above, one scan filters by owner. */
const PER_OWNER_MAX = 40;

/** A deal's view columns from `deals d` with DEAL_JOINS (also read straight from a write's RETURNING, as `d`). */
export const DEAL_COLUMNS = `d.id, d.title, d.client_id, c.name as client_name, d.contact_id, ct.name as contact_name, d.owner_id, u.name as owner_name,
  d.pipeline_id, d.stage_id, d.amount::text as amount, d.currency, to_char(d.expected_close_date, 'YYYY-MM-DD') as expected_close_date,
  d.custom, d.lost_reason, d.closed_at, d.archived_at, d.stage_entered_at, d.created_at, d.updated_at, d.version`;
export const DEAL_JOINS =
  'join clients c on c.id = d.client_id join users u on u.id = d.owner_id left join contacts ct on ct.id = d.contact_id';

export interface DealSqlRow {
  id: string;
  title: string;
  client_id: string;
  client_name: string;
  contact_id: string | null;
  contact_name: string | null;
  owner_id: string;
  owner_name: string;
  pipeline_id: string;
  stage_id: string;
  amount: string | null;
  currency: string | null;
  expected_close_date: string | null;
  custom: Record<string, unknown> | string | null;
  lost_reason: string | null;
  closed_at: Date | string | null;
  archived_at: Date | string | null;
  stage_entered_at: Date | string;
  created_at: Date | string;
  updated_at: Date | string;
  version: number;
}

const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString();
const json = <T>(v: T | string | null, empty: T): T =>
  v === null ? empty : typeof v === 'string' ? (JSON.parse(v) as T) : v;

export function toView(r: DealSqlRow): DealView {
  return {
    id: r.id,
    title: r.title,
    clientId: r.client_id,
    clientName: r.client_name ?? '',
    contactId: r.contact_id ?? null,
    contactName: r.contact_name ?? null,
    ownerId: r.owner_id,
    ownerName: r.owner_name ?? '',
    pipelineId: r.pipeline_id,
    stageId: r.stage_id,
    amount: r.amount ?? null,
    currency: r.currency ?? null,
    expectedCloseDate: r.expected_close_date ?? null,
    custom: json(r.custom, {}),
    lostReason: r.lost_reason ?? null,
    closedAt: r.closed_at ? iso(r.closed_at) : null,
    archivedAt: r.archived_at ? iso(r.archived_at) : null,
    stageEnteredAt: iso(r.stage_entered_at),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    version: Number(r.version),
  };
}

/** The filters as conditions on deals d (the owner filter is part of the scope). */
function filterSql(f: DealFilters): Frag[] {
  // archived deals only in the archive: the board, the list, searches and counts leave them out
  const out: Frag[] = [frag(f.archived ? 'd.archived_at is not null' : 'd.archived_at is null')];
  if (f.pipelineId) out.push(frag('d.pipeline_id = ?', f.pipelineId));
  if (f.stageId) out.push(frag('d.stage_id = ?', f.stageId));
  if (f.clientId) out.push(frag('d.client_id = ?', f.clientId));
  if (f.q) {
    // each side from its trigram index: the title, the matching clients' and contacts' ids (computed once per query)
    const p = likePattern(f.q);
    out.push(
      frag(
        `d.title ilike ?
      or d.client_id = any(array(select c.id from clients c where c.search_text ilike ?))
      or d.contact_id = any(array(select k.id from contacts k where k.search_text ilike ?))`,
        p,
        p,
        p,
      ),
    );
  }
  if (f.closeFrom) out.push(frag('d.expected_close_date >= ?::date', f.closeFrom));
  if (f.closeTo) out.push(frag('d.expected_close_date <= ?::date', f.closeTo));
  if (f.overdue) out.push(frag('d.closed_at is null and d.expected_close_date < current_date'));
  if (f.stuckDays !== undefined)
    out.push(frag("d.closed_at is null and d.updated_at < now() - ? * interval '1 day'", f.stuckDays));
  // the same rule as isStuck (modules/deals/stage-time.ts): at least the threshold's days since entering the stage
  if (f.stuck)
    out.push(
      frag(`d.closed_at is null and d.stage_entered_at <= now() -
        (select s.stuck_after_days from stages s where s.id = d.stage_id) * interval '1 day'`),
    );
  return out;
}

/**
 * (id, updated_at) of the first `limit` deals in keyset order that the scope sees and `cond` keeps: owned UNION shared.
 * `cond` may refer to columns of an outer query (the board's stage). `selective`: `cond` is served by its own indexes
 * (a text search), so the owners filter the few matches instead of each owner's index being walked until enough
 * matches turn up (which reads every deal of every owner when the matches are rare).
 */
function pageIds(
  scope: ReadScope,
  viewerId: string,
  cond: Frag,
  limit: number,
  selective = false,
  keyset: DealKeyset = dealKeyset,
): Frag {
  const order = `order by ${keyset.orderBy('d')} limit ${limit}`;
  const arms: Frag[] = [];
  const owners = scope.owners;
  if (owners === 'all') {
    arms.push({ sql: `select d.id, d.updated_at from deals d where ${cond.sql} ${order}`, params: cond.params });
  } else if (owners.length === 1) {
    arms.push({
      sql: `select d.id, d.updated_at from deals d where d.owner_id = ? and ${cond.sql} ${order}`,
      params: [owners[0], ...cond.params],
    });
  } else if (owners.length > 1 && owners.length <= PER_OWNER_MAX && !selective) {
    arms.push({
      sql: `select x.id, x.updated_at from unnest(?::uuid[]) o(id) cross join lateral (
        select d.id, d.updated_at from deals d where d.owner_id = o.id and ${cond.sql} ${order}) x`,
      params: [uuidArray(owners), ...cond.params],
    });
  } else if (owners.length > 1) {
    arms.push({
      sql: `select d.id, d.updated_at from deals d where d.owner_id = any(?::uuid[]) and ${cond.sql} ${order}`,
      params: [uuidArray(owners), ...cond.params],
    });
  }
  if (scope.sharedOwners !== null) {
    const only =
      scope.sharedOwners === 'any' ? [] : [frag('d.owner_id = any(?::uuid[])', uuidArray(scope.sharedOwners))];
    const where = and([frag("s.user_id = ? and s.record_type = 'deal'", viewerId), ...only, cond]);
    arms.push({
      sql: `select d.id, d.updated_at from record_shares s join deals d on d.id = s.record_id where ${where.sql} ${order}`,
      params: where.params,
    });
  }
  if (!arms.length) return frag('select null::uuid as id, null::timestamptz as updated_at where false');
  if (arms.length === 1 && !arms[0].sql.startsWith('select x.')) return arms[0];
  return {
    sql: `select id, updated_at from (${arms.map((a) => `(${a.sql})`).join(' union ')}) v order by updated_at ${keyset.spec.dir}, id ${keyset.spec.dir} limit ${limit}`,
    params: arms.flatMap((a) => a.params),
  };
}

const run = <T>(em: EntityManager, q: Frag) => em.getConnection().execute<T[]>(q.sql, q.params);

/** The SQL the list issues (the bench prints its plan). */
export async function listDealsSql(
  em: EntityManager,
  viewer: Viewer,
  filters: DealFilters,
  limit: number,
  cursor: string | null | undefined,
  sort?: DealSort,
): Promise<Frag> {
  const keyset = keysetOf(sort);
  const after = keyset.decode(cursor);
  const scope = await readScope(em, viewer, filters.owner);
  const page = pageIds(
    scope,
    viewer.id,
    and([...filterSql(filters), keyset.after(after, 'd')]),
    limit + 1,
    !!filters.q,
    keyset,
  );
  return {
    sql: `select ${DEAL_COLUMNS} from (${page.sql}) p join deals d on d.id = p.id ${DEAL_JOINS} order by ${keyset.orderBy('d')}`,
    params: page.params,
  };
}

/** Deals the viewer can see, newest change first, a page after the cursor. */
export async function listDeals(
  em: EntityManager,
  viewer: Viewer,
  filters: DealFilters,
  limit: number,
  cursor?: string | null,
  sort?: DealSort,
) {
  const rows = await run<DealSqlRow>(em, await listDealsSql(em, viewer, filters, limit, cursor, sort));
  return keysetOf(sort).page(rows.map(toView), limit);
}

/** One deal by id as the viewer may see it, else null (with names). */
export async function readDeal(em: EntityManager, viewer: Viewer | null, id: string): Promise<DealView | null> {
  const q = await readDealSql(em, viewer, id);
  const [row] = await run<DealSqlRow>(em, q);
  return row ? toView(row) : null;
}

async function visibleCond(em: EntityManager, viewer: Viewer | null): Promise<Frag> {
  if (!viewer) return frag('true');
  const scope = await ownerScope(em, viewer);
  if (scope.all) return frag('true');
  return frag(
    `d.owner_id = any(?::uuid[]) or exists (select 1 from record_shares s
    where s.user_id = ? and s.record_type = 'deal' and s.record_id = d.id)`,
    uuidArray(scope.owners),
    viewer.id,
  );
}

export async function readDealSql(em: EntityManager, viewer: Viewer | null, id: string): Promise<Frag> {
  const visible = await visibleCond(em, viewer);
  return {
    sql: `select ${DEAL_COLUMNS} from deals d ${DEAL_JOINS} where d.id = ? and (${visible.sql})`,
    params: [id, ...visible.params],
  };
}

export interface AttachmentView {
  id: string;
  documentKindId: string | null;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  createdAt: string;
}

/** A deal the viewer may see with its attachments (one statement) and the latest history page (in parallel). */
export async function dealDetailSql(em: EntityManager, viewer: Viewer, id: string): Promise<Frag> {
  const visible = await visibleCond(em, viewer);
  return {
    sql: `select ${DEAL_COLUMNS}, (select coalesce(json_agg(json_build_object(
        'id', a.id, 'documentKindId', a.document_kind_id, 'fileName', a.file_name, 'contentType', a.content_type,
        'size', a.size, 'sha256', a.file_sha256, 'uploadedBy', a.uploaded_by,
        'createdAt', to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        order by a.created_at, a.id), '[]'::json) from deal_attachments a where a.deal_id = d.id) as attachments
      from deals d ${DEAL_JOINS} where d.id = ? and (${visible.sql})`,
    params: [id, ...visible.params],
  };
}

export async function dealDetail(em: EntityManager, viewer: Viewer, id: string, historyLimit: number) {
  const q = await dealDetailSql(em, viewer, id);
  const [[row], history] = await Promise.all([
    run<DealSqlRow & { attachments: AttachmentView[] | string }>(em, q),
    // read alongside: a deal the viewer cannot see is answered 404 below and its history dropped unread
    dealHistory(em, id, historyLimit, null),
  ]);
  if (!row) throw notFound('Deal');
  const view = toView(row);
  const attachments = json<AttachmentView[]>(row.attachments, []);
  return { ...view, attachments, references: await dealReferences(em, view.custom, attachments), history };
}

export interface EventView {
  id: string;
  kind: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  fromStageId: string | null;
  toStageId: string | null;
  data: Record<string, unknown>;
}

/** The SQL of one page of a deal's timeline (record_events): the one place that reads deal events. */
export function dealHistorySql(
  dealId: string,
  limit: number,
  cursor: z.output<typeof eventKeyset.spec.cursor> | null,
): Frag {
  const after = eventKeyset.after(cursor, 'e');
  return {
    sql: `select e.id::text as id, e.kind, e.created_at as at, e.actor_id, u.name as actor_name, e.from_stage_id,
        e.to_stage_id, e.data
      from record_events e left join users u on u.id = e.actor_id
      where e.record_type = 'deal' and e.record_id = ? and ${after.sql} order by ${eventKeyset.orderBy('e')} limit ${limit + 1}`,
    params: [dealId, ...after.params],
  };
}

/** One page of a deal's events, newest first, with the names of who did what. */
export async function dealHistory(em: EntityManager, dealId: string, limit: number, cursor: string | null | undefined) {
  const rows = await run<{
    id: string;
    kind: string;
    at: Date | string;
    actor_id: string | null;
    actor_name: string | null;
    from_stage_id: string | null;
    to_stage_id: string | null;
    data: Record<string, unknown> | string | null;
  }>(em, dealHistorySql(dealId, limit, eventKeyset.decode(cursor)));
  return eventKeyset.page(
    rows.map((e): EventView => ({
      id: e.id,
      kind: e.kind,
      at: iso(e.at),
      actorId: e.actor_id ?? null,
      actorName: e.actor_name ?? null,
      fromStageId: e.from_stage_id ?? null,
      toStageId: e.to_stage_id ?? null,
      data: json(e.data, {}),
    })),
    limit,
  );
}

export interface BoardColumn {
  stageId: string;
  count: number;
  totals: { currency: string; amount: string }[];
  deals: DealView[];
  nextCursor: string | null;
}

/** Filters the kept board totals cannot answer (they are per pipeline, stage, owner and currency only). */
const needsCounting = (f: DealFilters) =>
  !!(f.q || f.closeFrom || f.closeTo || f.overdue || f.stuckDays !== undefined || f.stuck || f.stageId || f.clientId);

/** The SQL of a board's counts and totals per (stage, currency). */
export async function boardTotalsSql(
  em: EntityManager,
  viewer: Viewer,
  pipelineId: string,
  filters: DealFilters,
): Promise<Frag> {
  const scope = await readScope(em, viewer, filters.owner);
  const groupBy = `select stage_id, currency, sum(n)::bigint as n, sum(total)::text as total from (`;
  const sharedArm = (exceptOwners: string[] | null, cond: Frag): Frag | null => {
    if (scope.sharedOwners === null) return null;
    const parts = [frag("s.user_id = ? and s.record_type = 'deal' and d.pipeline_id = ?", viewer.id, pipelineId), cond];
    if (scope.sharedOwners !== 'any') parts.push(frag('d.owner_id = any(?::uuid[])', uuidArray(scope.sharedOwners)));
    if (exceptOwners?.length) parts.push(frag('not (d.owner_id = any(?::uuid[]))', uuidArray(exceptOwners)));
    const w = and(parts);
    return {
      sql: `select d.stage_id, coalesce(d.currency, '') as currency, count(*) as n, coalesce(sum(d.amount), 0) as total
        from record_shares s join deals d on d.id = s.record_id where ${w.sql} group by 1, 2`,
      params: w.params,
    };
  };
  const arms: Frag[] = [];
  if (!needsCounting(filters)) {
    // kept exact by triggers, never the deals: for all owners the rollup (stages × currencies × 16 slots), else the
    // totals per owner (stages × owners × currencies × 8 slots rows, summed below)
    if (scope.owners === 'all') {
      arms.push(
        frag(
          `select stage_id, currency, deals as n, amount as total from deal_board_rollup where pipeline_id = ?`,
          pipelineId,
        ),
      );
    } else if (scope.owners.length) {
      arms.push(
        frag(
          `select stage_id, currency, deals as n, amount as total from deal_board_totals
        where owner_id = any(?::uuid[]) and pipeline_id = ?`,
          uuidArray(scope.owners),
          pipelineId,
        ),
      );
    }
    // shared deals are counted from the rows (the kept totals are per owner): archived ones left out here too
    const shared = sharedArm(scope.owners === 'all' ? null : scope.owners, frag('d.archived_at is null'));
    if (shared) arms.push(shared);
  } else {
    const cond = and([frag('d.pipeline_id = ?', pipelineId), ...filterSql(filters)]);
    const owned =
      scope.owners === 'all'
        ? frag('true')
        : scope.owners.length
          ? frag('d.owner_id = any(?::uuid[])', uuidArray(scope.owners))
          : frag('false');
    const w = and([cond, owned]);
    arms.push({
      sql: `select d.stage_id, coalesce(d.currency, '') as currency, count(*) as n, coalesce(sum(d.amount), 0) as total
        from deals d where ${w.sql} group by 1, 2`,
      params: w.params,
    });
    const shared = sharedArm(scope.owners === 'all' ? null : scope.owners, and(filterSql(filters)));
    if (shared) arms.push(shared);
  }
  if (!arms.length)
    return frag(
      'select null::uuid as stage_id, null::text as currency, 0::bigint as n, null::text as total where false',
    );
  return {
    sql: `${groupBy}${arms.map((a) => `(${a.sql})`).join(' union all ')}) t group by 1, 2`,
    params: arms.flatMap((a) => a.params),
  };
}

/** The SQL of a board's first cards: the first perStage + 1 of every stage, one index range each. */
export async function boardCardsSql(
  em: EntityManager,
  viewer: Viewer,
  stageIds: string[],
  filters: DealFilters,
  perStage: number,
): Promise<Frag> {
  const scope = await readScope(em, viewer, filters.owner);
  // the stage implies the pipeline: leaving the pipeline out lets each (owner, stage) range be read from the index alone
  const cond = and([frag('d.stage_id = st.id'), ...filterSql({ ...filters, pipelineId: undefined })]);
  const page = pageIds(scope, viewer.id, cond, perStage + 1, !!filters.q);
  return {
    sql: `select ${DEAL_COLUMNS} from unnest(?::uuid[]) st(id) cross join lateral (${page.sql}) p
      join deals d on d.id = p.id ${DEAL_JOINS} order by d.stage_id, ${dealKeyset.orderBy('d')}`,
    params: [uuidArray(stageIds), ...page.params],
  };
}

/** The stages of a pipeline in order with their win probability; null when there is no such pipeline. */
export async function pipelineStageInfo(
  em: EntityManager,
  pipelineId: string,
): Promise<{ id: string; winProbability: number | null }[] | null> {
  const rows = await em.getConnection().execute<{ stage_id: string | null; win_probability: number | null }[]>(
    `select s.id as stage_id, s.win_probability from pipelines p left join stages s on s.pipeline_id = p.id
     where p.id = ? order by s.position`,
    [pipelineId],
  );
  if (!rows.length) return null;
  return rows
    .filter((r) => !!r.stage_id)
    .map((r) => ({ id: r.stage_id!, winProbability: r.win_probability === null ? null : Number(r.win_probability) }));
}

/** The stages of a pipeline in order; null when there is no such pipeline. */
export async function pipelineStages(em: EntityManager, pipelineId: string): Promise<string[] | null> {
  return (await pipelineStageInfo(em, pipelineId))?.map((s) => s.id) ?? null;
}

/** The company currency and its rates as the board converts with them; null while no company currency is set. */
export interface BoardCurrency {
  currency: string;
  rates: Record<string, string>;
}

/** One statement: the board asks for it beside its totals and cards. */
async function boardCurrency(em: EntityManager): Promise<BoardCurrency | null> {
  const [row] = await em.getConnection().execute<{ currency: string | null; rates: Record<string, string> | string }[]>(
    `select (select currency from company_currency) as currency,
      (select coalesce(json_object_agg(currency, ${RATE_TEXT}), '{}'::json) from currency_rates) as rates`,
  );
  return row?.currency ? { currency: row.currency, rates: json(row.rates, {}) } : null;
}

export interface BoardColumn {
  stageId: string;
  count: number;
  totals: Money[];
  /** the totals as one sum in the company currency (and weighted by the stage's probability); null: none set */
  companyTotal: CompanyTotal | null;
  /** with their next activity (BoardCard) */
  deals: DealView[];
  nextCursor: string | null;
}

/** A deal on the board, with its next planned activity (calendar) or null when none is planned. */
export type BoardCard = DealView & { nextActivity: { start: string; title: string; kind: EventKind } | null };

const byCurrency = (a: Money, b: Money) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0);

/**
 * The kanban board of a pipeline: per stage the number of deals the viewer sees, their totals per currency (and in the
 * company currency) and the first perStage deals with the cursor of the rest.
 */
export async function dealBoard(
  em: EntityManager,
  viewer: Viewer,
  pipelineId: string,
  filters: DealFilters,
  perStage: number,
) {
  const stages = await pipelineStageInfo(em, pipelineId);
  if (!stages) throw notFound('Pipeline');
  const stageIds = stages.map((s) => s.id);
  const f = { ...filters, pipelineId };
  const [totalsQ, cardsQ] = await Promise.all([
    boardTotalsSql(em, viewer, pipelineId, f),
    boardCardsSql(em, viewer, stageIds, f, perStage),
  ]);
  const [sums, cards, currency] = await Promise.all([
    run<{ stage_id: string; currency: string; n: string; total: string }>(em, totalsQ),
    stageIds.length ? run<DealSqlRow>(em, cardsQ) : Promise.resolve([]),
    boardCurrency(em),
  ]);
  const byStage = new Map<string, BoardCard[]>();
  // the next planned activity of every card on the page: one query for all of them
  const next = await nextActivities(
    em,
    cards.map((r) => r.id),
  );
  for (const row of cards) {
    const list = byStage.get(row.stage_id) ?? [];
    const view = toView(row);
    const n = next.get(view.id);
    list.push({ ...view, nextActivity: n ? { ...n, kind: n.kind as EventKind } : null });
    byStage.set(row.stage_id, list);
  }
  const columns: BoardColumn[] = stages.map(({ id: stageId, winProbability }) => {
    const mine = sums.filter((r) => r.stage_id === stageId && Number(r.n) > 0);
    const { items, nextCursor } = dealKeyset.page(byStage.get(stageId) ?? [], perStage);
    const totals = mine
      .filter((r) => r.currency)
      .map((r) => ({ currency: r.currency, amount: r.total }))
      .sort(byCurrency);
    return {
      stageId,
      count: mine.reduce((a, r) => a + Number(r.n), 0),
      totals,
      companyTotal: currency ? companyTotal(totals, currency.currency, currency.rates, winProbability) : null,
      deals: items,
      nextCursor,
    };
  });
  return { pipelineId, currency, stages: columns };
}

/** One manager's figures on a board: per stage and overall. */
export interface ManagerSummary {
  ownerId: string;
  ownerName: string;
  count: number;
  totals: Money[];
  companyTotal: CompanyTotal | null;
  stages: { stageId: string; count: number; totals: Money[]; companyTotal: CompanyTotal | null }[];
}

/**
 * The SQL of a board's counts and totals per (owner, stage, currency) for the owners the viewer sees by ownership
 * (shared deals are not a manager's figures). Without filters the kept totals answer: SUM over every row of a cell,
 * however many rows a cell is kept in.
 */
export async function boardByManagerSql(
  em: EntityManager,
  viewer: Viewer,
  pipelineId: string,
  filters: DealFilters,
): Promise<Frag> {
  const scope = await readScope(em, viewer, filters.owner);
  const cols = 'owner_id, stage_id, currency, n, total';
  if (scope.owners !== 'all' && !scope.owners.length)
    return frag(
      `select null::uuid as owner_id, null::uuid as stage_id, null::text as currency, 0::bigint as n,
        null::text as total where false`,
    );
  const owned = (alias: string) =>
    scope.owners === 'all' ? frag('true') : frag(`${alias}owner_id = any(?::uuid[])`, uuidArray(scope.owners));
  if (!needsCounting(filters)) {
    const w = and([frag('pipeline_id = ?', pipelineId), owned('')]);
    return {
      sql: `select ${cols} from (select owner_id, stage_id, currency, sum(deals)::bigint as n, sum(amount)::text as total
        from deal_board_totals where ${w.sql} group by 1, 2, 3) t where n > 0`,
      params: w.params,
    };
  }
  const w = and([frag('d.pipeline_id = ?', pipelineId), ...filterSql(filters), owned('d.')]);
  return {
    sql: `select d.owner_id, d.stage_id, coalesce(d.currency, '') as currency, count(*)::bigint as n,
        coalesce(sum(d.amount), 0)::text as total from deals d where ${w.sql} group by 1, 2, 3`,
    params: w.params,
  };
}

/**
 * A lead's (or an administrator's) view of a board by manager: for every manager whose deals the viewer sees by
 * ownership (a lead: their groups and themselves; anyone else: themselves), the count and totals per stage and overall.
 */
export async function boardByManager(em: EntityManager, viewer: Viewer, pipelineId: string, filters: DealFilters) {
  const stages = await pipelineStageInfo(em, pipelineId);
  if (!stages) throw notFound('Pipeline');
  const q = await boardByManagerSql(em, viewer, pipelineId, { ...filters, pipelineId });
  const [rows, currency] = await Promise.all([
    run<{ owner_id: string; stage_id: string; currency: string; n: string; total: string }>(em, q),
    boardCurrency(em),
  ]);
  const owners = [...new Set(rows.map((r) => r.owner_id))];
  const names = owners.length
    ? await em
        .getConnection()
        .execute<{ id: string; name: string }[]>('select id, name from users where id = any(?::uuid[])', [
          uuidArray(owners),
        ])
    : [];
  const nameOf = new Map(names.map((u) => [u.id, u.name]));
  const toCompany = (totals: Money[], probability: number | null) =>
    currency ? companyTotal(totals, currency.currency, currency.rates, probability) : null;
  const managers: ManagerSummary[] = owners.map((ownerId) => {
    const mine = rows.filter((r) => r.owner_id === ownerId);
    const cells = stages.map(({ id: stageId, winProbability }) => {
      const here = mine.filter((r) => r.stage_id === stageId);
      const totals = here
        .filter((r) => r.currency)
        .map((r) => ({ currency: r.currency, amount: r.total }))
        .sort(byCurrency);
      return {
        stageId,
        count: here.reduce((a, r) => a + Number(r.n), 0),
        totals,
        companyTotal: toCompany(totals, winProbability),
      };
    });
    return {
      ownerId,
      ownerName: nameOf.get(ownerId) ?? '',
      count: cells.reduce((a, c) => a + c.count, 0),
      totals: addTotals(cells.flatMap((c) => c.totals)),
      // the sum of the stages' figures, so a row adds up to what its cells show (weighted where a stage has one)
      companyTotal: currency
        ? addCompanyTotals(
            currency.currency,
            cells.map((c) => c.companyTotal!),
          )
        : null,
      stages: cells,
    };
  });
  managers.sort((a, b) => a.ownerName.localeCompare(b.ownerName) || (a.ownerId < b.ownerId ? -1 : 1));
  return { pipelineId, currency, managers };
}
