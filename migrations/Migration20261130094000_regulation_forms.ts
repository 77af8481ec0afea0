import { Migration } from '@mikro-orm/migrations';

/**
 * Task forms stored with each published version (form-js schemas by form id, read out of the BPMN file at publish),
 * and the task inbox announcing its changes on the `regulation_tasks` channel, so the navigation's task counts follow
 * live (one notification per statement, with no payload: the browsers read their counts again).
 */
export class Migration20261130094000_regulation_forms extends Migration {
  override up(): void {
    this.addSql(`
alter table regulations add column forms jsonb not null default '{}';

create function regulation_tasks_announce() returns trigger language plpgsql as $fn$
begin
  perform pg_notify('regulation_tasks', '1');
  return null;
end $fn$;
create trigger regulation_tasks_announce after insert or update on regulation_tasks
  for each statement execute function regulation_tasks_announce();
`);
  }
}
