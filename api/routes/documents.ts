import { z } from 'zod';
import { create as contentDisposition } from 'content-disposition';
import { route, type Ctx, type RouteSpec } from '../http.ts';
import { AppError } from '../errors.ts';
import { sandboxDownload } from '../security-headers.ts';
import { ROLES } from '../../modules/accounts/entities.ts';
import { storeUpload } from '../../modules/files/store.ts';
import { attachmentDisposition, storedFileName } from '../../modules/files/names.ts';
import { ACCESS_KINDS } from '../../modules/documents/access.ts';
import { DOCUMENT_KINDS, PREVIEWABLE } from '../../modules/documents/file-types.ts';
import { contentTypeOf } from '../../modules/documents/upload.ts';
import { startTextExtraction } from '../../modules/documents/extract.ts';
import {
  addVersion,
  createDocumentFromFiles,
  createFolder,
  deleteFolder,
  documentViewer,
  openDocument,
  trashDocument,
  updateDocument,
  updateFolder,
} from '../../modules/documents/commands.ts';
import { dealFiles, documentDetail, listDocuments, listFolders } from '../../modules/documents/queries.ts';
import { DocumentVersion } from '../../modules/documents/entities.ts';
import { notFound } from '../../modules/shared/errors.ts';

const accessInput = z
  .strictObject({
    kind: z.enum(ACCESS_KINDS),
    departmentId: z.uuid().nullable().optional().describe('for kind department: its members and those below it'),
    role: z.enum(ROLES).nullable().optional().describe('for kind role'),
  })
  .describe('inherit (from the folder above; at the top: everyone), everyone, a department, a role, or private');
const accessSchema = z
  .object({ kind: z.string(), departmentId: z.uuid().nullable(), role: z.string().nullable() })
  .meta({ id: 'DocumentAccess' });

const folderSchema = z
  .object({
    id: z.uuid(),
    parentId: z.uuid().nullable().describe('null at the top, or when the parent is closed to the viewer'),
    name: z.string(),
    ownerId: z.uuid(),
    ownerName: z.string(),
    access: accessSchema,
    effective: accessSchema.describe('the access in force, own or inherited'),
    version: z.number().int(),
  })
  .meta({ id: 'DocumentFolder' });

const partSchema = z.object({ text: z.string(), match: z.boolean() }).meta({ id: 'HighlightPart' });
const summarySchema = z
  .object({
    id: z.uuid(),
    folderId: z.uuid().nullable(),
    title: z.string(),
    kind: z.string(),
    tags: z.array(z.string()),
    ownerId: z.uuid(),
    ownerName: z.string(),
    currentVersion: z.number().int(),
    currentVersionId: z.uuid(),
    fileName: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    textStatus: z.string().describe('pending, done, none (no text in this type) or failed'),
    updatedAt: z.iso.datetime(),
    deletedAt: z.iso.datetime().nullable(),
    version: z.number().int(),
    highlight: z.array(partSchema).describe('for a search: the passages of the text that match, matches marked'),
  })
  .meta({ id: 'DocumentSummary' });

const versionSchema = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    fileName: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    uploadedBy: z.uuid(),
    uploaderName: z.string(),
    textStatus: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'DocumentVersion' });

const linkType = z.enum(['client', 'deal', 'regulation']);
const detailSchema = summarySchema
  .omit({ highlight: true })
  .extend({
    description: z.string(),
    access: accessSchema,
    effective: accessSchema,
    versions: z.array(versionSchema),
    links: z.array(z.object({ type: z.string(), id: z.uuid(), name: z.string() })),
  })
  .meta({ id: 'CatalogDocument' });

const idParams = z.strictObject({ id: z.uuid() });
const kind = z.enum(DOCUMENT_KINDS);

type C = Ctx<unknown, unknown, unknown>;
const viewerOf = (c: C) => documentViewer(c.em, c.user);

/** The uploaded file of a multipart request, type-checked by its content; stored by content (once per content). */
async function storedUpload(c: C) {
  const file = c.req.file;
  if (!file) throw new AppError(400, 'FILE_MISSING', 'Send the file in the "file" field of a multipart/form-data body');
  const name = storedFileName(file.originalname);
  const mime = await contentTypeOf(file.path, name);
  const stored = await storeUpload(c.em, c.app.storage, file.path);
  return { sha256: stored.sha256, size: stored.size, name, mime };
}

