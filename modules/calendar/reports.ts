/**
 * Interaction reports: what came of a call, a meeting, an email or a negotiation. Most are an event's result
 * (recorded through its workflow, commands.ts); these are written on their own, e.g. a call nobody planned. Each
 * appears on the timeline of the deal, client and contact it is about.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidArray, visibleOwnerIds, type Viewer } from '../access/visibility.ts';
import { visibleClient, visibleContact } from '../clients/queries.ts';
import { readDeal } from '../deals/queries.ts';
import { DomainError, invalidReference } from '../shared/errors.ts';
import { Keyset } from '../shared/keyset.ts';
import { recordEvent } from '../timeline/write.ts';
import type { Disposition, ReportKind } from './model.ts';

export interface NewReport {
  kind: ReportKind;
  occurredAt: string;
  clientId: string | null;
  contactId: string | null;
  dealId: string | null;
  participantUserIds: string[];
  participantContactIds: string[];
  disposition: Disposition | null;
  outcomeId: string;
  summary: string;
  nextStep: string;
}

export interface ReportView {
  id: string;
  authorId: string;
  authorName: string;
  kind: ReportKind;
  occurredAt: string;
  eventId: string | null;
  occurrence: string | null;
  clientId: string | null;
  clientName: string | null;
  contactId: string | null;
  dealId: string | null;
  dealTitle: string | null;
  disposition: Disposition | null;
  outcome: string;
  summary: string;
  nextStep: string;
  nextEventId: string | null;
  createdAt: string;
}

const SELECT = `
  select r.id, r.author_id as "authorId", u.name as "authorName", r.kind, r.occurred_at as "occurredAt",
         r.event_id as "eventId", r.occurrence, r.client_id as "clientId", c.name as "clientName",
         r.contact_id as "contactId", r.deal_id as "dealId", d.title as "dealTitle", r.disposition,
         r.outcome_label as outcome, r.summary, r.next_step as "nextStep", r.next_event_id as "nextEventId",
         r.created_at as "createdAt"
    from interaction_reports r
    join users u on u.id = r.author_id
    left join clients c on c.id = r.client_id
    left join deals d on d.id = r.deal_id`;

const iso = (d: unknown) => (d === null || d === undefined ? null : new Date(d as string).toISOString());
const view = (r: ReportView): ReportView => ({
  ...r,
  occurredAt: iso(r.occurredAt)!,
  occurrence: iso(r.occurrence),
  createdAt: iso(r.createdAt)!,
});

/** Writes a report of the user's own; the outcome is one the admin offers for its kind (any kind for a negotiation). */
export async function createReport(
  em: EntityManager,
  viewer: Viewer,
  input: NewReport,
  opId?: string,
): Promise<ReportView> {
  if (input.contactId && !input.clientId) throw invalidReference('contactId', 'contact without its client');
  if (input.clientId)
    await visibleClient(em, viewer, input.clientId).catch(() => Promise.reject(invalidReference('clientId', 'client')));
  if (input.contactId) {
    await visibleContact(em, viewer, input.clientId!, input.contactId).catch(() =>
      Promise.reject(invalidReference('contactId', 'contact of this client')),
    );
  }
  if (input.dealId) {
    const deal = await readDeal(em, viewer, input.dealId);
    if (!deal) throw invalidReference('dealId', 'deal');
    if (input.clientId && deal.clientId !== input.clientId) throw invalidReference('dealId', 'deal of this client');
  }
  if (input.disposition && input.kind !== 'call') {
    throw new DomainError('REPORT_INVALID', 'Only a call has a disposition', { field: 'disposition' });
  }
  const [outcome] = await em
    .getConnection()
    .execute<{ id: string; label: string }[]>(
      `select id, label from event_outcomes where id = ? and archived_at is null and (kind = ? or ? = 'negotiation')`,
      [input.outcomeId, input.kind, input.kind],
    );
  if (!outcome) {
    throw new DomainError('REPORT_INVALID', 'Choose one of the outcomes offered', { field: 'outcomeId' });
  }
  const id = randomUUID();
  await em.transactional(async (tx) => {
    const conn = tx.getConnection();
    const ctx = tx.getTransactionContext<object>();
    const inserted = await conn.execute<{ id: string }[]>(
      `insert into interaction_reports (id, author_id, kind, occurred_at, client_id, contact_id, deal_id,
         participant_user_ids, participant_contact_ids, disposition, outcome_id, outcome_label, summary, next_step, op_id)
       values (?, ?, ?, ?, ?, ?, ?, ?::uuid[], ?::uuid[], ?, ?, ?, ?, ?, ?) on conflict (op_id) do nothing returning id`,
      [
        id,
        viewer.id,
        input.kind,
        input.occurredAt,
        input.clientId,
        input.contactId,
        input.dealId,
        uuidArray(input.participantUserIds),
        uuidArray(input.participantContactIds),
        input.disposition,
        outcome.id,
        outcome.label,
        input.summary,
        input.nextStep,
        opId ?? id,
      ],
      'all',
      ctx,
    );
    if (!inserted.length) return;
    const data = {
      reportId: id,
      kind: input.kind,
      outcome: outcome.label,
      summary: input.summary,
      eventId: null,
      nextEventId: null,
    };
    const meta = { kind: 'reported' as const, actorId: viewer.id };
    if (input.dealId) await recordEvent(tx, { ...meta, recordType: 'deal', recordId: input.dealId, data });
    if (input.clientId) await recordEvent(tx, { ...meta, recordType: 'client', recordId: input.clientId, data });
    if (input.contactId && input.clientId) {
      await recordEvent(tx, {
        ...meta,
        recordType: 'contact',
        recordId: input.contactId,
        data: { ...data, clientId: input.clientId },
      });
    }
  });
  const [row] = await em.getConnection().execute<ReportView[]>(`${SELECT} where r.op_id = ?`, [opId ?? id]);
  return view(row);
}

