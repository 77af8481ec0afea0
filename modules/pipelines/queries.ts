import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../shared/errors.ts';
import type { Translations } from '../shared/translations.ts';
import type { FieldTranslations } from '../fields/types.ts';
import { DEAL_BUILT_IN_FIELDS } from '../fields/deal-fields.ts';
import {
  DealField,
  DocumentKind,
  Pipeline,
  Stage,
  type FieldType,
  type PipelineRow,
  type StageRow,
} from './entities.ts';

/** Pipelines as the API shows them, with their stages in order (one query for all stages). */
export async function toPipelines(em: EntityManager, rows: PipelineRow[]) {
  const stages: StageRow[] = rows.length
    ? await em.find(
        Stage,
        { pipelineId: { $in: rows.map((r) => r.id) } },
        { orderBy: [{ position: 'asc' }, { id: 'asc' }] },
      )
    : [];
  return rows.map((p) => ({
    id: p.id,
    name: p.name,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it (the ORM's brand)
    translations: (p.translations ?? {}) as Translations,
    position: p.position,
    archived: !!p.archivedAt,
    version: p.version,
    stages: stages
      .filter((s) => s.pipelineId === p.id)
      .map((s) => ({
        id: s.id,
        name: s.name,
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it (the ORM's brand)
        translations: (s.translations ?? {}) as Translations,
        position: s.position,
        kind: s.kind,
        requiredFields: s.requiredFields ?? [],
        requiredDocumentKinds: s.requiredDocumentKinds ?? [],
        stuckAfterDays: s.stuckAfterDays ?? null,
        winProbability: s.winProbability ?? null,
      })),
  }));
}

/** Every pipeline with its stages; archived pipelines come last. */
export async function listPipelines(em: EntityManager) {
  const rows = await em.find(Pipeline, {}, { orderBy: [{ position: 'asc' }, { name: 'asc' }, { id: 'asc' }] });
  rows.sort((a, b) => Number(!!a.archivedAt) - Number(!!b.archivedAt));
  return toPipelines(em, rows);
}

export async function getPipeline(em: EntityManager, id: string) {
  const row = await em.fork().findOne(Pipeline, { id });
  if (!row) throw notFound('Pipeline');
  return (await toPipelines(em.fork(), [row]))[0];
}

export const toDocumentKind = (k: { id: string; code: string; name: string; translations?: object | null }) => ({
  id: k.id,
  code: k.code,
  name: k.name,
  translations: (k.translations ?? {}) as Translations,
});

export async function listDocumentKinds(em: EntityManager) {
  return (await em.find(DocumentKind, {}, { orderBy: [{ name: 'asc' }, { id: 'asc' }] })).map(toDocumentKind);
}

export const toDealField = (f: {
  id: string;
  key: string;
  label: string;
  translations?: object | null;
  type: string;
  options?: string[] | null;
  position: number;
}) => ({
  id: f.id,
  key: f.key,
  label: f.label,
  translations: (f.translations ?? {}) as FieldTranslations,
  type: f.type as FieldType,
  options: f.options ?? [],
  position: f.position,
});

/** Custom deal fields in order, and the built-in ones a stage can also require. */
export async function listDealFields(em: EntityManager) {
  const rows = await em.find(DealField, {}, { orderBy: [{ position: 'asc' }, { key: 'asc' }] });
  return {
    items: rows.map(toDealField),
    builtIn: DEAL_BUILT_IN_FIELDS.map((f) => ({
      key: f.key,
      label: f.label,
      type: f.type,
      translations: f.translations,
    })),
  };
}
