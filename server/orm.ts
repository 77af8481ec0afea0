import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ApiToken, Session, User } from '../modules/accounts/entities.ts';
import { Department } from '../modules/org/entities.ts';
import { Client, Contact } from '../modules/clients/entities.ts';
import { RecordShare } from '../modules/shares/entities.ts';
import { DealField, DocumentKind, Pipeline, Stage } from '../modules/pipelines/entities.ts';
import { Deal, DealAttachment } from '../modules/deals/entities.ts';
import { RecordEvent } from '../modules/timeline/entities.ts';
import { FeedAttachment, FeedComment, FeedFollow, FeedPost } from '../modules/feed/entities.ts';
import { StoredFile } from '../modules/files/entities.ts';
import { ImportJob, ImportRow } from '../modules/imports/entities.ts';
import { CompanyCurrency, CurrencyRate } from '../modules/currency/entities.ts';
import { SavedFilter } from '../modules/saved-filters/entities.ts';
import { CatalogDocument, DocumentFolder, DocumentLink, DocumentVersion } from '../modules/documents/entities.ts';
import { Migration20261127000000_foundation } from '../migrations/Migration20261127000000_foundation.ts';
import { Migration20261127010000_deal_timestamps_ms } from '../migrations/Migration20261127010000_deal_timestamps_ms.ts';
import { Migration20261127020000_login_throttle } from '../migrations/Migration20261127020000_login_throttle.ts';
import { Migration20261128000000_deal_ops } from '../migrations/Migration20261128000000_deal_ops.ts';
import { Migration20261130000000_command_ops } from '../migrations/Migration20261130000000_command_ops.ts';
import { Migration20261130010000_reads_at_scale } from '../migrations/Migration20261130010000_reads_at_scale.ts';
import { Migration20261130020000_record_events } from '../migrations/Migration20261130020000_record_events.ts';
import { Migration20261130030000_shares_any_record } from '../migrations/Migration20261130030000_shares_any_record.ts';
import { Migration20261130040000_translations } from '../migrations/Migration20261130040000_translations.ts';
import { Migration20261130050000_sessions_audit } from '../migrations/Migration20261130050000_sessions_audit.ts';
import { Migration20261130051000_search_columns } from '../migrations/Migration20261130051000_search_columns.ts';
import { Migration20261130052000_board_rollup } from '../migrations/Migration20261130052000_board_rollup.ts';
import { Migration20261130060000_imports } from '../migrations/Migration20261130060000_imports.ts';
import { Migration20261130061000_board_lead } from '../migrations/Migration20261130061000_board_lead.ts';
import { Migration20261130061000_reference_deal_fields } from '../migrations/Migration20261130061000_reference_deal_fields.ts';
import { Migration20261130061000_write_path } from '../migrations/Migration20261130061000_write_path.ts';
import { Migration20261130063000_deal_archive } from '../migrations/Migration20261130063000_deal_archive.ts';
import { Migration20261130064000_board_rollup_archive } from '../migrations/Migration20261130064000_board_rollup_archive.ts';
import { Migration20261130065000_live_deal_indexes } from '../migrations/Migration20261130065000_live_deal_indexes.ts';
import { Migration20261130070000_calendar } from '../migrations/Migration20261130070000_calendar.ts';
import { Migration20261130071000_calendar_feed_index } from '../migrations/Migration20261130071000_calendar_feed_index.ts';
import { Migration20261130080000_regulations } from '../migrations/Migration20261130080000_regulations.ts';
import { Migration20261130081000_plans } from '../migrations/Migration20261130081000_plans.ts';
import { Migration20261130082000_regulation_instances } from '../migrations/Migration20261130082000_regulation_instances.ts';
import { Migration20261130090000_plan_deadlines_payments } from '../migrations/Migration20261130090000_plan_deadlines_payments.ts';
import { Migration20261130091000_documents } from '../migrations/Migration20261130091000_documents.ts';
import { Migration20261130092000_feed } from '../migrations/Migration20261130092000_feed.ts';
import { Migration20261130093000_regulation_deal_steps } from '../migrations/Migration20261130093000_regulation_deal_steps.ts';
import { Migration20261130094000_regulation_forms } from '../migrations/Migration20261130094000_regulation_forms.ts';
import { Migration20261130095000_scheduled_notifications } from '../migrations/Migration20261130095000_scheduled_notifications.ts';
import { Migration20261130096000_plan_totals_roles } from '../migrations/Migration20261130096000_plan_totals_roles.ts';
import { Migration20261130097000_document_audience } from '../migrations/Migration20261130097000_document_audience.ts';
import { Migration20261130097200_feed_post_documents } from '../migrations/Migration20261130097200_feed_post_documents.ts';
import { Migration20261130097300_feed_post_catalog_documents } from '../migrations/Migration20261130097300_feed_post_catalog_documents.ts';
import { Migration20261130097400_regulation_wake } from '../migrations/Migration20261130097400_regulation_wake.ts';

export const entities = [
  User,
  Session,
  ApiToken,
  Department,
  Client,
  Contact,
  RecordShare,
  Pipeline,
  Stage,
  DocumentKind,
  DealField,
  Deal,
  FeedPost,
  FeedComment,
  FeedFollow,
  FeedAttachment,
  DealAttachment,
  RecordEvent,
  StoredFile,
  ImportJob,
  ImportRow,
  CompanyCurrency,
  CurrencyRate,
  SavedFilter,
  DocumentFolder,
  CatalogDocument,
  DocumentVersion,
  DocumentLink,
];

