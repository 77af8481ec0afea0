import { defineEntity, p } from '@mikro-orm/core';

export const STAGE_KINDS = ['open', 'won', 'lost'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];
export const FIELD_TYPES = ['text', 'number', 'money', 'date', 'select'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const Pipeline = defineEntity({
  name: 'Pipeline',
  tableName: 'pipelines',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    position: p.integer().default(0),
    archivedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    version: p.integer().version(),
  },
});
export type PipelineRow = InstanceType<typeof Pipeline.class>;

export const Stage = defineEntity({
  name: 'Stage',
  tableName: 'stages',
  properties: {
    id: p.uuid().primary(),
    pipelineId: p.uuid(),
    name: p.text(),
    position: p.integer(),
    kind: p.enum(STAGE_KINDS),
    requiredFields: p.json<string[]>(),
    requiredDocumentKinds: p.json<string[]>(),
  },
});
export type StageRow = InstanceType<typeof Stage.class>;

/** A kind of document a deal can carry, e.g. "Commercial proposal". */
export const DocumentKind = defineEntity({
  name: 'DocumentKind',
  tableName: 'document_kinds',
  properties: {
    id: p.uuid().primary(),
    code: p.text(),
    name: p.text(),
    nameRu: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type DocumentKindRow = InstanceType<typeof DocumentKind.class>;

/** A custom deal field defined by an admin. */
export const DealField = defineEntity({
  name: 'DealField',
  tableName: 'deal_fields',
  properties: {
    id: p.uuid().primary(),
    key: p.text(),
    label: p.text(),
    labelRu: p.text().nullable(),
    type: p.enum(FIELD_TYPES),
    options: p.json<string[]>(),
    position: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type DealFieldRow = InstanceType<typeof DealField.class>;
