import { z } from 'zod';
import { Session, User } from '../../modules/accounts/entities.ts';
import { hashPassword } from '../../modules/accounts/secrets.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../modules/accounts/password-policy.ts';
import { recordAudit } from '../../modules/audit/index.ts';
import { DomainError, notFound } from '../../modules/shared/errors.ts';
import { idParams, route, type RouteSpec } from '../http.ts';
import { clientAddress } from './auth.ts';

/** An administrator sets another user's password (e.g. one they forgot): all of that user's sessions end. */
export const passwordRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/users/:id/password',
    operationId: 'resetUserPassword',
    summary: `Set another user's password (at least ${MIN_PASSWORD_LENGTH} characters, not a common one); their sessions end`,
    tag: 'Users',
    access: 'admin',
    errors: [404, 422],
    params: idParams,
    body: z.strictObject({ newPassword: z.string().min(1).max(MAX_PASSWORD_LENGTH) }),
    handler: async ({ params, body, em, user, req }) => {
      if (params.id === user.id) {
        throw new DomainError(
          'CANNOT_CHANGE_SELF',
          'Change your own password with POST /auth/password and your current password',
        );
      }
      const target = await em.findOne(User, { id: params.id });
      if (!target) throw notFound('User');
      const passwordHash = await hashPassword(body.newPassword, [target.email, target.name]);
      await em.transactional(async (tx) => {
        await tx.nativeUpdate(User, { id: target.id }, { passwordHash });
        await tx.nativeDelete(Session, { userId: target.id });
        await recordAudit(tx, {
          kind: 'auth.password_reset',
          actorId: user.id,
          actorEmail: user.email,
          ip: clientAddress(req),
          subjectType: 'user',
          subjectId: target.id,
          details: { email: target.email },
        });
      });
    },
  }),
];
