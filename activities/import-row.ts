/**
 * One row of an import, checked (for the preview and before anything is written) and imported: its client (an
 * existing one matched by tax id, then email, then phone, or a new one), its contact and its deal, all or nothing.
 *
 * How a row stays all or nothing, though its deal is written by the deal's workflow in a transaction of its own:
 * 1. Everything that can refuse the row is checked before anything is written: the cells (rules.ts), the
 *    references, the stage gate of the deal's stage with the row's values (the same rule the workflow holds).
 * 2. The new client and contact are written in one transaction claimed by the row's opId, under ids derived from
 *    the import and the row, without their timeline events (nobody is told of them yet).
 * 3. The deal is created through the deal command (modules/deals/commands.ts), with an idempotency key derived
 *    from the import and the row: a retry lands on the same deal.
 * 4. One transaction settles the row: imported, with the client's and contact's `created` events; or, if the
 *    deal was refused after all (an administrator changed the stage meanwhile), failed, and the client and contact
 *    step 2 created are deleted again (unless someone gave them a deal or contact in between).
 * A row settles once (`where status = 'pending'`); every step finds what an earlier attempt wrote, so a worker
 * killed at any point resumes the row and writes nothing twice.
 */

import type { Client as TemporalClient } from '@temporalio/client';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { claimOp } from './kit/ops.ts';
import { DomainError } from '../modules/shared/errors.ts';
import type { Viewer } from '../modules/access/visibility.ts';
import { Client, Contact } from '../modules/clients/entities.ts';
import { normaliseEmail, normalisePhone } from '../modules/clients/duplicates.ts';
import { recordEvent } from '../modules/timeline/write.ts';
import { createDealCommand, dealIdFor } from '../modules/deals/commands.ts';
import { Deal } from '../modules/deals/entities.ts';
import type { ImportRefs, RowError, RowPlan } from '../modules/imports/rules.ts';
import type { ImportJobRow } from '../modules/imports/entities.ts';
import { checkRow, matchClient, rowKeys, type Gates } from '../modules/imports/rows.ts';

/** Failures of the deal command after which the same command may well succeed: the row is tried again later. */
const TRANSIENT = new Set([
  'SERVICE_UNAVAILABLE',
  'OUTCOME_UNKNOWN',
  'COMMAND_ABANDONED',
  'DEAL_BUSY',
  'DEAL_STATE_STALE',
  'SAVED_NOT_SHOWN',
]);

export interface RowDeps {
  orm: MikroORM;
  temporal: TemporalClient;
  taskQueue: string;
}

async function exists(em: EntityManager, entity: typeof Client | typeof Contact, id: string) {
  return (await em.count(entity as typeof Client, { id })) > 0;
}

/** An existing contact of the client that is the row's person: the same email, else phone, else name. */
async function matchContact(em: EntityManager, clientId: string, contact: NonNullable<RowPlan['contact']>) {
  const contacts = await em.find(Contact, { clientId }, { fields: ['id', 'name', 'email', 'phone'], limit: 500 });
  const email = contact.email ? normaliseEmail(contact.email) : '';
  const phone = contact.phone ? normalisePhone(contact.phone) : '';
  return (
    (email && contacts.find((c) => c.email && normaliseEmail(c.email) === email)) ||
    (phone && contacts.find((c) => c.phone && normalisePhone(c.phone) === phone)) ||
    contacts.find((c) => c.name.trim().toLowerCase() === contact.name.trim().toLowerCase()) ||
    null
  );
}

export type RowOutcome = { status: 'imported'; dealId: string | null } | { status: 'failed'; errors: RowError[] };

/**
 * Settles a pending row as failed, once, in one transaction: the client and contact this row created (under its
 * derived ids, by an earlier step or attempt) are deleted again unless someone used them meanwhile, so a refused
 * row leaves nothing behind. Whatever must stay gets its `created` event.
 */
export async function settleFailed(
  em: EntityManager,
  job: Pick<ImportJobRow, 'id' | 'ownerId'>,
  rowNumber: number,
  errors: RowError[],
) {
  const keys = rowKeys(job.id, rowNumber);
  await em.fork().transactional(async (tem) => {
    const conn = tem.getConnection();
    const [settled] = await conn.execute<{ n: number }[]>(
      `with u as (update import_rows set status = 'failed', errors = ?::jsonb, finished_at = now()
         where import_id = ? and row_number = ? and status = 'pending' returning 1) select count(*)::int as n from u`,
      [JSON.stringify(errors), job.id, rowNumber],
      'all',
      tem.getTransactionContext(),
    );
    if (!settled.n) return;
    await conn.execute(
      'delete from contacts where id = ? and not exists (select 1 from deals where contact_id = ?)',
      [keys.contactId, keys.contactId],
      'run',
      tem.getTransactionContext(),
    );
    await conn.execute(
      `delete from clients c where c.id = ? and not exists (select 1 from deals d where d.client_id = c.id)
         and not exists (select 1 from contacts k where k.client_id = c.id)`,
      [keys.clientId],
      'run',
      tem.getTransactionContext(),
    );
    await announceKept(tem, job.ownerId, keys.clientId, keys.contactId);
  });
}

