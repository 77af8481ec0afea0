import { Migration } from '@mikro-orm/migrations';

/**
 * One timeline for every record type. deal_events moves into record_events: its rows get identity ids in the
 * order the deal history showed them (time, then id), op ids stay unique. Every event row also keeps the id of the
 * transaction that wrote it and the oldest transaction still running when it was written, so a live stream resumed
 * after an event can find the events with lower ids that committed after it (see modules/timeline/live.ts).
 */
export class Migration20261130020000_record_events extends Migration {
  override up(): void {
    this.addSql(`
create table record_events (
  id bigint generated always as identity primary key,
  record_type text not null check (record_type in ('deal','client','contact')),
  record_id uuid not null,
  kind text not null,
  actor_id uuid references users(id) on delete set null deferrable initially deferred,
  op_id uuid unique,
  from_stage_id uuid references stages(id) deferrable initially deferred,
  to_stage_id uuid references stages(id) deferrable initially deferred,
  data jsonb not null default '{}' check (jsonb_typeof(data) = 'object'),
  created_at timestamptz(3) not null default now(),
  tx_id xid8 not null default pg_current_xact_id(),
  tx_xmin xid8 not null default pg_snapshot_xmin(pg_current_snapshot()),
  check (
    (record_type = 'deal' and kind in ('created','updated','stage_changed','attached','detached'))
    or (record_type in ('client','contact') and kind in ('created','updated'))
  )
);
create index record_events_record_idx on record_events (record_type, record_id, id);

insert into record_events (record_type, record_id, kind, actor_id, op_id, from_stage_id, to_stage_id, data, created_at)
select 'deal', deal_id, kind, actor_id,
       case when op_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then op_id::uuid end,
       from_stage_id, to_stage_id, data, at
from deal_events order by at, id;

drop table deal_events;
`);
  }
}
