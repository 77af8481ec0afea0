import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ApiToken, Session, User } from '../modules/accounts/entities.ts';
import { Department } from '../modules/org/entities.ts';
import { Client, Contact } from '../modules/clients/entities.ts';
import { RecordShare } from '../modules/shares/entities.ts';
import { DealField, DocumentKind, Pipeline, Stage } from '../modules/pipelines/entities.ts';
import { Deal, DealAttachment } from '../modules/deals/entities.ts';
import { RecordEvent } from '../modules/timeline/entities.ts';
import { StoredFile } from '../modules/files/entities.ts';
import { Migration20261127000000_foundation } from '../migrations/Migration20261127000000_foundation.ts';
import { Migration20261127010000_deal_timestamps_ms } from '../migrations/Migration20261127010000_deal_timestamps_ms.ts';
import { Migration20261127020000_login_throttle } from '../migrations/Migration20261127020000_login_throttle.ts';
import { Migration20261128000000_deal_ops } from '../migrations/Migration20261128000000_deal_ops.ts';
import { Migration20261130000000_command_ops } from '../migrations/Migration20261130000000_command_ops.ts';
import { Migration20261130010000_reads_at_scale } from '../migrations/Migration20261130010000_reads_at_scale.ts';
import { Migration20261130020000_record_events } from '../migrations/Migration20261130020000_record_events.ts';
import { Migration20261130030000_shares_any_record } from '../migrations/Migration20261130030000_shares_any_record.ts';
import { Migration20261130040000_translations } from '../migrations/Migration20261130040000_translations.ts';

export const entities = [
  User, Session, ApiToken, Department, Client, Contact, RecordShare,
  Pipeline, Stage, DocumentKind, DealField, Deal, DealAttachment, RecordEvent, StoredFile,
];

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
];

export type Orm = MikroORM;
export type Em = EntityManager;

/** The one ORM initialisation used by the API, the worker and the tests. */
export async function initORM(databaseUrl: string, opts: { migrate?: boolean; poolMax?: number } = {}): Promise<MikroORM> {
  const orm = await MikroORM.init({
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    migrations: { migrationsList: migrations, transactional: true, allOrNothing: true, silent: true, snapshot: false },
    pool: { min: 0, max: opts.poolMax ?? 10 },
    debug: false,
    allowGlobalContext: false,
    ensureDatabase: false,
  });
  if (opts.migrate) await orm.migrator.up();
  return orm;
}
