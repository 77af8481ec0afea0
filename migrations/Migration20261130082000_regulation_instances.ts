import { Migration } from '@mikro-orm/migrations';

/**
 * Running regulations: an instance (its `regulation-<id>` workflow holds the interpreter's state; the row mirrors it
 * for reads) and the user tasks it opens, the task inbox's rows.
 */
export class Migration20261130082000_regulation_instances extends Migration {
  override up(): void {
    this.addSql(`
create table regulation_instances (
  id uuid primary key,
  regulation_id uuid not null references regulations(id),
  key text not null,
  status text not null check (status in ('running','completed','terminated','failed')),
  variables jsonb not null default '{}',
  state jsonb not null,
  deal_id uuid references deals(id),
  started_by uuid references users(id),
  started_at timestamptz(3) not null default now(),
  ended_at timestamptz(3),
  error text,
  version integer not null default 1
);
create index regulation_instances_started_idx on regulation_instances (started_by, started_at desc);
create index regulation_instances_deal_idx on regulation_instances (deal_id) where deal_id is not null;

create table regulation_tasks (
  id uuid primary key,
  instance_id uuid not null references regulation_instances(id),
  token_id text not null,
  node_id text not null,
  name text not null,
  -- a user id, role:<role>, department:<id>; null when only candidate groups are named
  assignee text,
  candidate_groups text[] not null default '{}',
  form_key text,
  status text not null default 'open' check (status in ('open','completed','cancelled')),
  due_at timestamptz(3),
  claimed_by uuid references users(id),
  completed_by uuid references users(id),
  completed_at timestamptz(3),
  created_at timestamptz(3) not null default now(),
  unique (instance_id, token_id)
);
create index regulation_tasks_open_idx on regulation_tasks (status, created_at) where status = 'open';
`);
  }
}
