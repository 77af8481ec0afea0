import { Migration } from '@mikro-orm/migrations';

/**
 * "Make it a document": the catalog documents made of a post, keyed by the request's opId (a second click with the
 * same key answers the documents the first made), in the order they were made.
 */
export class Migration20261130097200_feed_post_documents extends Migration {
  override up(): void {
    this.addSql(`
create table feed_post_documents (
  op_id uuid not null,
  position integer not null,
  post_id uuid not null references feed_posts(id) on delete cascade,
  document_id uuid not null references documents(id) on delete cascade,
  made_by uuid not null references users(id),
  created_at timestamptz(3) not null default now(),
  primary key (op_id, position)
);
create index feed_post_documents_post_idx on feed_post_documents (post_id);
`);
  }
}
