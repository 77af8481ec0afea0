import { Migration } from '@mikro-orm/migrations';

/** A regulation run for a deal puts its steps (started, task opened/completed, incident, finished) on its timeline. */
export class Migration20261130093000_regulation_deal_steps extends Migration {
  override up(): void {
    this.addSql(`
alter table record_events drop constraint record_events_kind_check;
alter table record_events add constraint record_events_kind_check check (
  (record_type = 'deal' and kind in ('created','updated','stage_changed','attached','detached','archived','restored','reported','regulation'))
  or (record_type in ('client','contact') and kind in ('created','updated','reported'))
  or (record_type = 'event' and kind in ('created','updated','cancelled','reported','result_overdue'))
  or (record_type = 'plan' and kind in ('created','updated','submitted','reviewed','finalised','reopened'))
);
`);
  }
}
