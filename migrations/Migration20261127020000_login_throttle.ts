import { Migration } from '@mikro-orm/migrations';

/**
 * Login throttling per (email, client address) instead of per email alone, so nobody can lock another user out by
 * failing on purpose; the index on at serves the purge of failures older than the window.
 */
export class Migration20261127020000_login_throttle extends Migration {
  override up(): void {
    this.addSql(`
alter table login_failures add column ip text;
create index login_failures_email_ip_idx on login_failures (email, ip, at);
create index login_failures_at_idx on login_failures (at);
`);
  }
}
