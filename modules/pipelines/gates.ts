import type { EntityManager } from '@mikro-orm/postgresql';
import { gateFingerprint, type StageGate } from '../deals/gate.ts';
import { DEAL_BUILT_IN_FIELDS, type DealBuiltInKey } from '../fields/deal-fields.ts';
import { DealField, DocumentKind, Stage, type StageRow } from './entities.ts';

/** label and type of each built-in deal field (modules/fields/deal-fields.ts declares them) */
export const BUILT_IN_FIELD_LABELS = Object.fromEntries(
  DEAL_BUILT_IN_FIELDS.map((f) => [f.key, { label: f.label, type: f.type }]),
) as Record<DealBuiltInKey, { label: string; type: string }>;

/** Resolves a stage's requirement keys to labelled requirements, as the gate and the stage dialog need them. */
export async function gateOf(em: EntityManager, stage: StageRow): Promise<StageGate> {
  const customKeys = stage.requiredFields.filter((k) => !(k in BUILT_IN_FIELD_LABELS));
  const [fields, kinds] = await Promise.all([
    customKeys.length ? em.find(DealField, { key: { $in: customKeys } }) : [],
    stage.requiredDocumentKinds.length ? em.find(DocumentKind, { id: { $in: stage.requiredDocumentKinds } }) : [],
  ]);
  return {
    stageId: stage.id,
    pipelineId: stage.pipelineId,
    name: stage.name,
    kind: stage.kind,
    requiredFields: stage.requiredFields.map((key) => {
      const builtIn = BUILT_IN_FIELD_LABELS[key as keyof typeof BUILT_IN_FIELD_LABELS];
      if (builtIn) return { key, ...builtIn };
      const f = fields.find((x) => x.key === key);
      return {
        key,
        label: f?.label ?? key,
        type: f?.type ?? 'text',
        ...(f?.type === 'select' ? { options: f.options } : {}),
      };
    }),
    requiredDocumentKinds: stage.requiredDocumentKinds.map((id) => ({
      id,
      name: kinds.find((k) => k.id === id)?.name ?? id,
    })),
    fingerprint: gateFingerprint(stage),
  };
}

export async function loadGate(em: EntityManager, stageId: string): Promise<StageGate | null> {
  const stage = await em.findOne(Stage, { id: stageId });
  return stage ? gateOf(em, stage) : null;
}
