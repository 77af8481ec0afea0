import { Migration } from '@mikro-orm/migrations';

/**
 * The outcome of every deal command by its opId: applied by the write, or abandoned by the workflow after the
 * write failed. Whichever commits first wins the primary key, so a write that outlives its command's failure
 * can never commit afterwards, and a command reported as failed really changed nothing.
 */
export class Migration20261128000000_deal_ops extends Migration {
  override up(): void {
    this.addSql(`
create table deal_ops (
  op_id text primary key,
  state text not null check (state in ('applied', 'abandoned')),
  at timestamptz not null default now()
);
insert into deal_ops (op_id, state) select op_id, 'applied' from deal_events;
`);
  }
}
