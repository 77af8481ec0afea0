import { Migration } from '@mikro-orm/migrations';

/**
 * A client's and a contact's searchable text is stored (a generated column) instead of computed: a trigram search
 * re-checks every candidate row, and re-computing the text (with the phone's digits by regexp) for each of them was
 * a third of a search's time at a million deals.
 */
export class Migration20261130051000_search_columns extends Migration {
  override up(): void {
    this.addSql(`
alter table clients add column search_text text generated always as (client_search_text(name, tax_id, email, phone)) stored;
alter table contacts add column search_text text generated always as (contact_search_text(name, email, phone)) stored;
drop index clients_search_trgm_idx;
drop index contacts_search_trgm_idx;
create index clients_search_trgm_idx on clients using gin (search_text gin_trgm_ops);
create index contacts_search_trgm_idx on contacts using gin (search_text gin_trgm_ops);
`);
  }
}
