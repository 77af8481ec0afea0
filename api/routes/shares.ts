import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../modules/accounts/entities.ts';
import { RecordShare } from '../../modules/clients/entities.ts';
import { visibleOwnerIds, type RecordType } from '../../modules/access/visibility.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { route, type RouteSpec } from '../http.ts';
import type { AuthUser } from '../auth.ts';
import { visibleClient } from './clients.ts';
import { visibleDeal } from './deals.ts';
import { recordAudit } from '../../modules/audit/index.ts';

const shareSchema = z.object({
  userId: z.uuid(), name: z.string(), email: z.string(), createdAt: z.iso.datetime(),
}).meta({ id: 'RecordShare' });

interface Kind {
  type: RecordType;
  /** the collection path, e.g. /clients */
  base: string;
  tag: string;
  noun: string;
  /** loads the record the user may see, or throws 404 */
  load: (em: EntityManager, user: AuthUser, id: string) => Promise<{ id: string; ownerId: string }>;
}

/**
 * Who may share a record: an administrator, its owner, or a lead who sees it through the departments they lead.
 * Someone who sees the record only because it was shared with them may not pass it on.
 */
async function mayShare(em: EntityManager, user: AuthUser, record: { ownerId: string }): Promise<boolean> {
  const owners = await visibleOwnerIds(em, user);
  return owners === 'all' || owners.includes(record.ownerId);
}

async function sharesOf(em: EntityManager, type: RecordType, recordId: string, userId?: string) {
  const shares = await em.find(RecordShare, { recordType: type, recordId, ...(userId ? { userId } : {}) });
  const users = shares.length ? await em.find(User, { id: { $in: shares.map((s) => s.userId) } }, { fields: ['id', 'name', 'email'] }) : [];
  return shares
    .map((s) => {
      const u = users.find((x) => x.id === s.userId);
      return { userId: s.userId, name: u?.name ?? '', email: u?.email ?? '', createdAt: s.createdAt.toISOString() };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
}

function shareRoutesFor(k: Kind): RouteSpec[] {
  const Noun = k.noun[0].toUpperCase() + k.noun.slice(1);
  const params = z.strictObject({ id: z.uuid() });
  const loadManaged = async (em: EntityManager, user: AuthUser, id: string) => {
    const record = await k.load(em, user, id);
    if (!(await mayShare(em, user, record))) {
      throw forbidden(`Only the ${k.noun}'s owner, their lead or an administrator can change who it is shared with`);
    }
    return record;
  };
  return [
    route({
      method: 'get', path: `${k.base}/:id/shares`, operationId: `list${Noun}Shares`,
      summary: `Who a ${k.noun} is shared with, besides those who see it anyway`,
      tag: k.tag, access: 'user', errors: [404], params,
      response: z.object({ items: z.array(shareSchema) }),
      handler: async ({ em, user, params: p }) => {
        const record = await k.load(em, user, p.id);
        return { items: await sharesOf(em, k.type, record.id) };
      },
    }),
    route({
      method: 'post', path: `${k.base}/:id/shares`, operationId: `share${Noun}`,
      summary: `Share a ${k.noun} with a user, who then sees and edits it (owner, their lead or an administrator only)`,
      tag: k.tag, access: 'user', status: 201, errors: [403, 404, 422], params,
      body: z.strictObject({ userId: z.uuid() }),
      response: shareSchema,
      handler: async ({ em, user, params: p, body }) => {
        const record = await loadManaged(em, user, p.id);
        if (!(await em.findOne(User, { id: body.userId, disabledAt: null }, { fields: ['id'] }))) {
          throw new AppError(422, 'INVALID_REFERENCE', 'userId: no such active user', { field: 'userId' });
        }
        if (body.userId === record.ownerId) {
          throw new AppError(422, 'SHARE_WITH_OWNER', `userId: the owner sees the ${k.noun} already`, { field: 'userId' });
        }
        await em.execute(
          'insert into record_shares (record_type, record_id, user_id) values (?, ?, ?) on conflict do nothing',
          [k.type, record.id, body.userId]);
        await recordAudit(em, { kind: 'share.granted', actorId: user.id, actorEmail: user.email, subjectType: k.type, subjectId: record.id, details: { userId: body.userId } });
        const [share] = await sharesOf(em.fork(), k.type, record.id, body.userId);
        return share;
      },
    }),
    route({
      method: 'delete', path: `${k.base}/:id/shares/:userId`, operationId: `unshare${Noun}`,
      summary: `Stop sharing a ${k.noun} with a user (owner, their lead or an administrator only)`,
      tag: k.tag, access: 'user', errors: [403, 404], params: z.strictObject({ id: z.uuid(), userId: z.uuid() }),
      handler: async ({ em, user, params: p }) => {
        const record = await loadManaged(em, user, p.id);
        const n = await em.nativeDelete(RecordShare, { recordType: k.type, recordId: record.id, userId: p.userId });
        if (n === 0) throw notFound('Share');
        await recordAudit(em, { kind: 'share.revoked', actorId: user.id, actorEmail: user.email, subjectType: k.type, subjectId: record.id, details: { userId: p.userId } });
      },
    }),
  ];
}

export const clientShareRoutes = shareRoutesFor({ type: 'client', base: '/clients', tag: 'Clients', noun: 'client', load: visibleClient });
export const dealShareRoutes = shareRoutesFor({ type: 'deal', base: '/deals', tag: 'Deals', noun: 'deal', load: visibleDeal });