export const reportKeyset = new Keyset({
  cursor: z.tuple([z.iso.datetime({ offset: true }), z.uuid()]),
  columns: ['r.occurred_at', 'r.id'],
  values: ['?::timestamptz', '?::uuid'],
  dir: 'desc',
  keyOf: (r: ReportView) => [r.occurredAt, r.id],
});

export interface ReportFilter {
  authorId?: string;
  clientId?: string;
  dealId?: string;
  contactId?: string;
  kind?: ReportKind;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

/** Reports the viewer sees (by its author, as they see records by owner), newest first. */
export async function listReports(
  em: EntityManager,
  viewer: Viewer,
  f: ReportFilter,
): Promise<{ items: ReportView[]; nextCursor: string | null }> {
  const owners = await visibleOwnerIds(em, viewer);
  const where: string[] = [];
  const params: unknown[] = [];
  if (owners !== 'all') {
    where.push('(r.author_id = any(?::uuid[]) or ? = any(r.participant_user_ids))');
    params.push(uuidArray(owners), viewer.id);
  }
  const eq = (col: string, v: unknown) => {
    if (v !== undefined) {
      where.push(`${col} = ?`);
      params.push(v);
    }
  };
  eq('r.author_id', f.authorId);
  eq('r.client_id', f.clientId);
  eq('r.deal_id', f.dealId);
  eq('r.contact_id', f.contactId);
  eq('r.kind', f.kind);
  if (f.from) {
    where.push('r.occurred_at >= ?');
    params.push(f.from);
  }
  if (f.to) {
    where.push('r.occurred_at < ?');
    params.push(f.to);
  }
  const after = reportKeyset.after(reportKeyset.decode(f.cursor));
  where.push(after.sql);
  params.push(...after.params);
  const rows = await em
    .getConnection()
    .execute<ReportView[]>(`${SELECT} where ${where.join(' and ')} order by ${reportKeyset.orderBy()} limit ?`, [
      ...params,
      f.limit + 1,
    ]);
  return reportKeyset.page(rows.map(view), f.limit);
}
