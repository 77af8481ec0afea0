import { DEAL_BUILT_IN_KEYS as BUILT_IN_REQUIRABLE_FIELDS, RESERVED_DEAL_FIELD_KEYS } from '../fields/deal-fields.ts';

export { fieldOptionsProblem } from '../fields/types.ts';
import type { StageKind } from './entities.ts';

export interface StageInput {
  id?: string;
  name: string;
  kind: StageKind;
  requiredFields?: string[];
  requiredDocumentKinds?: string[];
  /** null clears it; left out, a stage keeps what it has */
  stuckAfterDays?: number | null;
  winProbability?: number | null;
}

export interface PipelineFacts {
  /** keys of the custom deal fields that exist */
  fieldKeys: ReadonlySet<string>;
  /** ids of the document kinds that exist */
  documentKindIds: ReadonlySet<string>;
  /** ids of the stages the pipeline has now (empty for a new pipeline) */
  stageIds: ReadonlySet<string>;
}

const BUILT_IN = new Set<string>(BUILT_IN_REQUIRABLE_FIELDS);

/**
 * The rules a pipeline's stages must meet, as one message for the first rule broken, or null when they hold.
 * Pure: the caller gathers the facts from the database.
 */
export function pipelineProblem(stages: StageInput[], facts: PipelineFacts): string | null {
  if (stages.length === 0) return 'A pipeline needs at least one stage';
  if (stages[0].kind !== 'open')
    return 'stages[0]: the first stage must be an open stage, because new deals start there';
  const names = new Map<string, number>();
  const ids = new Map<string, number>();
  for (const [i, s] of stages.entries()) {
    const name = s.name.trim().toLowerCase();
    if (names.has(name))
      return `stages[${i}].name: "${s.name.trim()}" is already the name of stages[${names.get(name)}]; stage names must be unique`;
    names.set(name, i);
    if (s.id !== undefined) {
      if (!facts.stageIds.has(s.id))
        return `stages[${i}].id: no such stage in this pipeline; leave id out to add a stage`;
      if (ids.has(s.id)) return `stages[${i}].id: the same stage is listed twice (also stages[${ids.get(s.id)}])`;
      ids.set(s.id, i);
    }
    for (const key of s.requiredFields ?? []) {
      if (!BUILT_IN.has(key) && !facts.fieldKeys.has(key)) {
        return `stages[${i}].requiredFields: "${key}" is neither a built-in field (${BUILT_IN_REQUIRABLE_FIELDS.join(', ')}) nor a deal field`;
      }
    }
    for (const id of s.requiredDocumentKinds ?? []) {
      if (!facts.documentKindIds.has(id)) return `stages[${i}].requiredDocumentKinds: no document kind ${id}`;
    }
  }
  return null;
}

/** Requirement lists without repeats, in the order given. */
export const unique = (values: string[] | undefined) => [...new Set(values ?? [])];

/** Keys a custom deal field may not take: the built-in requirable fields and the deal's own properties. */
export const RESERVED_FIELD_KEYS = RESERVED_DEAL_FIELD_KEYS;
