import { Migration } from '@mikro-orm/migrations';

/**
 * An instance written without a workflow run that still needs one to wake on a task's due time: set in the start's
 * transaction, cleared once its run is started (modules/regulations/wake.ts), so a process that died in between
 * leaves it for the next look.
 */
export class Migration20261130097400_regulation_wake extends Migration {
  override up(): void {
    this.addSql(`
alter table regulation_instances add column wake_pending boolean not null default false;
create index regulation_instances_wake_idx on regulation_instances (started_at) where wake_pending;
`);
  }
}
