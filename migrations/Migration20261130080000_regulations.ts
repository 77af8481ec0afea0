import { Migration } from '@mikro-orm/migrations';

/**
 * Published regulations: each publish of a BPMN file is an immutable version (key, version, checksum) holding the XML
 * as drawn and the graph the compiler made of it; a running instance keeps the version it started with.
 */
export class Migration20261130080000_regulations extends Migration {
  override up(): void {
    this.addSql(`
create table regulations (
  id uuid primary key,
  -- the process id of the BPMN file: versions of one regulation share it
  key text not null check (key ~ '^[A-Za-z_][A-Za-z0-9_.-]{0,99}$'),
  version integer not null check (version > 0),
  name text not null,
  xml text not null,
  graph jsonb not null,
  checksum text not null,
  published_by uuid references users(id),
  published_at timestamptz(3) not null default now(),
  unique (key, version)
);
create index regulations_latest_idx on regulations (key, version desc);

-- published versions are immutable
create function regulations_immutable() returns trigger language plpgsql as $fn$
begin
  raise exception 'published regulation versions are immutable' using errcode = '55000';
end $fn$;
create trigger regulations_immutable before update on regulations
  for each row execute function regulations_immutable();
`);
  }
}
