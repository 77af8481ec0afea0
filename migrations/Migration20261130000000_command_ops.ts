import { Migration } from '@mikro-orm/migrations';

/**
 * The outcome table of commands becomes shared by every workflow-backed record (deals now; calendar events,
 * revenue plans and regulation instances next): opIds are random UUIDs, so one primary key serves them all.
 * Rows and semantics are kept as they are: a deal command in flight during the upgrade finds its claim.
 */
export class Migration20261130000000_command_ops extends Migration {
  override up(): void {
    this.addSql('alter table deal_ops rename to command_ops;');
    this.addSql('alter index deal_ops_pkey rename to command_ops_pkey;');
    this.addSql('alter table command_ops rename constraint deal_ops_state_check to command_ops_state_check;');
  }
}
