import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../accounts/entities.ts';
import { visibleOwnerIds, type Viewer } from '../access/visibility.ts';
import { RecordShare } from './entities.ts';

/**
 * Who may share a record: an administrator, its owner, or a lead who sees it through the departments they lead.
 * Someone who sees the record only because it was shared with them may not pass it on.
 */
export async function mayShare(em: EntityManager, viewer: Viewer, record: { ownerId: string }): Promise<boolean> {
  const owners = await visibleOwnerIds(em, viewer);
  return owners === 'all' || owners.includes(record.ownerId);
}

/** Who a record is shared with (or whether with one user), by name. */
export async function sharesOf(em: EntityManager, recordType: string, recordId: string, userId?: string) {
  const shares = await em.find(RecordShare, { recordType, recordId, ...(userId ? { userId } : {}) });
  const users = shares.length
    ? await em.find(User, { id: { $in: shares.map((s) => s.userId) } }, { fields: ['id', 'name', 'email'] })
    : [];
  return shares
    .map((s) => {
      const u = users.find((x) => x.id === s.userId);
      return { userId: s.userId, name: u?.name ?? '', email: u?.email ?? '', createdAt: s.createdAt.toISOString() };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
}
