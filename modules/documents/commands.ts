import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Department } from '../org/entities.ts';
import { wouldCycle } from '../org/tree.ts';
import { DomainError, forbidden, invalidReference, notFound, versionConflict } from '../shared/errors.ts';
import { canSee } from '../access/visibility.ts';
import { Client } from '../clients/entities.ts';
import { Deal } from '../deals/entities.ts';
import { storedFileName } from '../files/names.ts';
import {
  effectiveOf,
  effectiveTree,
  viewerAudience,
  viewerDepartments,
  type DocumentViewer,
  type Effective,
  type OwnAccess,
} from './access.ts';
import { normaliseTags, type DocumentKindName } from './file-types.ts';
import { CatalogDocument, DocumentFolder, DocumentVersion, type CatalogDocumentRow } from './entities.ts';

/** Who acts on the catalog: an authenticated user. */
export interface Actor {
  id: string;
  role: string;
  departmentId: string | null;
}

const run = (em: EntityManager, sql: string, params: unknown[] = []) =>
  em.getConnection().execute(sql, params, 'all', em.getTransactionContext());

/** The departments whose access admits the actor (their own and those they lead, with every one above). */
export async function documentViewer(em: EntityManager, actor: Actor): Promise<DocumentViewer> {
  if (actor.role === 'admin') return { id: actor.id, role: actor.role, departmentIds: [] };
  const all = await em.find(Department, {}, { fields: ['id', 'parentId', 'leadId'] });
  const parentOf = new Map(all.map((d) => [d.id, d.parentId ?? null]));
  const led = all.filter((d) => d.leadId === actor.id).map((d) => d.id);
  return { id: actor.id, role: actor.role, departmentIds: viewerDepartments(parentOf, actor.departmentId, led) };
}

