import { Migration } from '@mikro-orm/migrations';

/** Record shares for any record type: the type is a name, no longer a fixed list of two. */
export class Migration20261130030000_shares_any_record extends Migration {
  override up(): void {
    this.addSql(`
alter table record_shares drop constraint if exists record_shares_record_type_check;
alter table record_shares add constraint record_shares_record_type_check check (record_type ~ '^[a-z][a-z_]{0,62}$');
`);
  }
}
