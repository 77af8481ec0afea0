import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { shareRecord, unshareRecord } from '../../modules/shares/commands.ts';
import { sharesOf } from '../../modules/shares/queries.ts';
import { route, type RouteSpec } from '../http.ts';
import type { AuthUser } from '../auth.ts';
import { visibleClient } from './clients.ts';
import { visibleDeal } from './deals.ts';

const shareSchema = z
  .object({
    userId: z.uuid(),
    name: z.string(),
    email: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'RecordShare' });

/** A record type that can be shared: its routes live under `${base}/:id/shares`. */
export interface ShareableKind {
  type: string;
  /** the collection path, e.g. /clients */
  base: string;
  tag: string;
  noun: string;
  /** loads the record the user may see, or throws 404 */
  load: (em: EntityManager, user: AuthUser, id: string) => Promise<{ id: string; ownerId: string }>;
}

/** The three share routes of a record type: list, share, unshare. A new shareable record type adds one line below. */
export function shareRoutesFor(k: ShareableKind): RouteSpec[] {
  const Noun = k.noun[0].toUpperCase() + k.noun.slice(1);
  const params = z.strictObject({ id: z.uuid() });
  const load = async (em: EntityManager, user: AuthUser, id: string) => ({
    type: k.type,
    noun: k.noun,
    ...(await k.load(em, user, id)),
  });
  return [
    route({
      method: 'get',
      path: `${k.base}/:id/shares`,
      operationId: `list${Noun}Shares`,
      summary: `Who a ${k.noun} is shared with, besides those who see it anyway`,
      tag: k.tag,
      access: 'user',
      errors: [404],
      params,
      response: z.object({ items: z.array(shareSchema) }),
      handler: async ({ em, user, params: p }) => ({
        items: await sharesOf(em, k.type, (await load(em, user, p.id)).id),
      }),
    }),
    route({
      method: 'post',
      path: `${k.base}/:id/shares`,
      operationId: `share${Noun}`,
      summary: `Share a ${k.noun} with a user, who then sees and edits it (owner, their lead or an administrator only)`,
      tag: k.tag,
      access: 'user',
      status: 201,
      errors: [403, 404, 422],
      params,
      body: z.strictObject({ userId: z.uuid() }),
      response: shareSchema,
      handler: async ({ em, user, params: p, body }) => {
        const record = await load(em, user, p.id);
        await shareRecord(em, user, record, body.userId);
        return (await sharesOf(em.fork(), k.type, record.id, body.userId))[0];
      },
    }),
    route({
      method: 'delete',
      path: `${k.base}/:id/shares/:userId`,
      operationId: `unshare${Noun}`,
      summary: `Stop sharing a ${k.noun} with a user (owner, their lead or an administrator only)`,
      tag: k.tag,
      access: 'user',
      errors: [403, 404],
      params: z.strictObject({ id: z.uuid(), userId: z.uuid() }),
      handler: async ({ em, user, params: p }) => unshareRecord(em, user, await load(em, user, p.id), p.userId),
    }),
  ];
}

export const clientShareRoutes = shareRoutesFor({
  type: 'client',
  base: '/clients',
  tag: 'Clients',
  noun: 'client',
  load: visibleClient,
});
export const dealShareRoutes = shareRoutesFor({
  type: 'deal',
  base: '/deals',
  tag: 'Deals',
  noun: 'deal',
  load: visibleDeal,
});
