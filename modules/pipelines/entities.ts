import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, recordId, versioned } from '../shared/entity.ts';
import type { Translations } from '../shared/translations.ts';
import type { FieldTranslations } from '../fields/types.ts';
import { DEAL_FIELD_TYPES } from '../fields/deal-fields.ts';

export const STAGE_KINDS = ['open', 'won', 'lost'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];
/** the types a custom deal field may have (modules/fields knows more) */
export const FIELD_TYPES = DEAL_FIELD_TYPES;
export type FieldType = (typeof FIELD_TYPES)[number];

/** names in other languages: { ru: { name } } */
const translations = () => ({ translations: p.json<Translations>().onCreate(() => ({})) });

export const Pipeline = defineEntity({
  name: 'Pipeline',
  tableName: 'pipelines',
  properties: {
    ...recordId(),
    name: p.text(),
    ...translations(),
    position: p.integer().default(0),
    archivedAt: p.datetime().nullable(),
    ...createdAt(),
    ...versioned(),
  },
});
export type PipelineRow = InstanceType<typeof Pipeline.class>;

export const Stage = defineEntity({
  name: 'Stage',
  tableName: 'stages',
  properties: {
    ...recordId(),
    pipelineId: p.uuid(),
    name: p.text(),
    ...translations(),
    position: p.integer(),
    kind: p.enum(STAGE_KINDS),
    requiredFields: p.json<string[]>(),
    requiredDocumentKinds: p.json<string[]>(),
    /** a deal in the stage this many days or more is stuck; null: never */
    stuckAfterDays: p.integer().nullable(),
    /** the chance, in whole percent, that a deal in the stage is won; null: not set */
    winProbability: p.integer().nullable(),
  },
});
export type StageRow = InstanceType<typeof Stage.class>;

/** A kind of document a deal can carry, e.g. "Commercial proposal". */
export const DocumentKind = defineEntity({
  name: 'DocumentKind',
  tableName: 'document_kinds',
  properties: {
    ...recordId(),
    code: p.text(),
    name: p.text(),
    ...translations(),
    ...createdAt(),
  },
});
export type DocumentKindRow = InstanceType<typeof DocumentKind.class>;

/** A custom deal field defined by an admin. */
export const DealField = defineEntity({
  name: 'DealField',
  tableName: 'deal_fields',
  properties: {
    ...recordId(),
    key: p.text(),
    label: p.text(),
    /** { ru: { label, options: { <option>: <its name> } } } */
    translations: p.json<FieldTranslations>().onCreate(() => ({})),
    type: p.enum(FIELD_TYPES),
    options: p.json<string[]>(),
    position: p.integer().default(0),
    ...createdAt(),
  },
});
export type DealFieldRow = InstanceType<typeof DealField.class>;
