import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ApiToken, Session, User } from '../modules/accounts/entities.ts';
import { Department } from '../modules/org/entities.ts';
import { Client, Contact, RecordShare } from '../modules/clients/entities.ts';
import { DealField, DocumentKind, Pipeline, Stage } from '../modules/pipelines/entities.ts';
import { Deal, DealAttachment, DealEvent } from '../modules/deals/entities.ts';
import { StoredFile } from '../modules/files/entities.ts';
import { Migration20261127000000_foundation } from '../migrations/Migration20261127000000_foundation.ts';
import { Migration20261127010000_deal_timestamps_ms } from '../migrations/Migration20261127010000_deal_timestamps_ms.ts';
import { Migration20261127020000_login_throttle } from '../migrations/Migration20261127020000_login_throttle.ts';
import { Migration20261128000000_deal_ops } from '../migrations/Migration20261128000000_deal_ops.ts';
import { Migration20261130000000_sessions_audit } from '../migrations/Migration20261130000000_sessions_audit.ts';

export const entities = [
  User, Session, ApiToken, Department, Client, Contact, RecordShare,
  Pipeline, Stage, DocumentKind, DealField, Deal, DealAttachment, DealEvent, StoredFile,
];

export const migrations = [
  { name: 'Migration20261127000000_foundation', class: Migration20261127000000_foundation },
  { name: 'Migration20261127010000_deal_timestamps_ms', class: Migration20261127010000_deal_timestamps_ms },
  { name: 'Migration20261127020000_login_throttle', class: Migration20261127020000_login_throttle },
  { name: 'Migration20261128000000_deal_ops', class: Migration20261128000000_deal_ops },
  { name: 'Migration20261130000000_sessions_audit', class: Migration20261130000000_sessions_audit },
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
