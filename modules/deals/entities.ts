import { defineEntity, p } from '@mikro-orm/core';

export const Deal = defineEntity({
  name: 'Deal',
  tableName: 'deals',
  properties: {
    id: p.uuid().primary(),
    title: p.text(),
    clientId: p.uuid(),
    contactId: p.uuid().nullable(),
    ownerId: p.uuid(),
    pipelineId: p.uuid(),
    stageId: p.uuid(),
    amount: p.decimal('string').nullable(),
    currency: p.string().length(3).nullable(),
    expectedCloseDate: p.string().columnType('date').nullable(),
    custom: p.json<Record<string, unknown>>(),
    lostReason: p.text().nullable(),
    closedAt: p.datetime().nullable(),
    /** set while the deal is archived: left out of the board, the list, searches and totals; read-only */
    archivedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    version: p.integer().version(),
  },
});
export type DealRow = InstanceType<typeof Deal.class>;

export const DealAttachment = defineEntity({
  name: 'DealAttachment',
  tableName: 'deal_attachments',
  properties: {
    id: p.uuid().primary(),
    dealId: p.uuid(),
    documentKindId: p.uuid().nullable(),
    fileSha256: p.string().length(64),
    fileName: p.text(),
    contentType: p.text(),
    size: p.bigint('number'),
    uploadedBy: p.uuid(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type DealAttachmentRow = InstanceType<typeof DealAttachment.class>;
