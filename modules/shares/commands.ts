import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../accounts/entities.ts';
import type { Viewer } from '../access/visibility.ts';
import { DomainError, forbidden, invalidReference, notFound } from '../shared/errors.ts';
import { RecordShare } from './entities.ts';
import { mayShare } from './queries.ts';
import { recordAudit } from '../audit/index.ts';

/** Who changes a share, as the audit log names them. */
type Actor = Viewer & { email?: string };

/** A record as sharing needs it: its type (e.g. 'deal'), id and owner, and a noun for messages. */
export interface Shareable {
  type: string;
  noun: string;
  id: string;
  ownerId: string;
}

async function checkManager(em: EntityManager, viewer: Viewer, record: Shareable) {
  if (!(await mayShare(em, viewer, record))) {
    throw forbidden(`Only the ${record.noun}'s owner, their lead or an administrator can change who it is shared with`);
  }
}

/** Shares a record with an active user (idempotent); the viewer must be allowed to manage its shares. */
export async function shareRecord(em: EntityManager, viewer: Actor, record: Shareable, userId: string): Promise<void> {
  await checkManager(em, viewer, record);
  if (!(await em.findOne(User, { id: userId, disabledAt: null }, { fields: ['id'] }))) {
    throw invalidReference('userId', 'active user');
  }
  if (userId === record.ownerId) {
    throw new DomainError('SHARE_WITH_OWNER', `userId: the owner sees the ${record.noun} already`, { field: 'userId' });
  }
  await em.transactional(async (tem) => {
    await tem
      .getConnection()
      .execute(
        'insert into record_shares (record_type, record_id, user_id) values (?, ?, ?) on conflict do nothing',
        [record.type, record.id, userId],
        'run',
        tem.getTransactionContext(),
      );
    await recordAudit(tem, {
      kind: 'share.granted',
      actorId: viewer.id,
      actorEmail: viewer.email,
      subjectType: record.type,
      subjectId: record.id,
      details: { userId },
    });
  });
}

/** Stops sharing a record with a user; NOT_FOUND when it was not shared with them. */
export async function unshareRecord(
  em: EntityManager,
  viewer: Actor,
  record: Shareable,
  userId: string,
): Promise<void> {
  await checkManager(em, viewer, record);
  await em.transactional(async (tem) => {
    const n = await tem.nativeDelete(RecordShare, { recordType: record.type, recordId: record.id, userId });
    if (n === 0) throw notFound('Share');
    await recordAudit(tem, {
      kind: 'share.revoked',
      actorId: viewer.id,
      actorEmail: viewer.email,
      subjectType: record.type,
      subjectId: record.id,
      details: { userId },
    });
  });
}
