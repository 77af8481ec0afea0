import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { FileStorage } from '../modules/files/storage.ts';
import type { NotificationMailer } from '../modules/notifications/mail.ts';
import { createDealActivities } from './deals.ts';
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
}

/** All activities the worker registers, built from their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createOpActivities(deps),
    ...createDealActivities(deps),
    ...createFileActivities(deps),
    ...createImportActivities(deps),
    ...createEventActivities({
      orm: deps.orm,
      afterNotify: deps.mailer ? async (ids) => void (await deps.mailer!.mail(ids)) : undefined,
    }),
    ...createRegulationActivities(deps),
    ...createPlanActivities(deps),
    ...createDocumentActivities(deps),
  };
}
