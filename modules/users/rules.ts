/** Rules on changing users, pure so they are testable without a database. */

export interface UserChange {
  role?: string;
  disabled?: boolean;
}

/** Does the change take an administrator's power away (demotes or disables)? */
export const removesAdmin = (c: UserChange) => (c.role !== undefined && c.role !== 'admin') || c.disabled === true;

/** An administrator cannot disable themselves or give up their own administrator role. */
export const changesSelfAway = (actorId: string, targetId: string, c: UserChange) =>
  actorId === targetId && removesAdmin(c);

/**
 * Would removing `targetId`'s administrator power leave no active administrator? `activeAdminIds`: every active
 * administrator, read under lock.
 */
export const leavesNoAdmin = (activeAdminIds: readonly string[], targetId: string) =>
  activeAdminIds.includes(targetId) && !activeAdminIds.some((id) => id !== targetId);
