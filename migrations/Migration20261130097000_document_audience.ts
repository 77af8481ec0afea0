import { Migration } from '@mikro-orm/migrations';

/**
 * The audience of every folder and document, generated from the access in force: keys naming who may open it besides
 * administrators (modules/documents/access.ts `audienceOf`) — its owner `user:<id>`, and `all`, `dept:<id>`,
 * `role:<role>` or the private owner's `user:<id>`. A viewer's read asks `audience && <their keys>`, one condition
 * that one GIN index answers together with the full-text match (search and audience in the same index), instead of
 * five alternatives over the `eff_*` columns that the planner could only check row by row. Generated, so the keys
 * follow every write of `eff_*` (recomputed access, moves, bulk SQL) without further code.
 *
 * The tsvector is read on every row a search walks (a frequent word is checked row by row along the recency index),
 * the text only for the page's passages: `search` is kept in the row (storage main), so a row over the TOAST threshold
 * (about 2 kB) moves its text out first and the walk does not fetch each match's tsvector from the TOAST table (the
 * audience alone pushed many rows over it). Set before the column is added, so the rewrite that adding it makes lays
 * the rows out so already.
 */
const audience = `text[] generated always as (array_remove(array[
    'user:' || owner_id::text,
    case eff_kind
      when 'everyone' then 'all'
      when 'department' then 'dept:' || eff_department_id::text
      when 'role' then 'role:' || eff_role
      when 'private' then 'user:' || eff_owner_id::text
    end
  ], null)) stored`;

export class Migration20261130097000_document_audience extends Migration {
  override up(): void {
    this.addSql(`
alter table documents alter column search set storage main;
alter table document_folders add column audience ${audience};
alter table documents add column audience ${audience};
create index documents_search_audience_idx on documents using gin (search, audience);
drop index documents_search_idx;
`);
  }
}
