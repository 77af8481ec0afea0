import { randomUUID } from 'node:crypto';
import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException, raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, notFound, versionConflict } from '../shared/errors.ts';
import type { Translations } from '../shared/translations.ts';
import { fieldOptionsProblem, type FieldTranslations } from '../fields/types.ts';
import { RESERVED_DEAL_FIELD_KEYS } from '../fields/deal-fields.ts';
import { DealField, DocumentKind, Pipeline, Stage, type FieldType } from './entities.ts';
import { pipelineProblem, unique, type StageInput } from './rules.ts';

const invalid = (message: string) => new DomainError('INVALID_PIPELINE', message);
const stageInUse = (message: string) => new DomainError('STAGE_IN_USE', message);

export interface StageFields extends StageInput {
  translations?: Translations;
}
export interface PipelineFields {
  name: string;
  translations?: Translations;
  stages: StageFields[];
}

const run =
  (em: EntityManager) =>
  <T>(sql: string, params: unknown[] = []) =>
    em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());

/** Checks the stages against the rules and the fields and document kinds that exist now. */
async function checkStages(em: EntityManager, stages: StageInput[], stageIds: string[]) {
  const fieldKeys = stages.flatMap((s) => s.requiredFields ?? []);
  const kindIds = stages.flatMap((s) => s.requiredDocumentKinds ?? []);
  const [fields, kinds] = await Promise.all([
    fieldKeys.length ? em.find(DealField, { key: { $in: fieldKeys } }, { fields: ['key'] }) : [],
    kindIds.length ? em.find(DocumentKind, { id: { $in: kindIds } }, { fields: ['id'] }) : [],
  ]);
  const problem = pipelineProblem(stages, {
    fieldKeys: new Set(fields.map((f) => f.key)),
    documentKindIds: new Set(kinds.map((k) => k.id)),
    stageIds: new Set(stageIds),
  });
  if (problem) throw invalid(problem);
}

function stageData(s: StageFields, pipelineId: string, position: number) {
  return {
    pipelineId,
    name: s.name,
    position,
    kind: s.kind,
    ...(s.translations ? { translations: s.translations } : {}),
    requiredFields: unique(s.requiredFields),
    requiredDocumentKinds: unique(s.requiredDocumentKinds),
    ...(s.stuckAfterDays !== undefined ? { stuckAfterDays: s.stuckAfterDays } : {}),
    ...(s.winProbability !== undefined ? { winProbability: s.winProbability } : {}),
  };
}

/** A new pipeline, last in order, with its stages. Returns its id. A stage sent without translations keeps its own. */
export async function createPipeline(em: EntityManager, input: PipelineFields): Promise<string> {
  const id = randomUUID();
  await em.transactional(async (tem) => {
    await checkStages(tem, input.stages, []);
    const [{ next }] = await run(tem)<{ next: number }>(
      'select coalesce(max(position), -1) + 1 as next from pipelines',
    );
    tem.create(Pipeline, { id, name: input.name, translations: input.translations ?? {}, position: Number(next) });
    input.stages.forEach((s, i) => tem.create(Stage, { id: randomUUID(), ...stageData(s, id, i) }));
  });
  return id;
}

/**
 * Renames, archives or restores a pipeline still at `version` and sets its stages: stages with an id are changed,
 * without one added, left out ones deleted — refused (STAGE_IN_USE) while deals are or were in them, as is a
 * change of kind under deals.
 */