/** Imports one pending row (see the top of this file). Throws only what may pass on retry. */
export async function importRow(
  deps: RowDeps,
  job: ImportJobRow,
  viewer: Viewer,
  row: { rowNumber: number; cells: string[] },
  refs: ImportRefs,
  gates: Gates,
): Promise<RowOutcome> {
  const em = deps.orm.em.fork();
  const checked = await checkRow(job, row.cells, refs, gates);
  if (!checked.plan) {
    await settleFailed(em, job, row.rowNumber, checked.errors);
    return { status: 'failed', errors: checked.errors };
  }
  const plan = checked.plan;
  const keys = rowKeys(job.id, row.rowNumber);

  // the client: this row's own (an earlier attempt wrote it), an existing one, or a new one
  let clientId: string;
  let clientCreated = false;
  if (await exists(em, Client, keys.clientId)) {
    clientId = keys.clientId;
    clientCreated = true;
  } else {
    const match = await matchClient(em, viewer, plan.client);
    if (match) clientId = match.id;
    else if (plan.client.name) {
      clientId = keys.clientId;
      clientCreated = true;
    } else {
      const errors: RowError[] = [
        {
          code: 'CLIENT_NOT_FOUND',
          field: 'client.name',
          column: null,
          message: 'No client with this tax id, email or phone, and no name to create one',
        },
      ];
      await settleFailed(em, job, row.rowNumber, errors);
      return { status: 'failed', errors };
    }
  }
  let contactId: string | null = null;
  let contactCreated = false;
  if (plan.contact) {
    if (await exists(em, Contact, keys.contactId)) {
      contactId = keys.contactId;
      contactCreated = true;
    } else {
      const existing = clientCreated ? null : await matchContact(em, clientId, plan.contact);
      contactId = existing?.id ?? keys.contactId;
      contactCreated = !existing;
    }
  }
  const ownerId = plan.deal?.ownerId ?? job.ownerId;
  if (clientCreated || contactCreated) {
    await em.fork().transactional(async (tem) => {
      if (!(await claimOp(tem, keys.opId))) return;
      if (clientCreated && !(await exists(tem, Client, clientId))) {
        const c = plan.client;
        await tem.insert(Client, {
          id: clientId,
          ownerId,
          name: c.name!,
          taxId: c.taxId,
          email: c.email,
          phone: c.phone,
          website: c.website,
          address: c.address,
          notes: null,
        });
      }
      if (contactCreated && plan.contact) {
        const p = plan.contact;
        await tem.insert(Contact, {
          id: contactId!,
          clientId,
          name: p.name,
          position: p.position,
          email: p.email,
          phone: p.phone,
        });
      }
    });
  }

  let dealId: string | null = null;
  let refused: DomainError | null = null;
  if (plan.deal) {
    const d = plan.deal;
    try {
      const created = await createDealCommand(
        { em: deps.orm.em.fork(), temporal: deps.temporal, taskQueue: deps.taskQueue, actorId: job.ownerId, viewer },
        d.ownerId,
        {
          title: d.title,
          clientId,
          pipelineId: d.pipelineId,
          stageId: d.stageId,
          contactId,
          amount: d.amount,
          currency: d.currency,
          expectedCloseDate: d.expectedCloseDate,
          custom: d.custom,
          lostReason: d.lostReason,
        },
        keys.dealKey,
      );
      dealId = created.id;
    } catch (e) {
      if (!(e instanceof DomainError) || TRANSIENT.has(e.code)) throw e;
      // an earlier attempt's create may have been written after all: then the row is imported, not refused
      const id = dealIdFor(d.ownerId, keys.dealKey);
      if (await em.fork().findOne(Deal, { id }, { fields: ['id'] })) dealId = id;
      else refused = e;
    }
  }

  if (refused) {
    const col = job.mapping?.['deal.stage'];
    const errors: RowError[] = [
      {
        code: refused.code,
        field: 'deal',
        column: col === undefined ? null : job.columns[col],
        message: refused.message,
        details: refused.details,
      },
    ];
    await settleFailed(em, job, row.rowNumber, errors);
    return { status: 'failed', errors };
  }

  let imported = false;
  await em.fork().transactional(async (tem) => {
    const [settled] = await tem.getConnection().execute<{ n: number }[]>(
      `with u as (update import_rows set status = 'imported', client_id = ?, contact_id = ?, deal_id = ?,
           client_created = ?, finished_at = now()
         where import_id = ? and row_number = ? and status = 'pending' returning 1) select count(*)::int as n from u`,
      [clientId, contactId, dealId, clientCreated, job.id, row.rowNumber],
      'all',
      tem.getTransactionContext(),
    );
    if (!settled.n) return;
    imported = true;
    await announceKept(tem, job.ownerId, clientCreated ? clientId : null, contactCreated ? contactId : null);
  });
  return imported ? { status: 'imported', dealId } : { status: 'failed', errors: [] };
}

/** The `created` events of the row's new client and contact that are (still) there, in the settling transaction. */
async function announceKept(em: EntityManager, actorId: string, clientId: string | null, contactId: string | null) {
  if (clientId) {
    const client = await em.findOne(Client, { id: clientId }, { fields: ['id', 'name'] });
    if (client) {
      await recordEvent(em, {
        recordType: 'client',
        recordId: client.id,
        kind: 'created',
        actorId,
        data: { name: client.name },
      });
    }
  }
  if (contactId) {
    const contact = await em.findOne(Contact, { id: contactId }, { fields: ['id', 'name', 'clientId'] });
    if (contact) {
      await recordEvent(em, {
        recordType: 'contact',
        recordId: contact.id,
        kind: 'created',
        actorId,
        data: { clientId: contact.clientId, name: contact.name },
      });
    }
  }
}
