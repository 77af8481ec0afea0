import { Migration } from '@mikro-orm/migrations';

/**
 * The board's totals for those who see every deal (administrators): per (pipeline, stage, currency), kept exact by a
 * trigger in the same transaction as each write, like deal_board_totals per owner. An administrator's board then sums
 * a few dozen rows instead of one row per owner and stage (~45,000 at 2,000 owners). Each cell is spread over 16
 * slots chosen by the deal's id, so concurrent writes to one column do not queue on one row; readers sum the slots.
 */
export class Migration20261130052000_board_rollup extends Migration {
  override up(): void {
    this.addSql(`
create table deal_board_rollup (
  pipeline_id uuid not null,
  stage_id uuid not null,
  currency text not null,
  slot smallint not null,
  deals bigint not null,
  amount numeric(20,2) not null,
  primary key (pipeline_id, stage_id, currency, slot)
);

create function deal_board_rollup_add(p uuid, s uuid, cur text, sl smallint, n bigint, amt numeric) returns void
language sql as $fn$
  insert into deal_board_rollup as t (pipeline_id, stage_id, currency, slot, deals, amount)
  values (p, s, coalesce(cur, ''), sl, n, coalesce(amt, 0))
  on conflict (pipeline_id, stage_id, currency, slot)
  do update set deals = t.deals + excluded.deals, amount = t.amount + excluded.amount
$fn$;

-- a move touches two cells of the deal's slot: always changed in key order, so two opposite moves cannot deadlock
create function deal_board_rollup_keep() returns trigger language plpgsql as $fn$
declare
  sl smallint := (hashtext(coalesce(new.id, old.id)::text) & 15)::smallint;
begin
  if tg_op = 'INSERT' then
    perform deal_board_rollup_add(new.pipeline_id, new.stage_id, new.currency, sl, 1, new.amount);
  elsif tg_op = 'DELETE' then
    perform deal_board_rollup_add(old.pipeline_id, old.stage_id, old.currency, sl, -1, -old.amount);
  elsif (old.pipeline_id, old.stage_id, coalesce(old.currency, '')) = (new.pipeline_id, new.stage_id, coalesce(new.currency, '')) then
    if old.amount is distinct from new.amount then
      perform deal_board_rollup_add(new.pipeline_id, new.stage_id, new.currency, sl, 0,
        coalesce(new.amount, 0) - coalesce(old.amount, 0));
    end if;
  elsif (old.pipeline_id, old.stage_id, coalesce(old.currency, '')) < (new.pipeline_id, new.stage_id, coalesce(new.currency, '')) then
    perform deal_board_rollup_add(old.pipeline_id, old.stage_id, old.currency, sl, -1, -old.amount);
    perform deal_board_rollup_add(new.pipeline_id, new.stage_id, new.currency, sl, 1, new.amount);
  else
    perform deal_board_rollup_add(new.pipeline_id, new.stage_id, new.currency, sl, 1, new.amount);
    perform deal_board_rollup_add(old.pipeline_id, old.stage_id, old.currency, sl, -1, -old.amount);
  end if;
  return null;
end $fn$;
create trigger deal_board_rollup_keep after insert or delete or update of pipeline_id, stage_id, currency, amount
  on deals for each row execute function deal_board_rollup_keep();

insert into deal_board_rollup (pipeline_id, stage_id, currency, slot, deals, amount)
select pipeline_id, stage_id, coalesce(currency, ''), (hashtext(id::text) & 15)::smallint, count(*), coalesce(sum(amount), 0)
from deals group by 1, 2, 3, 4;
`);
  }
}
