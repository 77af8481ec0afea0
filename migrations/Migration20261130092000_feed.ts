import { Migration } from '@mikro-orm/migrations';

/**
 * The feed: posts to the company, a department (and the departments below it) or a record (a deal, a client, a plan,
 * a calendar event), their comments, who follows which post, each user's read mark, the files attached to posts
 * (stored content, modules/files) and the projection of the timeline into system posts (its cursor, and each system
 * post's source key, so an event is posted once whatever happens to the process that projects it).
 */
export class Migration20261130092000_feed extends Migration {
  override up(): void {
    this.addSql(`
create table feed_posts (
  id uuid primary key,
  -- null for a system post (made from the timeline)
  author_id uuid references users(id),
  audience text not null check (audience in ('company','department','record')),
  department_id uuid references departments(id) on delete cascade,
  record_type text check (record_type in ('deal','client','plan','event')),
  record_id uuid,
  body text not null default '' check (length(body) <= 20000),
  -- deal_won, deal_lost, stage_passed, plan_finalised, result_overdue: what a system post tells (data holds the facts)
  system_kind text,
  data jsonb not null default '{}' check (jsonb_typeof(data) = 'object'),
  -- a system post's origin, e.g. event:<record_events id>: the same event is posted once
  source_key text unique,
  mentions uuid[] not null default '{}',
  comment_count integer not null default 0,
  created_at timestamptz(3) not null default now(),
  -- a post rises when commented: the feed is ordered by (bumped_at, id)
  bumped_at timestamptz(3) not null default now(),
  -- who made it rise last (the author, then each commenter): their own activity is not unread for them
  bumped_by uuid references users(id),
  check ((audience = 'department') = (department_id is not null)),
  check ((audience = 'record') = (record_id is not null and record_type is not null)),
  check ((author_id is null) = (system_kind is not null))
);
create index feed_posts_bumped_idx on feed_posts (bumped_at desc, id desc);
create index feed_posts_record_idx on feed_posts (record_type, record_id, bumped_at desc, id desc);
create index feed_posts_author_idx on feed_posts (author_id, bumped_at desc, id desc);
create index feed_posts_mentions_idx on feed_posts using gin (mentions);

create table feed_comments (
  id uuid primary key,
  post_id uuid not null references feed_posts(id) on delete cascade,
  author_id uuid not null references users(id),
  body text not null check (length(body) between 1 and 20000),
  mentions uuid[] not null default '{}',
  created_at timestamptz(3) not null default now()
);
create index feed_comments_post_idx on feed_comments (post_id, created_at, id);
create index feed_comments_mentions_idx on feed_comments using gin (mentions);

create table feed_follows (
  post_id uuid not null references feed_posts(id) on delete cascade,
  user_id uuid not null references users(id),
  primary key (post_id, user_id)
);
create index feed_follows_user_idx on feed_follows (user_id);

-- files attached to a post: uploaded first (post_id null until the post is written), stored by content
create table feed_attachments (
  id uuid primary key,
  post_id uuid references feed_posts(id) on delete cascade,
  uploaded_by uuid not null references users(id),
  file_sha256 char(64) not null references files(sha256),
  file_name text not null,
  content_type text not null,
  size bigint not null,
  created_at timestamptz(3) not null default now()
);
create index feed_attachments_post_idx on feed_attachments (post_id);
create index feed_attachments_file_idx on feed_attachments (file_sha256);

-- the newest post a user has seen: newer posts (and posts commented since) are unread
create table feed_reads (
  user_id uuid primary key references users(id),
  seen_at timestamptz(3) not null
);

-- how far the timeline has been projected into system posts: the last event id and the oldest transaction still
-- running when it was read (events below it committed later are read again; their source keys make that harmless)
create table feed_projection (
  name text primary key,
  last_id bigint not null,
  tx_xmin xid8 not null
);
insert into feed_projection (name, last_id, tx_xmin)
select 'system', coalesce((select max(id) from record_events), 0), pg_snapshot_xmin(pg_current_snapshot());

alter table record_events drop constraint record_events_kind_check;
alter table record_events add constraint record_events_kind_check check (
  (record_type = 'deal' and kind in ('created','updated','stage_changed','attached','detached','archived','restored','reported'))
  or (record_type in ('client','contact') and kind in ('created','updated','reported'))
  or (record_type = 'event' and kind in ('created','updated','cancelled','reported','result_overdue'))
  or (record_type = 'plan' and kind in ('created','updated','submitted','reviewed','finalised','reopened'))
);
`);
  }
}