/** Every migration, in the order it runs: by its name's timestamp (a test checks). */
export const migrations = [
  { name: 'Migration20261127000000_foundation', class: Migration20261127000000_foundation },
  { name: 'Migration20261127010000_deal_timestamps_ms', class: Migration20261127010000_deal_timestamps_ms },
  { name: 'Migration20261127020000_login_throttle', class: Migration20261127020000_login_throttle },
  { name: 'Migration20261128000000_deal_ops', class: Migration20261128000000_deal_ops },
  { name: 'Migration20261130000000_command_ops', class: Migration20261130000000_command_ops },
  { name: 'Migration20261130010000_reads_at_scale', class: Migration20261130010000_reads_at_scale },
  { name: 'Migration20261130020000_record_events', class: Migration20261130020000_record_events },
  { name: 'Migration20261130030000_shares_any_record', class: Migration20261130030000_shares_any_record },
  { name: 'Migration20261130040000_translations', class: Migration20261130040000_translations },
  { name: 'Migration20261130050000_sessions_audit', class: Migration20261130050000_sessions_audit },
  { name: 'Migration20261130051000_search_columns', class: Migration20261130051000_search_columns },
  { name: 'Migration20261130052000_board_rollup', class: Migration20261130052000_board_rollup },
  { name: 'Migration20261130060000_imports', class: Migration20261130060000_imports },
  { name: 'Migration20261130061000_board_lead', class: Migration20261130061000_board_lead },
  { name: 'Migration20261130061000_reference_deal_fields', class: Migration20261130061000_reference_deal_fields },
  { name: 'Migration20261130061000_write_path', class: Migration20261130061000_write_path },
  { name: 'Migration20261130063000_deal_archive', class: Migration20261130063000_deal_archive },
  { name: 'Migration20261130064000_board_rollup_archive', class: Migration20261130064000_board_rollup_archive },
  { name: 'Migration20261130065000_live_deal_indexes', class: Migration20261130065000_live_deal_indexes },
  { name: 'Migration20261130070000_calendar', class: Migration20261130070000_calendar },
  { name: 'Migration20261130071000_calendar_feed_index', class: Migration20261130071000_calendar_feed_index },
  { name: 'Migration20261130080000_regulations', class: Migration20261130080000_regulations },
  { name: 'Migration20261130081000_plans', class: Migration20261130081000_plans },
  { name: 'Migration20261130082000_regulation_instances', class: Migration20261130082000_regulation_instances },
  { name: 'Migration20261130090000_plan_deadlines_payments', class: Migration20261130090000_plan_deadlines_payments },
  { name: 'Migration20261130091000_documents', class: Migration20261130091000_documents },
  { name: 'Migration20261130092000_feed', class: Migration20261130092000_feed },
  { name: 'Migration20261130093000_regulation_deal_steps', class: Migration20261130093000_regulation_deal_steps },
  { name: 'Migration20261130094000_regulation_forms', class: Migration20261130094000_regulation_forms },
  {
    name: 'Migration20261130095000_scheduled_notifications',
    class: Migration20261130095000_scheduled_notifications,
  },
  { name: 'Migration20261130096000_plan_totals_roles', class: Migration20261130096000_plan_totals_roles },
  { name: 'Migration20261130097000_document_audience', class: Migration20261130097000_document_audience },
  { name: 'Migration20261130097200_feed_post_documents', class: Migration20261130097200_feed_post_documents },
  {
    name: 'Migration20261130097300_feed_post_catalog_documents',
    class: Migration20261130097300_feed_post_catalog_documents,
  },
  { name: 'Migration20261130097400_regulation_wake', class: Migration20261130097400_regulation_wake },
];

export type Orm = MikroORM;
export type Em = EntityManager;

/**
 * Timeouts of every pooled connection, so a Postgres that stops answering (frozen, a network that drops packets)
 * fails requests within seconds (503 with Retry-After) instead of hanging them: waiting for a connection from the
 * pool or for a new one, a statement running on the server, an answer not arriving, a transaction left idle.
 */
export const DB_TIMEOUTS = {
  connectionTimeoutMillis: 3000,
  statement_timeout: 5000,
  query_timeout: 6000,
  idle_in_transaction_session_timeout: 10_000,
  keepAlive: true,
};

const ormOptions = (databaseUrl: string, poolMax: number, timeouts: boolean) => ({
  clientUrl: databaseUrl,
  entities,
  extensions: [Migrator],
  migrations: { migrationsList: migrations, transactional: true, allOrNothing: true, silent: true, snapshot: false },
  pool: { min: 0, max: poolMax, idleTimeoutMillis: 30_000 },
  driverOptions: timeouts ? DB_TIMEOUTS : {},
  debug: false,
  allowGlobalContext: false,
  ensureDatabase: false,
});

/** The one ORM initialisation used by the API, the worker and the tests. Migrations run without statement timeouts. */
export async function initORM(
  databaseUrl: string,
  opts: { migrate?: boolean; poolMax?: number } = {},
): Promise<MikroORM> {
  if (opts.migrate) {
    const migrator = await MikroORM.init(ormOptions(databaseUrl, 1, false));
    try {
      await migrator.migrator.up();
    } finally {
      await migrator.close();
    }
  }
  return MikroORM.init(ormOptions(databaseUrl, opts.poolMax ?? 10, true));
}
