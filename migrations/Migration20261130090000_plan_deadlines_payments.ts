import { Migration } from '@mikro-orm/migrations';

/**
 * Revenue plans, continued: the plan period managers are reminded to plan for (a manager with no plan for it gets the
 * submit reminder too); refunds among payments (a negative amount, marked as such); and the key of a payment imported
 * from a file (its client, deal, date, amount, currency and its occurrence in the file, hashed), unique, so that a file
 * confirmed twice, or two confirms at once, or a corrected file sent again records each payment once.
 */
export class Migration20261130090000_plan_deadlines_payments extends Migration {
  override up(): void {
    this.addSql(`
alter table plan_settings add column remind_period text not null default 'month'
  check (remind_period in ('day','week','month'));

alter table payments add column refund boolean not null default false;
alter table payments drop constraint payments_amount_check;
alter table payments add constraint payments_amount_check check (amount <> 0 and (amount > 0) = (not refund));
alter table payments add column import_key text;
alter table payments add column import_row integer;
create unique index payments_import_key_idx on payments (import_key);
`);
  }
}
