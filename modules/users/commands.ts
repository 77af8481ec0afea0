import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Session, User, type Role, type UserRow } from '../accounts/entities.ts';
import { generatePassword, hashPassword } from '../accounts/secrets.ts';
import { Department } from '../org/entities.ts';
import { recordAudit } from '../audit/index.ts';
import { DomainError, invalidReference, notFound, versionConflict } from '../shared/errors.ts';
import { changesSelfAway, leavesNoAdmin, removesAdmin } from './rules.ts';

const emailTaken = () => new DomainError('EMAIL_TAKEN', 'A user with this email already exists', { field: 'email' });

async function checkDepartment(em: EntityManager, departmentId: string | null | undefined) {
  if (departmentId && !(await em.findOne(Department, { id: departmentId }, { fields: ['id'] }))) {
    throw invalidReference('departmentId', 'department');
  }
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  departmentId?: string | null;
  password?: string;
}

/** Adds a user; without a password one is generated and returned (to be shown once). */
export async function inviteUser(
  em: EntityManager,
  input: NewUser,
): Promise<{ user: UserRow; password: string | null }> {
  if (await em.findOne(User, { email: input.email }, { fields: ['id'] })) throw emailTaken();
  await checkDepartment(em, input.departmentId);
  const password = input.password ?? generatePassword();
  const user = em.create(User, {
    id: randomUUID(),
    email: input.email,
    name: input.name,
    role: input.role,
    departmentId: input.departmentId ?? null,
    passwordHash: await hashPassword(password),
  });
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw emailTaken();
    throw err;
  }
  return { user, password: input.password ? null : password };
}

export interface UserChanges {
  name?: string;
  role?: Role;
  departmentId?: string | null;
  disabled?: boolean;
}

/**
 * Changes a user that is still at `version`: name, role, department, disabled (which ends their sessions).
 * Nobody disables or demotes themselves, and the last active administrator stays.
 */
export async function updateUser(
  em: EntityManager,
  actor: { id: string; email?: string },
  id: string,
  version: number,
  changes: UserChanges,
) {
  if (changesSelfAway(actor.id, id, changes)) {
    throw new DomainError('CANNOT_CHANGE_SELF', 'You cannot disable yourself or take away your own administrator role');
  }
  await checkDepartment(em, changes.departmentId);
  await em.transactional(async (tem) => {
    if (removesAdmin(changes)) {
      // lock every active administrator first, in one order, so two admins cannot remove each other at once
      const admins = await tem
        .getConnection()
        .execute<{ id: string }[]>(
          "select id from users where role = 'admin' and disabled_at is null order by id for update",
          [],
          'all',
          tem.getTransactionContext(),
        );
      if (
        leavesNoAdmin(
          admins.map((a) => a.id),
          id,
        )
      ) {
        throw new DomainError(
          'LAST_ADMIN',
          'This is the last active administrator; make someone else an administrator first',
        );
      }
    }
    const set: Record<string, unknown> = {};
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.role !== undefined) set.role = changes.role;
    if (changes.departmentId !== undefined) set.departmentId = changes.departmentId;
    if (changes.disabled === true) set.disabledAt = raw('coalesce(disabled_at, now())');
    if (changes.disabled === false) set.disabledAt = null;
    const n = await tem.nativeUpdate(User, { id, version }, { ...set, version: raw('version + 1') });
    if (n === 0) {
      const current = await tem.findOne(User, { id }, { fields: ['version'] });
      if (!current) throw notFound('User');
      throw versionConflict('The user', current.version);
    }
    if (changes.disabled === true) await tem.nativeDelete(Session, { userId: id });
    if (changes.role !== undefined || changes.disabled !== undefined || changes.departmentId !== undefined) {
      await recordAudit(tem, {
        kind: changes.role !== undefined ? 'user.role_changed' : 'user.access_changed',
        actorId: actor.id,
        actorEmail: actor.email,
        subjectType: 'user',
        subjectId: id,
        details: { role: changes.role, disabled: changes.disabled, departmentId: changes.departmentId },
      });
    }
  });
  return em.fork().findOneOrFail(User, { id });
}
