import { Migration } from '@mikro-orm/migrations';

/**
 * The write path under load:
 * - board totals spread over eight slots per (pipeline, stage, owner, currency) cell, chosen by the deal's id, so
 *   concurrent writes to deals of one cell update different rows instead of queueing on one row's lock; a board
 *   sums the slots, and the totals stay exact;
 * - `deal_write_refused(reason)`: how a deal write done in one statement refuses (and so rolls back) from SQL.
 */
export class Migration20261130061000_write_path extends Migration {
  override up(): void {
    this.addSql(`
alter table deal_board_totals add column slot smallint not null default 0 check (slot between 0 and 7);
alter table deal_board_totals drop constraint deal_board_totals_pkey;
alter table deal_board_totals add primary key (pipeline_id, stage_id, owner_id, currency, slot);

create function deal_board_slot(id uuid) returns smallint language sql immutable parallel safe as $fn$
  select (get_byte(uuid_send(id), 15) & 7)::smallint
$fn$;

create or replace function deal_board_totals_add(p uuid, s uuid, o uuid, cur text, n bigint, amt numeric, sl smallint)
returns void language sql as $fn$
  insert into deal_board_totals as t (pipeline_id, stage_id, owner_id, currency, slot, deals, amount)
  values (p, s, o, coalesce(cur, ''), sl, n, coalesce(amt, 0))
  on conflict (pipeline_id, stage_id, owner_id, currency, slot)
  do update set deals = t.deals + excluded.deals, amount = t.amount + excluded.amount
$fn$;

-- a move touches two cells of one slot: they are always changed in key order, so two opposite moves cannot deadlock
create or replace function deal_board_totals_keep() returns trigger language plpgsql as $fn$
declare
  sl smallint := deal_board_slot(coalesce(new.id, old.id));
begin
  if tg_op = 'INSERT' then
    perform deal_board_totals_add(new.pipeline_id, new.stage_id, new.owner_id, new.currency, 1, new.amount, sl);
  elsif tg_op = 'DELETE' then
    perform deal_board_totals_add(old.pipeline_id, old.stage_id, old.owner_id, old.currency, -1, -old.amount, sl);
  elsif (old.pipeline_id, old.stage_id, old.owner_id, coalesce(old.currency, ''))
      = (new.pipeline_id, new.stage_id, new.owner_id, coalesce(new.currency, '')) then
    if old.amount is distinct from new.amount then
      perform deal_board_totals_add(new.pipeline_id, new.stage_id, new.owner_id, new.currency, 0,
        coalesce(new.amount, 0) - coalesce(old.amount, 0), sl);
    end if;
  elsif (old.pipeline_id, old.stage_id, old.owner_id, coalesce(old.currency, ''))
      < (new.pipeline_id, new.stage_id, new.owner_id, coalesce(new.currency, '')) then
    perform deal_board_totals_add(old.pipeline_id, old.stage_id, old.owner_id, old.currency, -1, -old.amount, sl);
    perform deal_board_totals_add(new.pipeline_id, new.stage_id, new.owner_id, new.currency, 1, new.amount, sl);
  else
    perform deal_board_totals_add(new.pipeline_id, new.stage_id, new.owner_id, new.currency, 1, new.amount, sl);
    perform deal_board_totals_add(old.pipeline_id, old.stage_id, old.owner_id, old.currency, -1, -old.amount, sl);
  end if;
  return null;
end $fn$;

drop function deal_board_totals_add(uuid, uuid, uuid, text, bigint, numeric);

-- the totals again, now per slot (in this transaction: no deal write sees them half done)
lock table deals in share mode;
delete from deal_board_totals;
insert into deal_board_totals (pipeline_id, stage_id, owner_id, currency, slot, deals, amount)
select pipeline_id, stage_id, owner_id, coalesce(currency, ''), deal_board_slot(id), count(*), coalesce(sum(amount), 0)
from deals group by 1, 2, 3, 4, 5;

create function deal_write_refused(reason text) returns boolean language plpgsql as $fn$
begin
  raise exception 'deal write refused: %', reason using errcode = 'P0D01', detail = reason;
end $fn$;
`);
  }
}
