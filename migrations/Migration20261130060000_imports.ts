import { Migration } from '@mikro-orm/migrations';

/**
 * Imports of clients, contacts and deals from a CSV or XLSX file: the job (its file, detected columns, mapping,
 * state) and one row per data line of the file with its cells and, once processed, its outcome. Progress is
 * counted from the rows, so it cannot drift from what was written.
 */
export class Migration20261130060000_imports extends Migration {
  override up(): void {
    this.addSql(`
create table imports (
  id uuid primary key,
  owner_id uuid not null references users(id) on delete restrict deferrable initially deferred,
  file_name text not null,
  file_sha256 char(64) not null,
  format text not null check (format in ('csv', 'xlsx')),
  encoding text,
  delimiter text,
  columns jsonb not null check (jsonb_typeof(columns) = 'array'),
  row_count integer not null,
  mapping jsonb,
  defaults jsonb not null default '{}',
  status text not null default 'uploaded' check (status in ('uploaded', 'queued', 'running', 'done')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  version integer not null default 1
);
create index imports_owner_idx on imports (owner_id, created_at desc);
create index imports_file_idx on imports (file_sha256);

create table import_rows (
  import_id uuid not null references imports(id) on delete cascade deferrable initially deferred,
  row_number integer not null,
  cells jsonb not null check (jsonb_typeof(cells) = 'array'),
  status text not null default 'pending' check (status in ('pending', 'imported', 'failed')),
  errors jsonb,
  client_id uuid,
  contact_id uuid,
  deal_id uuid,
  client_created boolean,
  finished_at timestamptz,
  primary key (import_id, row_number)
);
create index import_rows_pending_idx on import_rows (import_id, row_number) where status = 'pending';
`);
  }
}
