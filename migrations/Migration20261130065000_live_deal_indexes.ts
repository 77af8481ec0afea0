import { Migration } from '@mikro-orm/migrations';

/**
 * Every board, list and search leaves archived deals out (`archived_at is null`). A lead's reads walk each owner's
 * deals (and each owner's deals in each stage) newest change first: with that condition in the index's predicate,
 * those walks are answered from the index alone again instead of visiting every candidate row to check it.
 */
export class Migration20261130065000_live_deal_indexes extends Migration {
  override up(): void {
    this.addSql(`
create index deals_owner_live_recent_idx on deals (owner_id, updated_at desc, id desc) where archived_at is null;
create index deals_owner_stage_live_recent_idx on deals (owner_id, stage_id, updated_at desc, id desc)
  where archived_at is null;
`);
  }
}
