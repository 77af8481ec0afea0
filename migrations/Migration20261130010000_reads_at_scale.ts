import { Migration } from '@mikro-orm/migrations';

/**
 * Reads at company scale (a million deals):
 * - indexes that match every list, board and count query: keyset order (updated_at desc, id desc) overall, per owner,
 *   per owner and stage, per stage, per pipeline and per client; open deals by expected close date (overdue);
 * - search by trigram indexes on the deal title, on the client's name, tax id, email and phone, and on the contact's
 *   name, email and phone (phones also as digits only): a deal matches by its own text or by its client's or contact's;
 * - board counts and totals per (pipeline, stage, owner, currency), kept exact by a trigger in the transaction of
 *   every deal write, so a board never counts a million rows;
 * - an access epoch, bumped in the same transaction as any change to who sees what (departments, roles, users'
 *   departments, disabled users), so the API can cache visibility per epoch in any number of processes.
 */
export class Migration20261130010000_reads_at_scale extends Migration {
  override up(): void {
    this.addSql(`
create extension if not exists pg_trgm;

drop index if exists deals_board_idx;
drop index if exists deals_owner_idx;
drop index if exists deals_client_idx;
create index deals_recent_idx on deals (updated_at desc, id desc);
create index deals_owner_recent_idx on deals (owner_id, updated_at desc, id desc);
create index deals_owner_stage_recent_idx on deals (owner_id, stage_id, updated_at desc, id desc);
create index deals_stage_recent_idx on deals (stage_id, updated_at desc, id desc);
create index deals_pipeline_recent_idx on deals (pipeline_id, updated_at desc, id desc);
create index deals_client_recent_idx on deals (client_id, updated_at desc, id desc);
create index deals_contact_idx on deals (contact_id) where contact_id is not null;
create index deals_open_close_date_idx on deals (expected_close_date) where closed_at is null;

-- search: the deal's title, its client's and its contact's searchable text, each under its own trigram index
create function client_search_text(name text, tax_id text, email text, phone text) returns text
language sql immutable parallel safe as $fn$
  select coalesce(name, '') || ' ' || coalesce(tax_id, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '')
    || ' ' || coalesce(regexp_replace(phone, '\\D', '', 'g'), '')
$fn$;
create function contact_search_text(name text, email text, phone text) returns text
language sql immutable parallel safe as $fn$
  select coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '')
    || ' ' || coalesce(regexp_replace(phone, '\\D', '', 'g'), '')
$fn$;
create index deals_title_trgm_idx on deals using gin (title gin_trgm_ops);
create index clients_search_trgm_idx on clients using gin (client_search_text(name, tax_id, email, phone) gin_trgm_ops);
create index contacts_search_trgm_idx on contacts using gin (contact_search_text(name, email, phone) gin_trgm_ops);
create index clients_name_trgm_idx on clients using gin (name gin_trgm_ops);

create table deal_board_totals (
  pipeline_id uuid not null,
  stage_id uuid not null,
  owner_id uuid not null,
  currency text not null,
  deals bigint not null,
  amount numeric(20,2) not null,
  primary key (pipeline_id, stage_id, owner_id, currency)
);
create index deal_board_totals_owner_idx on deal_board_totals (owner_id, pipeline_id);

create function deal_board_totals_add(p uuid, s uuid, o uuid, cur text, n bigint, amt numeric) returns void
language sql as $fn$
  insert into deal_board_totals as t (pipeline_id, stage_id, owner_id, currency, deals, amount)
  values (p, s, o, coalesce(cur, ''), n, coalesce(amt, 0))
  on conflict (pipeline_id, stage_id, owner_id, currency)
  do update set deals = t.deals + excluded.deals, amount = t.amount + excluded.amount
$fn$;

-- a move touches two cells: they are always changed in key order, so two opposite moves cannot deadlock
create function deal_board_totals_keep() returns trigger language plpgsql as $fn$
begin
  if tg_op = 'INSERT' then
    perform deal_board_totals_add(new.pipeline_id, new.stage_id, new.owner_id, new.currency, 1, new.amount);
  elsif tg_op = 'DELETE' then
    perform deal_board_totals_add(old.pipeline_id, old.stage_id, old.owner_id, old.currency, -1, -old.amount);
  elsif (old.pipeline_id, old.stage_id, old.owner_id, coalesce(old.currency, ''))
      = (new.pipeline_id, new.stage_id, new.owner_id, coalesce(new.currency, '')) then
    if old.amount is distinct from new.amount then
      perform deal_board_totals_add(new.pipeline_id, new.stage_id, new.owner_id, new.currency, 0,
        coalesce(new.amount, 0) - coalesce(old.amount, 0));
    end if;
  elsif (old.pipeline_id, old.stage_id, old.owner_id, coalesce(old.currency, ''))
      < (new.pipeline_id, new.stage_id, new.owner_id, coalesce(new.currency, '')) then
    perform deal_board_totals_add(old.pipeline_id, old.stage_id, old.owner_id, old.currency, -1, -old.amount);
    perform deal_board_totals_add(new.pipeline_id, new.stage_id, new.owner_id, new.currency, 1, new.amount);
  else
    perform deal_board_totals_add(new.pipeline_id, new.stage_id, new.owner_id, new.currency, 1, new.amount);
    perform deal_board_totals_add(old.pipeline_id, old.stage_id, old.owner_id, old.currency, -1, -old.amount);
  end if;
  return null;
end $fn$;
create trigger deal_board_totals_keep after insert or delete or update of pipeline_id, stage_id, owner_id, currency, amount
  on deals for each row execute function deal_board_totals_keep();

insert into deal_board_totals (pipeline_id, stage_id, owner_id, currency, deals, amount)
select pipeline_id, stage_id, owner_id, coalesce(currency, ''), count(*), coalesce(sum(amount), 0)
from deals group by 1, 2, 3, 4;

create table access_epoch (
  id boolean primary key default true check (id),
  epoch bigint not null
);
insert into access_epoch (id, epoch) values (true, 1);
create function access_epoch_bump() returns trigger language plpgsql as $fn$
begin
  update access_epoch set epoch = epoch + 1;
  return null;
end $fn$;
-- deferred to commit: the epoch row is locked last and only for the commit, so it adds no lock-order cycle
create constraint trigger departments_access_epoch after insert or delete or update of parent_id, lead_id on departments
  deferrable initially deferred for each row execute function access_epoch_bump();
create constraint trigger users_access_epoch after insert or delete or update of role, department_id, disabled_at on users
  deferrable initially deferred for each row execute function access_epoch_bump();
`);
  }
}