/** A Postgres text[] literal, each element quoted. */
const textArray = (xs: readonly string[]) => `{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/**
 * The rule of mayOpen as an SQL condition on a documents or document_folders alias: the node's audience shares a key
 * with the viewer's, which the GIN index on (search, audience) answers together with a full-text match.
 */
export function accessSql(viewer: DocumentViewer, alias: string): { sql: string; params: unknown[] } {
  const keys = viewerAudience(viewer);
  if (keys === null) return { sql: 'true', params: [] };
  return { sql: `${alias}.audience && ?::text[]`, params: [textArray(keys)] };
}

/** Serialises changes to the folder tree and to access, so the kept access in force is never computed from a race. */
const lockTree = (em: EntityManager) => run(em, "select pg_advisory_xact_lock(hashtext('dealflow:document-tree'))");

const ownAccess = (r: { accessKind: string; accessDepartmentId?: string | null; accessRole?: string | null }) =>
  ({ kind: r.accessKind, departmentId: r.accessDepartmentId ?? null, role: r.accessRole ?? null }) as OwnAccess;

/**
 * Brings the access in force up to date on every folder and every document that inherits, after a folder was
 * created, moved or given other access. Run under the tree lock.
 */
async function recomputeAccess(em: EntityManager) {
  const folders = (await run(
    em,
    `select id, parent_id, owner_id, access_kind, access_department_id, access_role,
            eff_kind, eff_department_id, eff_role, eff_owner_id from document_folders`,
  )) as {
    id: string;
    parent_id: string | null;
    owner_id: string;
    access_kind: string;
    access_department_id: string | null;
    access_role: string | null;
    eff_kind: string;
    eff_department_id: string | null;
    eff_role: string | null;
    eff_owner_id: string;
  }[];
  const tree = effectiveTree(
    folders.map((f) => ({
      id: f.id,
      parentId: f.parent_id,
      ownerId: f.owner_id,
      access: ownAccess({
        accessKind: f.access_kind,
        accessDepartmentId: f.access_department_id,
        accessRole: f.access_role,
      }),
    })),
  );
  for (const f of folders) {
    const e = tree.get(f.id)!;
    if (
      e.kind !== f.eff_kind ||
      e.departmentId !== f.eff_department_id ||
      e.role !== f.eff_role ||
      e.ownerId !== f.eff_owner_id
    ) {
      await run(
        em,
        'update document_folders set eff_kind = ?, eff_department_id = ?, eff_role = ?, eff_owner_id = ? where id = ?',
        [e.kind, e.departmentId, e.role, e.ownerId, f.id],
      );
    }
  }
  await run(
    em,
    `update documents d set eff_kind = f.eff_kind, eff_department_id = f.eff_department_id, eff_role = f.eff_role,
       eff_owner_id = f.eff_owner_id
     from document_folders f
     where d.folder_id = f.id and d.access_kind = 'inherit'
       and (d.eff_kind, d.eff_department_id, d.eff_role, d.eff_owner_id)
           is distinct from (f.eff_kind, f.eff_department_id, f.eff_role, f.eff_owner_id)`,
  );
}

async function checkAccessInput(em: EntityManager, access: OwnAccess | undefined) {
  if (!access) return;
  if (access.kind === 'department') {
    if (!access.departmentId || !(await em.findOne(Department, { id: access.departmentId }, { fields: ['id'] })))
      throw invalidReference('access.departmentId', 'department');
  }
  if (access.kind === 'role' && !access.role) throw invalidReference('access.role', 'role');
}

const accessColumns = (a: OwnAccess | undefined) =>
  a
    ? {
        accessKind: a.kind,
        accessDepartmentId: a.kind === 'department' ? (a.departmentId ?? null) : null,
        accessRole: a.kind === 'role' ? (a.role ?? null) : null,
      }
    : {};

const effColumns = (e: Effective) => ({
  effKind: e.kind,
  effDepartmentId: e.departmentId,
  effRole: e.role,
  effOwnerId: e.ownerId,
});

/** A folder the viewer may open (else NOT_FOUND, as for one that does not exist). */
export async function openFolder(em: EntityManager, viewer: DocumentViewer, id: string) {
  const { sql, params } = accessSql(viewer, 'f');
  const [row] = await run(em, `select f.id from document_folders f where f.id = ? and ${sql}`, [id, ...params]);
  if (!row) throw notFound('Folder');
  return em.findOneOrFail(DocumentFolder, { id });
}

/** A document the viewer may open (else NOT_FOUND); a document in the trash only when `trashed` is allowed. */
export async function openDocument(
  em: EntityManager,
  viewer: DocumentViewer,
  id: string,
  opts: { trashed?: boolean } = {},
): Promise<CatalogDocumentRow> {
  const { sql, params } = accessSql(viewer, 'd');
  const [row] = await run(
    em,
    `select d.id from documents d where d.id = ? and ${sql} ${opts.trashed ? '' : 'and d.deleted_at is null'}`,
    [id, ...params],
  );
  if (!row) throw notFound('Document');
  return em.findOneOrFail(CatalogDocument, { id });
}

/** Only the owner of a folder or document, or an administrator, changes its access, moves it to the trash or back. */
const mayManage = (viewer: DocumentViewer, ownerId: string) => viewer.role === 'admin' || viewer.id === ownerId;

export interface FolderInput {
  name: string;
  parentId?: string | null;
  access?: OwnAccess;
}

/** A folder's name: no folder separators or control characters (see modules/files/names.ts). */
const folderName = (name: string) => {
  const n = name.normalize('NFC').trim();
  if (!n || /[/\\]/.test(n) || storedFileName(n) !== n)
    throw new DomainError('INVALID_NAME', 'name: a folder name cannot contain / or \\ or control characters', {
      field: 'name',
    });
  return n;
};

const uniqueName = (e: unknown) => {
  if ((e as { code?: string }).code === '23505')
    throw new DomainError('FOLDER_NAME_TAKEN', 'name: a folder of this name is there already', { field: 'name' });
  throw e;
};

export async function createFolder(em: EntityManager, actor: Actor, input: FolderInput): Promise<string> {
  const viewer = await documentViewer(em, actor);
  const name = folderName(input.name);
  if (input.parentId) await openFolder(em, viewer, input.parentId);
  const id = randomUUID();
  await em
    .fork()
    .transactional(async (tem) => {
      await lockTree(tem);
      await checkAccessInput(tem, input.access);
      tem.create(DocumentFolder, {
        id,
        parentId: input.parentId ?? null,
        name,
        ownerId: actor.id,
        ...accessColumns(input.access ?? { kind: 'inherit' }),
        ...effColumns({ kind: 'everyone', departmentId: null, role: null, ownerId: actor.id }),
      });
      await tem.flush();
      await recomputeAccess(tem);
    })
    .catch(uniqueName);
  return id;
}

export async function updateFolder(
  em: EntityManager,
  actor: Actor,
  id: string,
  input: Partial<FolderInput> & { version: number },
): Promise<void> {
  const viewer = await documentViewer(em, actor);
  const folder = await openFolder(em, viewer, id);
  if ((input.access || input.parentId !== undefined) && !mayManage(viewer, folder.ownerId))
    throw forbidden("Only the folder's owner or an administrator can move it or change who may open it");
  if (input.parentId) await openFolder(em, viewer, input.parentId);
  await em
    .fork()
    .transactional(async (tem) => {
      await lockTree(tem);
      await checkAccessInput(tem, input.access);
      if (input.parentId !== undefined) {
        const all = await tem.find(DocumentFolder, {}, { fields: ['id', 'parentId'] });
        if (wouldCycle(new Map(all.map((f) => [f.id, f.parentId ?? null])), id, input.parentId))
          throw new DomainError('FOLDER_CYCLE', 'parentId: a folder cannot be placed inside itself', {
            field: 'parentId',
          });
      }
      const set: string[] = ['updated_at = now()', 'version = version + 1'];
      const params: unknown[] = [];
      if (input.name !== undefined) {
        set.push('name = ?');
        params.push(folderName(input.name));
      }
      if (input.parentId !== undefined) {
        set.push('parent_id = ?');
        params.push(input.parentId);
      }
      if (input.access) {
        const a = accessColumns(input.access);
        set.push('access_kind = ?, access_department_id = ?, access_role = ?');
        params.push(a.accessKind, a.accessDepartmentId, a.accessRole);
      }
      const rows = await run(
        tem,
        `update document_folders set ${set.join(', ')} where id = ? and version = ? returning id`,
        [...params, id, input.version],
      );
      if (!rows.length) throw versionConflict('The folder', folder.version);
      await recomputeAccess(tem);
    })
    .catch(uniqueName);
}

/** Removes an empty folder (no folders and no documents in it, the trash included). */
export async function deleteFolder(em: EntityManager, actor: Actor, id: string): Promise<void> {
  const viewer = await documentViewer(em, actor);
  const folder = await openFolder(em, viewer, id);
  if (!mayManage(viewer, folder.ownerId)) throw forbidden("Only the folder's owner or an administrator can remove it");
  await em.fork().transactional(async (tem) => {
    await lockTree(tem);
    const [used] = await run(
      tem,
      `select exists (select 1 from document_folders where parent_id = ?)
           or exists (select 1 from documents where folder_id = ?) as used`,
      [id, id],
    );
    if (used.used) throw new DomainError('FOLDER_NOT_EMPTY', 'Move or remove what is in the folder first');
    await run(tem, 'delete from document_folders where id = ?', [id]);
  });
}

export interface DocumentMeta {
  title?: string;
  kind?: DocumentKindName;
  tags?: string[];
  description?: string;
  folderId?: string | null;
  access?: OwnAccess;
  links?: { type: 'client' | 'deal' | 'regulation'; id: string }[];
}

/** Links may name only clients and deals the actor sees, and regulations that exist. */
async function checkLinks(em: EntityManager, actor: Actor, links: DocumentMeta['links']) {
  for (const [i, l] of (links ?? []).entries()) {
    const field = `links.${i}.id`;
    if (l.type === 'client') {
      const c = await em.findOne(Client, { id: l.id }, { fields: ['id', 'ownerId'] });
      if (!c || !(await canSee(em, actor, 'client', c))) throw invalidReference(field, 'client');
    } else if (l.type === 'deal') {
      const d = await em.findOne(Deal, { id: l.id }, { fields: ['id', 'ownerId'] });
      if (!d || !(await canSee(em, actor, 'deal', d))) throw invalidReference(field, 'deal');
    } else {
      const [r] = await run(em, 'select 1 from regulations where id = ?', [l.id]);
      if (!r) throw invalidReference(field, 'regulation');
    }
  }
}

async function writeLinks(em: EntityManager, documentId: string, links: DocumentMeta['links']) {
  if (!links) return;
  await run(em, 'delete from document_links where document_id = ?', [documentId]);
  for (const l of links) {
    await run(em, 'insert into document_links values (?, ?, ?) on conflict do nothing', [documentId, l.type, l.id]);
  }
}

/** The access in force for a document with this own access in this folder. */
async function documentEffective(em: EntityManager, own: OwnAccess, ownerId: string, folderId: string | null) {
  let parent: Effective | null = null;
  if (folderId) {
    const f = await em.findOneOrFail(DocumentFolder, { id: folderId });
    parent = {
      kind: f.effKind as Effective['kind'],
      departmentId: f.effDepartmentId ?? null,
      role: f.effRole ?? null,
      ownerId: f.effOwnerId,
    };
  }
  return effectiveOf(own, ownerId, parent);
}

export interface StoredFileRef {
  sha256: string;
  name: string;
  mime: string;
  size?: number;
}

/**
 * A new document from files already in the store (an upload, a post's attachments): the first file is version 1,
 * each further one the next version. Returns the document's id and the ids of its versions, whose text is then
 * extracted (see startTextExtraction) once the document is committed.
 */
export async function createDocumentFromFiles(
  em: EntityManager,
  actor: Actor,
  input: DocumentMeta & { title: string; files: StoredFileRef[] },
  opts: { inTransaction?: boolean } = {},
): Promise<{ id: string; versionIds: string[] }> {
  if (!input.files.length) throw new DomainError('FILE_MISSING', 'A document needs at least one file');
  const viewer = await documentViewer(em, actor);
  if (input.folderId) await openFolder(em, viewer, input.folderId);
  await checkLinks(em, actor, input.links);
  const id = randomUUID();
  const versionIds: string[] = [];
  // a caller's transaction (inTransaction: `em` is in one) takes the document with its own writes
  await (opts.inTransaction ? em : em.fork()).transactional(async (tem) => {
    await lockTree(tem);
    await checkAccessInput(tem, input.access);
    const own = input.access ?? { kind: 'inherit' as const };
    const eff = await documentEffective(tem, own, actor.id, input.folderId ?? null);
    tem.create(CatalogDocument, {
      id,
      folderId: input.folderId ?? null,
      title: input.title.trim() || storedFileName(input.files[0].name),
      kind: input.kind ?? 'other',
      tags: normaliseTags(input.tags ?? []),
      description: input.description ?? '',
      ownerId: actor.id,
      ...accessColumns(own),
      ...effColumns(eff),
      currentVersion: input.files.length,
    });
    await tem.flush();
    for (const [i, f] of input.files.entries()) {
      const [file] = await run(tem, 'select size from files where sha256 = ?', [f.sha256]);
      if (!file) throw invalidReference(`files.${i}.sha256`, 'stored file');
      const versionId = randomUUID();
      versionIds.push(versionId);
      tem.create(DocumentVersion, {
        id: versionId,
        documentId: id,
        number: i + 1,
        fileSha256: f.sha256,
        fileName: storedFileName(f.name),
        contentType: f.mime,
        size: Number(file.size),
        uploadedBy: actor.id,
        textStatus: 'pending',
      });
    }
    await tem.flush();
    await writeLinks(tem, id, input.links);
  });
  return { id, versionIds };
}

/** A new version of a document from a stored file; it becomes the current one. Returns the version's id. */
export async function addVersion(
  em: EntityManager,
  actor: Actor,
  documentId: string,
  file: StoredFileRef,
): Promise<string> {
  const viewer = await documentViewer(em, actor);
  await openDocument(em, viewer, documentId);
  const versionId = randomUUID();
  await em.fork().transactional(async (tem) => {
    const [doc] = (await run(
      tem,
      `update documents set current_version = current_version + 1, version = version + 1, updated_at = now(),
         body_text = '' where id = ? returning current_version`,
      [documentId],
    )) as { current_version: number }[];
    const [stored] = await run(tem, 'select size from files where sha256 = ?', [file.sha256]);
    if (!stored) throw invalidReference('sha256', 'stored file');
    tem.create(DocumentVersion, {
      id: versionId,
      documentId,
      number: doc.current_version,
      fileSha256: file.sha256,
      fileName: storedFileName(file.name),
      contentType: file.mime,
      size: Number(stored.size),
      uploadedBy: actor.id,
      textStatus: 'pending',
    });
  });
  return versionId;
}

/** Changes a document's metadata, folder, access or links; the version the user saw is required. */
export async function updateDocument(
  em: EntityManager,
  actor: Actor,
  id: string,
  input: DocumentMeta & { version: number },
): Promise<void> {
  const viewer = await documentViewer(em, actor);
  const doc = await openDocument(em, viewer, id);
  if ((input.access || input.folderId !== undefined) && !mayManage(viewer, doc.ownerId))
    throw forbidden("Only the document's owner or an administrator can move it or change who may open it");
  if (input.folderId) await openFolder(em, viewer, input.folderId);
  await checkLinks(em, actor, input.links);
  await em.fork().transactional(async (tem) => {
    await lockTree(tem);
    await checkAccessInput(tem, input.access);
    const folderId = input.folderId !== undefined ? input.folderId : (doc.folderId ?? null);
    const own = input.access ?? ownAccess(doc);
    const eff = await documentEffective(tem, own, doc.ownerId, folderId);
    const a = accessColumns(own);
    const rows = await run(
      tem,
      `update documents set title = ?, kind = ?, tags = ?::text[], description = ?, folder_id = ?,
         access_kind = ?, access_department_id = ?, access_role = ?,
         eff_kind = ?, eff_department_id = ?, eff_role = ?, eff_owner_id = ?,
         updated_at = now(), version = version + 1
       where id = ? and version = ? returning id`,
      [
        input.title?.trim() || doc.title,
        input.kind ?? doc.kind,
        `{${(input.tags ? normaliseTags(input.tags) : doc.tags).map((t) => JSON.stringify(t)).join(',')}}`,
        input.description ?? doc.description,
        folderId,
        a.accessKind,
        a.accessDepartmentId,
        a.accessRole,
        eff.kind,
        eff.departmentId,
        eff.role,
        eff.ownerId,
        id,
        input.version,
      ],
    );
    if (!rows.length) throw versionConflict('The document', doc.version);
    await writeLinks(tem, id, input.links);
  });
}

/** Moves a document to the trash, or back (restore). */
export async function trashDocument(em: EntityManager, actor: Actor, id: string, trash: boolean): Promise<void> {
  const viewer = await documentViewer(em, actor);
  const doc = await openDocument(em, viewer, id, { trashed: true });
  if (!mayManage(viewer, doc.ownerId))
    throw forbidden("Only the document's owner or an administrator can move it to the trash or back");
  await run(
    em,
    trash
      ? 'update documents set deleted_at = now(), deleted_by = ?, version = version + 1 where id = ? and deleted_at is null'
      : 'update documents set deleted_at = null, deleted_by = null, version = version + 1 where id = ? and deleted_at is not null',
    trash ? [actor.id, id] : [id],
  );
}
