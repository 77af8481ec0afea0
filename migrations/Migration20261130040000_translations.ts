import { Migration } from '@mikro-orm/migrations';
import { DEMO_OPTIONS_RU, DEMO_STAGES_RU } from '../modules/setup/demo-names.ts';

const values = (pairs: [string, string][]) => pairs.map(([en, ru]) => `('${en}', '${ru}')`).join(', ');

/**
 * Translations of admin-defined names in one way for every record: a translations map (`{"ru": {"name": …}}`,
 * fields `label` and `options`) on pipelines, stages, document kinds and deal fields, in place of name_ru and
 * label_ru. The demo pipeline's stages and the demo field's options get their Russian names.
 */
export class Migration20261130040000_translations extends Migration {
  override up(): void {
    this.addSql(`
alter table pipelines add column translations jsonb not null default '{}' check (jsonb_typeof(translations) = 'object');
alter table stages add column translations jsonb not null default '{}' check (jsonb_typeof(translations) = 'object');
alter table document_kinds add column translations jsonb not null default '{}' check (jsonb_typeof(translations) = 'object');
alter table deal_fields add column translations jsonb not null default '{}' check (jsonb_typeof(translations) = 'object');

update document_kinds set translations = jsonb_build_object('ru', jsonb_build_object('name', name_ru)) where name_ru is not null;
update deal_fields set translations = jsonb_build_object('ru', jsonb_build_object('label', label_ru)) where label_ru is not null;
alter table document_kinds drop column name_ru;
alter table deal_fields drop column label_ru;

update pipelines set translations = '{"ru": {"name": "Продажи"}}' where name = 'Sales' and translations = '{}';
update stages s set translations = jsonb_build_object('ru', jsonb_build_object('name', v.ru))
from (values ${values(DEMO_STAGES_RU)}) as v(en, ru), pipelines p
where s.pipeline_id = p.id and p.name = 'Sales' and s.name = v.en and s.translations = '{}';
update deal_fields f set translations = jsonb_set(f.translations, '{ru}', coalesce(f.translations->'ru', '{}') || jsonb_build_object(
  'options', (select jsonb_object_agg(v.en, v.ru) from (values ${values(DEMO_OPTIONS_RU)}) as v(en, ru) where f.options ? v.en)))
where f.key = 'source' and f.type = 'select' and not (f.translations->'ru' ? 'options')
  and exists (select 1 from (values ${values(DEMO_OPTIONS_RU)}) as v(en, ru) where f.options ? v.en);
`);
  }
}
