import type { EntityManager } from '@mikro-orm/postgresql';
import type { DealRow } from './entities.ts';
import type { DealState, FieldValue } from './gate.ts';

/** The deal as its workflow holds it, built from Postgres: the row and the count of attachments per document kind. */
export async function dealStateOf(em: EntityManager, row: DealRow): Promise<DealState> {
  const counts = await em
    .getConnection()
    .execute<{ document_kind_id: string; n: string }[]>(
      'select document_kind_id, count(*) as n from deal_attachments where deal_id = ? and document_kind_id is not null group by 1',
      [row.id],
    );
  return {
    id: row.id,
    title: row.title,
    clientId: row.clientId,
    contactId: row.contactId ?? null,
    ownerId: row.ownerId,
    pipelineId: row.pipelineId,
    stageId: row.stageId,
    amount: row.amount ?? null,
    currency: row.currency ?? null,
    expectedCloseDate: row.expectedCloseDate ?? null,
    custom: (row.custom ?? {}) as Record<string, FieldValue>,
    lostReason: row.lostReason ?? null,
    documentKinds: Object.fromEntries(counts.map((c) => [c.document_kind_id, Number(c.n)])),
    version: row.version,
    // only when archived: a live deal's state stays as it was before archiving existed
    ...(row.archivedAt ? { archived: true } : {}),
  };
}
