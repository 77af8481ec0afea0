import { Migration } from '@mikro-orm/migrations';

/**
 * Catalog documents a post refers to (picked from the catalog when writing it): a reader sees each only when they may
 * open the document, and the document's file is served by the catalog, which checks that on every download.
 */
export class Migration20261130097300_feed_post_catalog_documents extends Migration {
  override up(): void {
    this.addSql(`
create table feed_post_catalog_documents (
  post_id uuid not null references feed_posts(id) on delete cascade,
  document_id uuid not null references documents(id) on delete cascade,
  position integer not null,
  primary key (post_id, document_id)
);
create index feed_post_catalog_documents_document_idx on feed_post_catalog_documents (document_id);
`);
  }
}
