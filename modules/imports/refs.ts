import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../accounts/entities.ts';
import { visibleOwnerIds, type Viewer } from '../access/visibility.ts';
import { DealField, Pipeline, Stage } from '../pipelines/entities.ts';
import type { CustomFieldDef, ImportRefs } from './rules.ts';

/** Custom field types a cell can fill (user, client and file values would need references checked). */
const IMPORTABLE_TYPES = ['text', 'number', 'money', 'date', 'select'] as const;

const otherNames = (translations: Record<string, { name?: string } | undefined> | null | undefined) =>
  Object.values(translations ?? {})
    .map((t) => t?.name ?? '')
    .filter(Boolean);

/** The custom deal fields a column can feed. */
export async function importableFields(em: EntityManager): Promise<CustomFieldDef[]> {
  const fields = await em.find(DealField, { type: { $in: [...IMPORTABLE_TYPES] } }, { orderBy: { position: 'asc' } });
  return fields.map((f) => ({
    key: f.key,
    label: f.label,
    type: f.type,
    options: f.options,
    translations: f.translations,
  }));
}

/** What rows are checked against: pipelines and their stages, the users who may own deals, the custom fields. */
export async function loadRefs(em: EntityManager, importer: Viewer): Promise<ImportRefs> {
  const [pipelines, stages, users, fields, owners] = await Promise.all([
    em.find(Pipeline, { archivedAt: null }, { orderBy: [{ position: 'asc' }, { name: 'asc' }] }),
    em.find(Stage, {}, { orderBy: { position: 'asc' } }),
    em.find(User, { disabledAt: null }, { fields: ['id', 'email', 'name'] }),
    importableFields(em),
    visibleOwnerIds(em, importer),
  ]);
  const refUsers = users.map((u) => ({ id: u.id, email: u.email, name: u.name }));
  return {
    pipelines: pipelines.map((p) => ({
      id: p.id,
      name: p.name,
      names: otherNames(p.translations),
      stages: stages
        .filter((s) => s.pipelineId === p.id)
        .map((s) => ({ id: s.id, name: s.name, kind: s.kind, names: otherNames(s.translations) })),
    })),
    owners: owners === 'all' ? refUsers : refUsers.filter((u) => owners.includes(u.id)),
    users: refUsers,
    fields,
    importerId: importer.id,
  };
}
