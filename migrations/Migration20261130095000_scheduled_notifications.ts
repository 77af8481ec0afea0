import { Migration } from '@mikro-orm/migrations';

/**
 * Notifications planned for a moment (a calendar event's reminders, handed over by the event's workflow hours
 * ahead), delivered in batches by the dispatcher when they fall due (modules/notifications/scheduled.ts). The key is
 * the notification's: a row delivered twice adds one notification.
 */
export class Migration20261130095000_scheduled_notifications extends Migration {
  override up(): void {
    this.addSql(`
create table scheduled_notifications (
  key text primary key,
  due_at timestamptz(3) not null,
  user_id uuid not null references users(id),
  kind text not null check (kind ~ '^[a-z][a-z_]{0,62}$'),
  -- the record that planned it (and replaces it when it changes), e.g. event + id
  record_type text not null,
  record_id uuid not null,
  data jsonb not null default '{}'
);
create index scheduled_notifications_due_idx on scheduled_notifications (due_at);
create index scheduled_notifications_record_idx on scheduled_notifications (record_id, record_type, due_at);
`);
  }

  override down(): void {
    this.addSql('drop table scheduled_notifications;');
  }
}
