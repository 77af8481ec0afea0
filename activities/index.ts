import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { FileStorage } from '../modules/files/storage.ts';
import type { NotificationMailer } from '../modules/notifications/mail.ts';
import { createDealActivities } from './deals.ts';
import { createDispatchActivities } from './dispatch.ts';
import { createEventActivities } from './events.ts';
import { createRegulationActivities } from './regulations.ts';
import { createFileActivities } from './files.ts';
import { createOpActivities } from './kit/ops.ts';
import { createImportActivities } from './imports.ts';
import { createPlanActivities } from './plans.ts';
import { createDocumentActivities } from './documents.ts';

export interface ActivityDeps {
  orm: MikroORM;
  storage: FileStorage;
  /** the client imports create deals with (default: the worker's own, from the activity context) */
  temporal?: Client;
  /** mails new notifications after they are committed (runtime/worker.ts makes it from the SMTP settings) */
  mailer?: NotificationMailer;
  /**
   * whether the worker is shutting down: long-running activities end their work then, even when their cancellation
   * was already spent on a missed heartbeat (runtime/worker.ts)
   */
  shuttingDown?: () => boolean;
}

/** All activities the worker registers, built from their dependencies. */
export function createActivities(deps: ActivityDeps) {
  const afterNotify = deps.mailer ? async (ids: string[]) => void (await deps.mailer!.mail(ids)) : undefined;
  return {
    ...createOpActivities(deps),
    ...createDealActivities(deps),
    ...createFileActivities(deps),
    ...createImportActivities(deps),
    ...createEventActivities({ orm: deps.orm, afterNotify }),
    ...createDispatchActivities({ orm: deps.orm, afterNotify, shuttingDown: deps.shuttingDown }),
    ...createRegulationActivities(deps),
    ...createPlanActivities(deps),
    ...createDocumentActivities(deps),
  };
}
