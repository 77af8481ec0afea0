import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type multer from 'multer';
import type { Config } from './config.ts';
import type { FileStorage } from '../modules/files/storage.ts';
import type { LiveFeed } from '../modules/timeline/live.ts';
import type { FeedProjector } from '../modules/feed/projector.ts';
import type { RegulationWaker } from '../modules/regulations/wake.ts';

/** What every request handler can reach; built once per process. */
export interface AppContext {
  config: Config;
  orm: MikroORM;
  temporal: Client;
  storage: FileStorage;
  upload: multer.Multer;
  /** live push of committed events to browsers (GET /stream); connects on the first stream */
  live: LiveFeed;
  /** posts the timeline's system events to the feed (modules/feed/projector.ts) */
  feedProjector: FeedProjector;
  regulationWaker: RegulationWaker;
}
