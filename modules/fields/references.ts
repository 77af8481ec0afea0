/**
 * Fields whose value names another record: a user, a client, a file attached to the record. Pure rules here; the
 * lookups are in deal-values.ts (at write) and deal-references.ts (for reading). Without imports but types, so the
 * workflow bundle may use it too.
 *
 * The rules, in one place:
 * - a user field takes an existing, active user (any in the company directory, as GET /users lists it);
 * - a client field takes a client the acting user can see;
 * - a file field takes a file attached to the same record (its attachment id);
 * - a value kept as it is is not checked again, so a deal whose user field names a colleague who has since been
 *   deactivated can still be saved with other changes; it shows that person as deactivated and still counts as
 *   filled for the stage gate (who signed stays who signed);
 * - detaching a file clears every file field that names it when the detachment's turn comes, in the same step; when
 *   the deal's stage requires such a field, the detachment is refused like removing the last document of a required
 *   kind; a write setting a file field checks that the file is still attached (activities/deals.ts), so a file
 *   detached after the value was checked is refused rather than named.
 */
export const REFERENCE_FIELD_TYPES = ['user', 'client', 'file'] as const;
export type ReferenceType = (typeof REFERENCE_FIELD_TYPES)[number];

export const isReferenceType = (type: string): type is ReferenceType =>
  (REFERENCE_FIELD_TYPES as readonly string[]).includes(type);

/** One value to look up before a write: field `key` of type `type` names record `id`. */
export interface ReferenceToCheck {
  key: string;
  type: ReferenceType;
  id: string;
}

/**
 * The reference values among a set of changes that must be looked up: set (not cleared) and different from the
 * value the record holds now.
 */
export function referencesToCheck(
  defs: readonly { key: string; type: string }[],
  changes: Record<string, unknown>,
  current: Record<string, unknown>,
): ReferenceToCheck[] {
  const out: ReferenceToCheck[] = [];
  for (const [key, value] of Object.entries(changes)) {
    const def = defs.find((d) => d.key === key);
    if (!def || !isReferenceType(def.type) || typeof value !== 'string') continue;
    if (current[key] === value) continue;
    out.push({ key, type: def.type, id: value });
  }
  return out;
}

/** What a lookup found for a referenced id; null when there is no such record at all. */
export type Found =
  { type: 'user'; active: boolean } | { type: 'client'; visible: boolean } | { type: 'file'; attachedHere: boolean };

/** What is wrong with a reference given what the lookup found, or null when it may be written. */
export function referenceProblem(type: ReferenceType, found: Found | null): string | null {
  switch (type) {
    case 'user':
      if (!found || found.type !== 'user') return 'no such user';
      return found.active ? null : 'this user is deactivated';
    case 'client':
      // a client the user cannot see is answered like one that does not exist: its existence is not revealed
      return found?.type === 'client' && found.visible ? null : 'no such client';
    case 'file':
      return found?.type === 'file' && found.attachedHere ? null : 'no such file attached to this deal';
  }
}

/** Of the file fields (their keys), those naming an attachment: detaching it clears them. */
export function fieldsNaming(
  fileFields: readonly string[],
  values: Record<string, unknown>,
  attachmentId: string,
): string[] {
  return fileFields.filter((k) => values[k] === attachmentId);
}

/** How the record shows a referenced value: its name, and whether it still stands. */
export interface ReferenceView {
  type: ReferenceType;
  id: string;
  /** the user's or client's name, the file's name; null when the record no longer exists */
  name: string | null;
  /** 'inactive': a deactivated user; 'missing': the record is gone (e.g. a file detached meanwhile) */
  status: 'active' | 'inactive' | 'missing';
}