export const documentRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/document-folders',
    operationId: 'listDocumentFolders',
    summary: 'The folders of the catalog the caller may open, by name (a tree by parentId)',
    tag: 'Documents',
    access: 'user',
    response: z.object({ items: z.array(folderSchema) }),
    handler: async (c) => ({ items: await listFolders(c.em, await viewerOf(c)) }),
  }),
  route({
    method: 'post',
    path: '/document-folders',
    operationId: 'createDocumentFolder',
    summary: 'Create a folder, at the top or inside one the caller may open; it inherits access unless given its own',
    tag: 'Documents',
    access: 'user',
    status: 201,
    errors: [404, 409, 422],
    body: z.strictObject({
      name: z.string().min(1).max(255),
      parentId: z.uuid().nullable().optional(),
      access: accessInput.optional(),
    }),
    response: z.object({ id: z.uuid() }),
    handler: async (c) => ({ id: await createFolder(c.em, c.user, c.body) }),
  }),
  route({
    method: 'patch',
    path: '/document-folders/:id',
    operationId: 'updateDocumentFolder',
    summary: 'Rename a folder; its owner or an administrator also moves it and sets who may open it (inherited below)',
    tag: 'Documents',
    access: 'user',
    errors: [403, 404, 409, 422],
    params: idParams,
    body: z.strictObject({
      name: z.string().min(1).max(255).optional(),
      parentId: z.uuid().nullable().optional(),
      access: accessInput.optional(),
      version: z.number().int().positive().describe('the version you saw'),
    }),
    handler: async (c) => {
      await updateFolder(c.em, c.user, c.params.id, c.body);
    },
  }),
  route({
    method: 'delete',
    path: '/document-folders/:id',
    operationId: 'deleteDocumentFolder',
    summary: 'Remove an empty folder (409 FOLDER_NOT_EMPTY while it holds folders or documents, the trash included)',
    tag: 'Documents',
    access: 'user',
    errors: [403, 404, 409],
    params: idParams,
    handler: async (c) => {
      await deleteFolder(c.em, c.user, c.params.id);
    },
  }),
  route({
    method: 'get',
    path: '/documents',
    operationId: 'listDocuments',
    summary:
      "Documents the caller may open: a folder's (the top without folderId), those linked to a client, deal or " +
      'regulation, the trash, or a full-text search (q) over titles, tags and text with the matches highlighted',
    tag: 'Documents',
    access: 'user',
    errors: [400],
    query: z.strictObject({
      folderId: z.uuid().optional(),
      q: z.string().trim().max(200).optional(),
      linkType: linkType.optional(),
      linkId: z.uuid().optional(),
      trash: z.enum(['true', 'false']).optional().describe("the trash: the caller's own documents (all for an admin)"),
      offset: z.coerce.number().int().min(0).max(10_000).default(0),
      limit: z.coerce.number().int().min(1).max(100).default(50),
    }),
    response: z.object({ items: z.array(summarySchema), more: z.boolean() }),
    handler: async (c) =>
      listDocuments(c.em, await viewerOf(c), {
        folderId: c.query.folderId,
        q: c.query.q || undefined,
        link: c.query.linkType && c.query.linkId ? { type: c.query.linkType, id: c.query.linkId } : undefined,
        trash: c.query.trash === 'true',
        limit: c.query.limit,
        offset: c.query.offset,
      }),
  }),
  route({
    method: 'post',
    path: '/documents',
    operationId: 'uploadDocument',
    summary:
      'Upload a file as a new document (type judged by content: 415 DOCUMENT_TYPE_MISMATCH or ' +
      'DOCUMENT_TYPE_NOT_ALLOWED; 413 FILE_TOO_LARGE over the upload limit); its text is indexed shortly after',
    tag: 'Documents',
    access: 'user',
    status: 201,
    errors: [400, 404, 413, 415, 422],
    multipart: true,
    body: z.strictObject({
      folderId: z.uuid().optional(),
      title: z.string().max(500).optional().describe("default: the file's name"),
      kind: kind.optional(),
      tags: z.string().max(1000).optional().describe('comma-separated'),
      description: z.string().max(5000).optional(),
    }),
    response: z.object({ id: z.uuid() }),
    handler: async (c) => {
      const file = await storedUpload(c as C);
      const made = await createDocumentFromFiles(c.em, c.user, {
        folderId: c.body.folderId,
        title: c.body.title?.trim() || file.name,
        kind: c.body.kind,
        tags: c.body.tags ? c.body.tags.split(',') : [],
        description: c.body.description,
        files: [file],
      });
      await startTextExtraction(c.app.temporal, c.app.config.TEMPORAL_TASK_QUEUE, made.versionIds);
      return { id: made.id };
    },
  }),
  route({
    method: 'get',
    path: '/documents/deal-files',
    operationId: 'listDealFiles',
    summary:
      "Deals' attachments as a view of the catalog (not copied): the clients with files of deals the caller sees, " +
      "or one client's deals with their files",
    tag: 'Documents',
    access: 'user',
    query: z.strictObject({ clientId: z.uuid().optional() }),
    response: z.object({
      clients: z.array(z.object({ id: z.uuid(), name: z.string(), files: z.number().int() })),
      deals: z.array(
        z.object({
          id: z.uuid(),
          title: z.string(),
          files: z.array(
            z.object({
              id: z.uuid(),
              fileName: z.string(),
              contentType: z.string(),
              size: z.number().int(),
              createdAt: z.iso.datetime(),
            }),
          ),
        }),
      ),
    }),
    handler: async (c) => dealFiles(c.em, c.user, c.query.clientId),
  }),
  route({
    method: 'get',
    path: '/documents/:id',
    operationId: 'getDocument',
    summary: 'A document with its versions and links (404 for one the caller may not open)',
    tag: 'Documents',
    access: 'user',
    errors: [404],
    params: idParams,
    response: detailSchema,
    handler: async (c) => {
      await openDocument(c.em, await viewerOf(c), c.params.id, { trashed: true });
      return documentDetail(c.em, c.params.id);
    },
  }),
  route({
    method: 'patch',
    path: '/documents/:id',
    operationId: 'updateDocument',
    summary:
      "Change a document's title, kind, tags, description or links; its owner or an administrator also moves it " +
      'and sets who may open it',
    tag: 'Documents',
    access: 'user',
    errors: [403, 404, 409, 422],
    params: idParams,
    body: z.strictObject({
      title: z.string().trim().min(1).max(500).optional(),
      kind: kind.optional(),
      tags: z.array(z.string().max(50)).max(20).optional(),
      description: z.string().max(5000).optional(),
      folderId: z.uuid().nullable().optional(),
      access: accessInput.optional(),
      links: z
        .array(z.strictObject({ type: linkType, id: z.uuid() }))
        .max(50)
        .optional(),
      version: z.number().int().positive().describe('the version you saw'),
    }),
    response: detailSchema,
    handler: async (c) => {
      await updateDocument(c.em, c.user, c.params.id, c.body);
      return documentDetail(c.em, c.params.id);
    },
  }),
  route({
    method: 'post',
    path: '/documents/:id/versions',
    operationId: 'uploadDocumentVersion',
    summary: 'Upload a new version of a document; it becomes the current one, earlier versions are kept',
    tag: 'Documents',
    access: 'user',
    status: 201,
    errors: [400, 404, 413, 415],
    params: idParams,
    multipart: true,
    body: z.strictObject({}),
    response: detailSchema,
    handler: async (c) => {
      await openDocument(c.em, await viewerOf(c as C), c.params.id);
      const file = await storedUpload(c as C);
      const versionId = await addVersion(c.em, c.user, c.params.id, file);
      await startTextExtraction(c.app.temporal, c.app.config.TEMPORAL_TASK_QUEUE, [versionId]);
      return documentDetail(c.em, c.params.id);
    },
  }),
  route({
    method: 'get',
    path: '/documents/:id/versions/:number/content',
    operationId: 'downloadDocumentVersion',
    summary:
      "Download a version's file; access is checked on every download. inline=true shows a PDF or an image in the " +
      'browser (other types are always downloads); always nosniff and sandboxed',
    tag: 'Documents',
    access: 'user',
    errors: [404],
    params: z.strictObject({ id: z.uuid(), number: z.coerce.number().int().positive() }),
    query: z.strictObject({ inline: z.enum(['true', 'false']).optional() }),
    rawResponse: { contentType: 'application/octet-stream', description: 'the file' },
    handler: async (c) => {
      await openDocument(c.em, await viewerOf(c as C), c.params.id);
      const v = await c.em.findOne(DocumentVersion, { documentId: c.params.id, number: c.params.number });
      if (!v) throw notFound('Version');
      const inline = c.query.inline === 'true' && PREVIEWABLE.has(v.contentType);
      c.res.setHeader('Content-Type', v.contentType);
      c.res.setHeader('Content-Length', String(v.size));
      c.res.setHeader(
        'Content-Disposition',
        inline ? contentDisposition(v.fileName, { type: 'inline' }) : attachmentDisposition(v.fileName),
      );
      c.res.setHeader('Cache-Control', 'private, no-store');
      sandboxDownload(c.res);
      await new Promise<void>((resolve, reject) => {
        c.app.storage.open(v.fileSha256).on('error', reject).pipe(c.res).on('finish', resolve).on('error', reject);
      });
    },
  }),
  route({
    method: 'delete',
    path: '/documents/:id',
    operationId: 'trashDocument',
    summary: 'Move a document to the trash (its owner or an administrator); it can be restored',
    tag: 'Documents',
    access: 'user',
    errors: [403, 404],
    params: idParams,
    handler: async (c) => {
      await trashDocument(c.em, c.user, c.params.id, true);
    },
  }),
  route({
    method: 'post',
    path: '/documents/:id/restore',
    operationId: 'restoreDocument',
    summary: 'Bring a document back from the trash (its owner or an administrator)',
    tag: 'Documents',
    access: 'user',
    errors: [403, 404],
    params: idParams,
    response: detailSchema,
    handler: async (c) => {
      await trashDocument(c.em, c.user, c.params.id, false);
      return documentDetail(c.em, c.params.id);
    },
  }),
];
