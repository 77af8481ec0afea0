import { Migration } from '@mikro-orm/migrations';

/**
 * Sessions end after an idle time (last_seen_at); browsers that logged in successfully are remembered as known
 * devices, whose correct logins throttling never delays; failures are counted per client address too; and the audit
 * log: append-only, enforced by Postgres itself (a trigger refuses UPDATE, DELETE and TRUNCATE).
 */
export class Migration20261130050000_sessions_audit extends Migration {
  override up(): void {
    this.addSql(`
alter table sessions add column last_seen_at timestamptz not null default now();

create table known_devices (
  token_hash text primary key,
  user_id uuid not null references users(id) on delete cascade,
  created_at timestamptz not null default now(),
  last_used_at timestamptz not null default now()
);
create index known_devices_user_idx on known_devices (user_id);

create index login_failures_ip_idx on login_failures (ip, at);

create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default clock_timestamp(),
  kind text not null check (kind ~ '^[a-z]+(\\.[a-z_]+)+$'),
  actor_id uuid,
  actor_email text,
  ip text,
  subject_type text,
  subject_id text,
  details jsonb not null default '{}'::jsonb
);
create index audit_log_at_idx on audit_log (at);
create index audit_log_kind_idx on audit_log (kind, id desc);
create index audit_log_actor_idx on audit_log (actor_id, id desc);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end $$;
create trigger audit_log_no_update_delete before update or delete on audit_log
  for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_append_only();
`);
  }
}
