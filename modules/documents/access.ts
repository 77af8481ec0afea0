/**
 * Who may open a folder or a document, as pure rules. Each node sets its access or inherits it from the folder
 * above: everyone, a department (its members and those of the departments below it, and their leads), a role, or
 * private to the owner of the node that made it private. A node at the top that inherits is open to everyone.
 * The access in force is stored on every row (`eff_*`), and from it the node's audience (`audienceOf`), so that a
 * read filters with one indexable condition: the node's audience shares a key with the viewer's (`viewerAudience`).
 */
export const ACCESS_KINDS = ['inherit', 'everyone', 'department', 'role', 'private'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/** The access a node sets for itself. */
export interface OwnAccess {
  kind: AccessKind;
  departmentId?: string | null;
  role?: string | null;
}

/** The access in force on a node. */
export interface Effective {
  kind: Exclude<AccessKind, 'inherit'>;
  departmentId: string | null;
  role: string | null;
  /** whose "private" it is (for other kinds: the node's owner, unused) */
  ownerId: string;
}

/** A node's access in force: its own unless it inherits, then its parent's (or everyone at the top). */
export function effectiveOf(own: OwnAccess, ownerId: string, parent: Effective | null): Effective {
  switch (own.kind) {
    case 'inherit':
      return parent ?? { kind: 'everyone', departmentId: null, role: null, ownerId };
    case 'department':
      return { kind: 'department', departmentId: own.departmentId ?? null, role: null, ownerId };
    case 'role':
      return { kind: 'role', departmentId: null, role: own.role ?? null, ownerId };
    default:
      return { kind: own.kind, departmentId: null, role: null, ownerId };
  }
}

export interface FolderNode {
  id: string;
  parentId: string | null;
  ownerId: string;
  access: OwnAccess;
}

/** The access in force on every folder of the tree, from the top down. */
export function effectiveTree(folders: readonly FolderNode[]): Map<string, Effective> {
  const byId = new Map(folders.map((f) => [f.id, f]));
  const out = new Map<string, Effective>();
  const resolve = (f: FolderNode, seen: Set<string>): Effective => {
    const known = out.get(f.id);
    if (known) return known;
    const parent = f.parentId ? byId.get(f.parentId) : undefined;
    // a loop (refused when moving, see wouldCycle) resolves as a top folder rather than recursing forever
    const parentEff = parent && !seen.has(parent.id) ? resolve(parent, new Set(seen).add(f.id)) : null;
    const eff = effectiveOf(f.access, f.ownerId, parentEff);
    out.set(f.id, eff);
    return eff;
  };
  for (const f of folders) resolve(f, new Set([f.id]));
  return out;
}

/** Who is asking: their id, role, and the departments whose access they have (see viewerDepartments). */
export interface DocumentViewer {
  id: string;
  role: string;
  departmentIds: readonly string[];
}

/**
 * The departments whose "department" access admits a user: their own department and every one above it, and each
 * department they lead and every one above it (a department's access admits those below it).
 */
export function viewerDepartments(
  parentOf: ReadonlyMap<string, string | null>,
  own: string | null,
  led: readonly string[],
): string[] {
  const out = new Set<string>();
  for (const start of [own, ...led]) {
    for (let at = start; at && !out.has(at); at = parentOf.get(at) ?? null) out.add(at);
  }
  return [...out];
}

/**
 * The audience of a node: keys naming who may open it besides administrators — its owner (`user:<id>`) and whom its
 * access in force admits: `all`, `dept:<department id>`, `role:<role>`, or `user:<id>` of whose private it is. Postgres
 * keeps the same keys in the generated column `audience` of documents and folders (migration
 * 20261130097000_document_audience), which a GIN index combines with the full-text match; a test checks that both
 * agree.
 */
export function audienceOf(eff: Effective, nodeOwnerId: string): string[] {
  const keys = [`user:${nodeOwnerId}`];
  switch (eff.kind) {
    case 'everyone':
      keys.push('all');
      break;
    case 'department':
      if (eff.departmentId !== null) keys.push(`dept:${eff.departmentId}`);
      break;
    case 'role':
      if (eff.role !== null) keys.push(`role:${eff.role}`);
      break;
    case 'private':
      keys.push(`user:${eff.ownerId}`);
      break;
  }
  return keys;
}

/**
 * The keys a viewer is admitted by: everyone's, their own, their role's and each department's whose access admits
 * them. A node is theirs to open when its audience holds any of them. Null for an administrator, who opens anything.
 */
export function viewerAudience(viewer: DocumentViewer): string[] | null {
  if (viewer.role === 'admin') return null;
  return ['all', `user:${viewer.id}`, `role:${viewer.role}`, ...viewer.departmentIds.map((d) => `dept:${d}`)];
}

/** May the viewer open a node with this access in force? Administrators and the node's owner always may. */
export function mayOpen(viewer: DocumentViewer, eff: Effective, nodeOwnerId: string): boolean {
  const keys = viewerAudience(viewer);
  if (keys === null) return true;
  return audienceOf(eff, nodeOwnerId).some((k) => keys.includes(k));
}