export async function replacePipeline(
  em: EntityManager,
  id: string,
  version: number,
  input: PipelineFields & { archived?: boolean },
): Promise<void> {
  try {
    await em.transactional(async (tem) => {
      // the conditional update comes first: it locks the pipeline, so concurrent edits queue and the later one gets 409
      const archivedAt =
        input.archived === undefined ? raw('archived_at') : input.archived ? raw('coalesce(archived_at, now())') : null;
      const set = {
        name: input.name,
        archivedAt,
        version: raw('version + 1'),
        ...(input.translations ? { translations: input.translations } : {}),
      };
      const n = await tem.nativeUpdate(Pipeline, { id, version }, set);
      if (n === 0) {
        const current = await tem.findOne(Pipeline, { id }, { fields: ['version'] });
        if (!current) throw notFound('Pipeline');
        throw versionConflict('The pipeline', current.version);
      }
      const existing = await tem.find(Stage, { pipelineId: id });
      await checkStages(
        tem,
        input.stages,
        existing.map((s) => s.id),
      );
      const kept = new Set(input.stages.map((s) => s.id).filter(Boolean));
      const removed = existing.filter((s) => !kept.has(s.id));
      const nameOf = (sid: string) => `"${existing.find((s) => s.id === sid)!.name}"`;
      if (removed.length) {
        const ids = `{${removed.map((s) => s.id).join(',')}}`;
        const inUse = await run(tem)<{ stage_id: string; n: string }>(
          'select stage_id, count(*) as n from deals where stage_id = any(?::uuid[]) group by 1',
          [ids],
        );
        if (inUse.length) {
          const list = inUse.map((r) => `${nameOf(r.stage_id)} (${r.n} deals)`).join(', ');
          throw stageInUse(`Deals are in ${list}; move them to another stage before deleting it`);
        }
        const inHistory = await run(tem)<{ id: string }>(
          `select distinct s.id from stages s where s.id = any(?::uuid[]) and exists (
             select 1 from record_events e where e.from_stage_id = s.id or e.to_stage_id = s.id)`,
          [ids],
        );
        if (inHistory.length) {
          const list = inHistory.map((r) => nameOf(r.id)).join(', ');
          throw stageInUse(
            `Deals have been in ${list} and their history refers to it; keep the stage (rename or move it) or archive the pipeline`,
          );
        }
        await tem.nativeDelete(Stage, { id: { $in: removed.map((s) => s.id) } });
      }
      // open, won or lost decides whether a deal in the stage is closed: it cannot change under deals already there
      const rekinded = existing.filter((e) => input.stages.some((s) => s.id === e.id && s.kind !== e.kind));
      if (rekinded.length) {
        const occupied = await run(tem)<{ stage_id: string }>(
          'select distinct stage_id from deals where stage_id = any(?::uuid[])',
          [`{${rekinded.map((s) => s.id).join(',')}}`],
        );
        if (occupied.length) {
          const list = occupied.map((r) => nameOf(r.stage_id)).join(', ');
          throw stageInUse(`Deals are in ${list}; a stage's kind (open, won, lost) can change only while it is empty`);
        }
      }
      for (const [i, s] of input.stages.entries()) {
        if (s.id) await tem.nativeUpdate(Stage, { id: s.id, pipelineId: id }, stageData(s, id, i));
        else await tem.insert(Stage, { id: randomUUID(), ...stageData(s, id, i) });
      }
    });
  } catch (err) {
    // a deal entered a stage being deleted while this ran: the foreign key refuses the delete at commit
    if (err instanceof ForeignKeyConstraintViolationException)
      throw stageInUse('A deal entered a stage being deleted meanwhile; reload and try again');
    throw err;
  }
}

/** Flushes a new row: a unique key another request took meanwhile is the same error as one found taken before. */
async function flushUnique(em: EntityManager, taken: () => DomainError) {
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw taken();
    throw err;
  }
}

/** A new kind of document stages can require; its code is unique. */
export async function createDocumentKind(
  em: EntityManager,
  input: { code: string; name: string; translations?: Translations },
) {
  const taken = () =>
    new DomainError('CODE_TAKEN', `A document kind with code "${input.code}" exists already`, { field: 'code' });
  if (await em.findOne(DocumentKind, { code: input.code }, { fields: ['id'] })) throw taken();
  const row = em.create(DocumentKind, {
    id: randomUUID(),
    code: input.code,
    name: input.name,
    translations: input.translations ?? {},
  });
  await flushUnique(em, taken);
  return row;
}

export interface DealFieldInput {
  key: string;
  label: string;
  type: FieldType;
  options?: string[];
  translations?: FieldTranslations;
}

/** A new custom deal field, last in order; its key is unique and not a built-in one. */
export async function createDealField(em: EntityManager, input: DealFieldInput) {
  if (RESERVED_DEAL_FIELD_KEYS.has(input.key)) {
    throw new DomainError('RESERVED_FIELD_KEY', `key: "${input.key}" is a built-in deal field`, { field: 'key' });
  }
  const problem = fieldOptionsProblem(input.type, input.options);
  if (problem) throw new DomainError('INVALID_DEAL_FIELD', problem, { field: 'options' });
  const unknownOption = Object.entries(input.translations ?? {})
    .flatMap(([, t]) => Object.keys(t?.options ?? {}))
    .find((o) => !(input.options ?? []).includes(o));
  if (unknownOption !== undefined) {
    throw new DomainError('INVALID_DEAL_FIELD', `translations: "${unknownOption}" is not an option of this field`, {
      field: 'translations',
    });
  }
  const taken = () =>
    new DomainError('FIELD_KEY_TAKEN', `A deal field with key "${input.key}" exists already`, { field: 'key' });
  if (await em.findOne(DealField, { key: input.key }, { fields: ['id'] })) throw taken();
  const [{ next }] = await run(em)<{ next: number }>('select coalesce(max(position), -1) + 1 as next from deal_fields');
  const row = em.create(DealField, {
    id: randomUUID(),
    key: input.key,
    label: input.label,
    translations: input.translations ?? {},
    type: input.type,
    options: input.options ?? [],
    position: Number(next),
  });
  await flushUnique(em, taken);
  return row;
}
