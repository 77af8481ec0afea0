import { Migration } from '@mikro-orm/migrations';

/**
 * The document catalog: a tree of folders, documents with their versions (each a stored file, content-addressed in
 * `files`), links to clients, deals and regulations, and full-text search. Access is set per folder or document
 * (everyone, a department and those below it, a role, or private to the owner) or inherited from the folder above;
 * the access in force is kept in `eff_*` columns by the commands that change the tree (modules/documents/access.ts),
 * so that a list or a search filters rows with a plain condition. Search: a generated tsvector over the title,
 * the tags and the current version's extracted text, in the `russian` configuration (Russian stemming for Cyrillic
 * words, English stemming for Latin ones), with a GIN index.
 */
export class Migration20261130091000_documents extends Migration {
  override up(): void {
    this.addSql(`
create table document_folders (
  id uuid primary key,
  parent_id uuid references document_folders(id),
  name text not null check (length(name) between 1 and 255),
  owner_id uuid not null references users(id),
  access_kind text not null default 'inherit'
    check (access_kind in ('inherit','everyone','department','role','private')),
  access_department_id uuid references departments(id) on delete set null,
  access_role text,
  eff_kind text not null default 'everyone' check (eff_kind in ('everyone','department','role','private')),
  eff_department_id uuid,
  eff_role text,
  eff_owner_id uuid not null,
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now(),
  version integer not null default 1,
  check (id <> parent_id)
);
create unique index document_folders_name_idx on document_folders (coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));

-- tags as one text for the generated search column (array_to_string is only stable)
create function document_tags_text(tags text[]) returns text language sql immutable parallel safe
  as $fn$ select coalesce(array_to_string(tags, ' '), '') $fn$;

create table documents (
  id uuid primary key,
  folder_id uuid references document_folders(id),
  title text not null check (length(title) between 1 and 500),
  kind text not null default 'other' check (kind in ('regulation','material','template','proposal','contract','other')),
  tags text[] not null default '{}',
  description text not null default '' check (length(description) <= 5000),
  owner_id uuid not null references users(id),
  access_kind text not null default 'inherit'
    check (access_kind in ('inherit','everyone','department','role','private')),
  access_department_id uuid references departments(id) on delete set null,
  access_role text,
  eff_kind text not null default 'everyone' check (eff_kind in ('everyone','department','role','private')),
  eff_department_id uuid,
  eff_role text,
  eff_owner_id uuid not null,
  current_version integer not null default 1,
  -- the current version's text as extracted (PDF, DOCX, plain text), at most 200,000 characters
  body_text text not null default '',
  search tsvector generated always as (
    setweight(to_tsvector('russian', title), 'A') ||
    setweight(to_tsvector('russian', document_tags_text(tags)), 'B') ||
    setweight(to_tsvector('russian', body_text), 'D')
  ) stored,
  deleted_at timestamptz(3),
  deleted_by uuid references users(id),
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now(),
  version integer not null default 1
);
create index documents_search_idx on documents using gin (search);
create index documents_folder_idx on documents (folder_id, lower(title), id) where deleted_at is null;
create index documents_trash_idx on documents (deleted_at desc, id) where deleted_at is not null;
create index documents_recent_idx on documents (updated_at desc, id) where deleted_at is null;

create table document_versions (
  id uuid primary key,
  document_id uuid not null references documents(id) on delete cascade,
  number integer not null check (number > 0),
  file_sha256 char(64) not null references files(sha256),
  file_name text not null,
  content_type text not null,
  size bigint not null,
  uploaded_by uuid not null references users(id),
  -- pending: its text is being extracted; done; none: a type without text (images); failed
  text_status text not null default 'pending' check (text_status in ('pending','done','none','failed')),
  created_at timestamptz(3) not null default now(),
  unique (document_id, number)
);
create index document_versions_file_idx on document_versions (file_sha256);

create table document_links (
  document_id uuid not null references documents(id) on delete cascade,
  target_type text not null check (target_type in ('client','deal','regulation')),
  target_id uuid not null,
  primary key (document_id, target_type, target_id)
);
create index document_links_target_idx on document_links (target_type, target_id);
`);
  }
}
