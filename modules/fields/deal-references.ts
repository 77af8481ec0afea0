import type { EntityManager } from '@mikro-orm/postgresql';
import { isReferenceType, type ReferenceType, type ReferenceView } from './references.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY = /^[a-z][a-zA-Z0-9_]{0,62}$/;
/** a Postgres array literal of values that need no quoting (keys, uuids) */
const array = (values: readonly string[]) => `{${values.join(',')}}`;

/**
 * What a deal's user, client and file values name, by field key, for the deal page to show names instead of ids:
 * a deactivated user is shown as such, a file no longer attached as missing. Two small reads, and none when the
 * deal holds no such value. Files are looked up among the attachments the caller has read already.
 */
export async function dealReferences(
  em: EntityManager,
  custom: Record<string, unknown>,
  attachments: readonly { id: string; fileName: string }[],
): Promise<Record<string, ReferenceView>> {
  const keys = Object.keys(custom).filter((k) => KEY.test(k) && typeof custom[k] === 'string' && UUID.test(custom[k]));
  if (!keys.length) return {};
  const conn = em.getConnection();
  const defs = (
    await conn.execute<{ key: string; type: string }[]>(
      `select key, type from deal_fields where type in ('user', 'client', 'file') and key = any(?::text[])`,
      [array(keys)],
    )
  ).filter((d): d is { key: string; type: ReferenceType } => isReferenceType(d.type));
  if (!defs.length) return {};
  const idsOf = (type: ReferenceType) => defs.filter((d) => d.type === type).map((d) => custom[d.key] as string);
  const [users, clients] = await Promise.all([
    idsOf('user').length
      ? conn.execute<{ id: string; name: string; disabled: boolean }[]>(
          'select id, name, disabled_at is not null as disabled from users where id = any(?::uuid[])',
          [array(idsOf('user'))],
        )
      : [],
    idsOf('client').length
      ? conn.execute<{ id: string; name: string }[]>('select id, name from clients where id = any(?::uuid[])', [
          array(idsOf('client')),
        ])
      : [],
  ]);
  const out: Record<string, ReferenceView> = {};
  for (const d of defs) {
    const id = custom[d.key] as string;
    if (d.type === 'user') {
      const u = users.find((x) => x.id === id);
      out[d.key] = {
        type: d.type,
        id,
        name: u?.name ?? null,
        status: !u ? 'missing' : u.disabled ? 'inactive' : 'active',
      };
    } else if (d.type === 'client') {
      const c = clients.find((x) => x.id === id);
      out[d.key] = { type: d.type, id, name: c?.name ?? null, status: c ? 'active' : 'missing' };
    } else {
      const a = attachments.find((x) => x.id === id);
      out[d.key] = { type: d.type, id, name: a?.fileName ?? null, status: a ? 'active' : 'missing' };
    }
  }
  return out;
}
