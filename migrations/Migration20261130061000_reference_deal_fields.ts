import { Migration } from '@mikro-orm/migrations';

/**
 * Custom deal fields of type user, client and file: their values are ids checked at write (modules/fields), so the
 * table now takes the three types modules/fields declares besides text, number, money, date and select.
 */
export class Migration20261130061000_reference_deal_fields extends Migration {
  override up(): void {
    this.addSql(`
alter table deal_fields drop constraint deal_fields_type_check;
alter table deal_fields add constraint deal_fields_type_check
  check (type in ('text','number','money','date','select','user','client','file'));
`);
  }
}
