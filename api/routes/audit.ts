import { z } from 'zod';
import { AUDIT_KINDS, listAudit } from '../../modules/audit/index.ts';
import { decodeCursor, encodeCursor, pageOf, pageQuery, route, type RouteSpec } from '../http.ts';

const auditEntry = z
  .object({
    id: z.string(),
    at: z.iso.datetime(),
    kind: z.enum(AUDIT_KINDS),
    actorId: z.uuid().nullable(),
    actorEmail: z.string().nullable(),
    ip: z.string().nullable(),
    subjectType: z.string().nullable(),
    subjectId: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });

const auditCursor = z.tuple([z.string().regex(/^\d{1,18}$/)]);

/** The audit log, for administrators: sign-ins, password changes, role and access changes, shares, exports, deletions. */
export const auditRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/audit',
    operationId: 'listAuditLog',
    summary: 'The audit log, newest first (administrators)',
    tag: 'Audit',
    access: 'admin',
    query: z.strictObject({
      ...pageQuery,
      kind: z
        .string()
        .max(400)
        .optional()
        .describe(`comma-separated kinds: ${AUDIT_KINDS.join(', ')}`)
        .pipe(
          z.transform((v) =>
            v
              ?.split(',')
              .map((k) => k.trim())
              .filter(Boolean),
          ),
        )
        .pipe(z.array(z.enum(AUDIT_KINDS)).optional()),
      actorId: z.uuid().optional(),
      from: z.iso.datetime().optional().describe('entries at or after this time'),
      to: z.iso.datetime().optional().describe('entries before this time'),
    }),
    response: pageOf(auditEntry),
    handler: async ({ em, query }) => {
      const after = decodeCursor(query.cursor, auditCursor);
      const rows = await listAudit(em, {
        kinds: query.kind,
        actorId: query.actorId,
        from: query.from,
        to: query.to,
        afterId: after?.[0],
        limit: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => ({
          id: r.id,
          at: new Date(r.at).toISOString(),
          kind: r.kind,
          actorId: r.actor_id,
          actorEmail: r.actor_email,
          ip: r.ip,
          subjectType: r.subject_type,
          subjectId: r.subject_id,
          details: r.details,
        })),
        nextCursor: rows.length > query.limit && last ? encodeCursor([last.id]) : null,
      };
    },
  }),
];
