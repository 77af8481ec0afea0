import { Migration } from '@mikro-orm/migrations';

/** The roles, beside administrators, the company's plan totals are granted to (none at first). */
export class Migration20261130096000_plan_totals_roles extends Migration {
  override up(): void {
    this.addSql(`
alter table plan_settings add column company_totals_roles text[] not null default '{}'
  check (company_totals_roles <@ array['manager','lead','process_owner','member']::text[]);
`);
  }
}
