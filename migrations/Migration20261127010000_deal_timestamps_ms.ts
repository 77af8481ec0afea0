import { Migration } from '@mikro-orm/migrations';

/**
 * Deal timestamps at millisecond precision, the precision of the JavaScript dates that page cursors carry:
 * with microseconds a cursor could fall between two rows and a page would skip deals.
 */
export class Migration20261127010000_deal_timestamps_ms extends Migration {
  override up(): void {
    this.addSql(`
alter table deals alter column updated_at type timestamptz(3), alter column created_at type timestamptz(3);
alter table deal_events alter column at type timestamptz(3);
`);
  }
}
