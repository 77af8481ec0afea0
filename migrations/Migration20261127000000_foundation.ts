import { Migration } from '@mikro-orm/migrations';

/** Accounts, organisation, clients, pipelines with stage requirements, deals, attachments and deal events. */
export class Migration20261127000000_foundation extends Migration {
  override up(): void {
    this.addSql(`
create table departments (
  id uuid primary key,
  name text not null check (length(trim(name)) between 1 and 200),
  parent_id uuid references departments(id) on delete restrict deferrable initially deferred,
  is_sales_group boolean not null default false,
  lead_id uuid,
  created_at timestamptz not null default now(),
  version int not null default 1
);

create table users (
  id uuid primary key,
  email text not null check (email = lower(email) and position('@' in email) > 1),
  name text not null check (length(trim(name)) between 1 and 200),
  password_hash text not null,
  role text not null check (role in ('admin','process_owner','lead','manager','member')),
  department_id uuid references departments(id) on delete set null deferrable initially deferred,
  locale text not null default 'en' check (locale in ('en','ru')),
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  version int not null default 1
);
create unique index users_email_key on users (email);
alter table departments add constraint departments_lead_fk foreign key (lead_id) references users(id) on delete set null deferrable initially deferred;

create table sessions (
  id text primary key,
  user_id uuid not null references users(id) on delete cascade deferrable initially deferred,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user_idx on sessions (user_id);

create table login_failures (
  email text not null,
  at timestamptz not null default now()
);
create index login_failures_idx on login_failures (email, at);

create table api_tokens (
  id uuid primary key,
  user_id uuid not null references users(id) on delete cascade deferrable initially deferred,
  name text not null check (length(trim(name)) between 1 and 100),
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table clients (
  id uuid primary key,
  name text not null check (length(trim(name)) between 1 and 300),
  tax_id text,
  website text,
  email text,
  phone text,
  address text,
  notes text,
  owner_id uuid not null references users(id) on delete restrict deferrable initially deferred,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version int not null default 1
);
create index clients_owner_idx on clients (owner_id, name, id);
create index clients_name_idx on clients (lower(name), id);

create table contacts (
  id uuid primary key,
  client_id uuid not null references clients(id) on delete cascade deferrable initially deferred,
  name text not null check (length(trim(name)) between 1 and 300),
  position text,
  email text,
  phone text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version int not null default 1
);
create index contacts_client_idx on contacts (client_id, name, id);

create table record_shares (
  record_type text not null check (record_type in ('client','deal')),
  record_id uuid not null,
  user_id uuid not null references users(id) on delete cascade deferrable initially deferred,
  created_at timestamptz not null default now(),
  primary key (record_type, record_id, user_id)
);
create index record_shares_user_idx on record_shares (user_id, record_type);

create table document_kinds (
  id uuid primary key,
  code text not null unique check (code ~ '^[a-z][a-z0-9_]{0,62}$'),
  name text not null,
  name_ru text,
  created_at timestamptz not null default now()
);

create table deal_fields (
  id uuid primary key,
  key text not null unique check (key ~ '^[a-z][a-zA-Z0-9_]{0,62}$'),
  label text not null,
  label_ru text,
  type text not null check (type in ('text','number','money','date','select')),
  options jsonb not null default '[]',
  position int not null default 0,
  created_at timestamptz not null default now()
);

create table pipelines (
  id uuid primary key,
  name text not null check (length(trim(name)) between 1 and 200),
  position int not null default 0,
  archived_at timestamptz,
  created_at timestamptz not null default now(),
  version int not null default 1
);

create table stages (
  id uuid primary key,
  pipeline_id uuid not null references pipelines(id) on delete cascade deferrable initially deferred,
  name text not null check (length(trim(name)) between 1 and 200),
  position int not null,
  kind text not null check (kind in ('open','won','lost')),
  required_fields jsonb not null default '[]' check (jsonb_typeof(required_fields) = 'array'),
  required_document_kinds jsonb not null default '[]' check (jsonb_typeof(required_document_kinds) = 'array'),
  unique (pipeline_id, position) deferrable initially deferred
);

create table deals (
  id uuid primary key,
  title text not null check (length(trim(title)) between 1 and 300),
  client_id uuid not null references clients(id) on delete restrict deferrable initially deferred,
  contact_id uuid references contacts(id) on delete set null deferrable initially deferred,
  owner_id uuid not null references users(id) on delete restrict deferrable initially deferred,
  pipeline_id uuid not null references pipelines(id) on delete restrict deferrable initially deferred,
  stage_id uuid not null references stages(id) on delete restrict deferrable initially deferred,
  amount numeric(18,2) check (amount is null or amount >= 0),
  currency char(3) check (currency is null or currency ~ '^[A-Z]{3}$'),
  expected_close_date date,
  custom jsonb not null default '{}' check (jsonb_typeof(custom) = 'object'),
  lost_reason text,
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version int not null default 1,
  check ((amount is null) = (currency is null))
);
create index deals_board_idx on deals (pipeline_id, stage_id, updated_at desc);
create index deals_owner_idx on deals (owner_id, id);
create index deals_client_idx on deals (client_id);

create table files (
  sha256 char(64) primary key,
  size bigint not null,
  created_at timestamptz not null default now()
);

create table deal_attachments (
  id uuid primary key,
  deal_id uuid not null references deals(id) on delete cascade deferrable initially deferred,
  document_kind_id uuid references document_kinds(id) on delete restrict deferrable initially deferred,
  file_sha256 char(64) not null references files(sha256) deferrable initially deferred,
  file_name text not null,
  content_type text not null,
  size bigint not null,
  uploaded_by uuid not null references users(id) deferrable initially deferred,
  created_at timestamptz not null default now()
);
create index deal_attachments_deal_idx on deal_attachments (deal_id, created_at);

create table deal_events (
  id uuid primary key,
  deal_id uuid not null references deals(id) on delete cascade deferrable initially deferred,
  op_id text not null unique,
  kind text not null check (kind in ('created','updated','stage_changed','attached','detached')),
  actor_id uuid references users(id) on delete set null deferrable initially deferred,
  at timestamptz not null default now(),
  from_stage_id uuid references stages(id) deferrable initially deferred,
  to_stage_id uuid references stages(id) deferrable initially deferred,
  data jsonb not null default '{}'
);
create index deal_events_deal_idx on deal_events (deal_id, at);
`);
  }
}
