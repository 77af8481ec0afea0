import { Migration } from '@mikro-orm/migrations';

/**
 * The events a user takes part in, found by an index: a calendar feed's ETag query (and its body) reads "owned by or
 * taking part" as one BitmapOr of the owner index and this one, so an unchanged feed is answered 304 without a scan
 * of all events.
 */
export class Migration20261130071000_calendar_feed_index extends Migration {
  override up(): void {
    this.addSql(`create index calendar_events_participants_idx on calendar_events using gin (participant_user_ids);`);
  }
}
