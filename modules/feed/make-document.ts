/**
 * "Make it a document": a post and its attachments become catalog documents (modules/documents).
 *
 * Each attachment becomes a document of its own, its file the document's first version: the catalog's unit is one
 * file with its history, so a contract and a price list attached to one post stay two files, each found by its own
 * text, each with its own versions later. The post's text is their description (mentions as plain names). A post
 * without attachments becomes one document whose file is the post's text (Markdown, `.md`), so its words are
 * searched like any text file. A post about a client or a deal links its documents to that client or deal.
 *
 * Nothing is copied: the attachments are stored by content (modules/files) and the versions name the same content.
 * The reader must be able to read the post and open the folder (who may open a folder may file into it, as with an
 * upload). Filing never widens who reads what the post holds: the documents take an access no wider than the post's
 * audience (`documentAccessOfPost`), whatever the folder's. A system post holds nothing of its own to file. A double
 * click is harmless: the command is keyed by the caller's `opId`, and a second request with the same key answers
 * the documents the first one made (and starts again any text extraction the first did not get to start).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { OwnAccess } from '../documents/access.ts';
import { createDocumentFromFiles, type Actor, type StoredFileRef } from '../documents/commands.ts';
import { contentTypeOf } from '../documents/upload.ts';
import type { FileStorage } from '../files/storage.ts';
import { storeUpload } from '../files/store.ts';
import { DomainError } from '../shared/errors.ts';
import { getPost } from './queries.ts';
import { plainText } from './rules.ts';

export interface MakeDocumentInput {
  opId: string;
  folderId?: string | null;
  /** default: the post's first line */
  title?: string;
}

export interface MadeDocument {
  id: string;
  title: string;
}

const MAX_TITLE = 200;
const MAX_DESCRIPTION = 5000;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A post's default title: its first line of text, without Markdown marks (a system post's text likewise). */
export function titleOfPost(body: string): string {
  const line =
    plainText(body)
      .split('\n')
      .map((l) => l.replace(/^[#>\-*+\s]+/, '').trim())
      .find((l) => l.length > 0) ?? '';
  return cut(line, MAX_TITLE);
}

/**
 * The access a document made of a post takes: no wider than the post's readers. Where the folder's access in force
 * is already no wider (a private folder; for a department's post, that department's folder; for a company post, any)
 * the document inherits it; else it takes the post's audience: the department's, or, for a post about a record (read
 * by whoever sees the record, which no catalog access says), the maker's own until they open it further.
 */
export function documentAccessOfPost(
  post: { audience: 'company' | 'department' | 'record'; department: { id: string } | null },
  folder: { kind: string; departmentId: string | null },
): OwnAccess {
  if (post.audience === 'company' || folder.kind === 'private') return { kind: 'inherit' };
  if (post.audience === 'department' && post.department) {
    return folder.kind === 'department' && folder.departmentId === post.department.id
      ? { kind: 'inherit' }
      : { kind: 'department', departmentId: post.department.id };
  }
  return { kind: 'private' };
}

const run = (em: EntityManager, sql: string, params: unknown[]) =>
  em.getConnection().execute(sql, params, 'all', em.getTransactionContext());

export async function makeDocumentOfPost(
  em: EntityManager,
  storage: FileStorage,
  actor: Actor,
  postId: string,
  input: MakeDocumentInput,
): Promise<{ documents: MadeDocument[]; versionIds: string[]; created: boolean }> {
  const post = await getPost(em, actor, postId);
  if (post.systemKind) throw new DomainError('POST_NOT_FILEABLE', 'A system post holds nothing of its own to file');
  // the folder's access in force (the top of the catalog: everyone's); one it may not open is refused below as unknown
  const [folder] = input.folderId
    ? await em
        .getConnection()
        .execute<{ kind: string; departmentId: string | null }[]>(
          'select eff_kind as kind, eff_department_id as "departmentId" from document_folders where id = ?',
          [input.folderId],
        )
    : [{ kind: 'everyone', departmentId: null }];
  const access = documentAccessOfPost(post, folder ?? { kind: 'everyone', departmentId: null });
  const title = cut(input.title?.trim() || titleOfPost(post.body) || 'Post', MAX_TITLE);
  const description = cut(plainText(post.body).trim(), MAX_DESCRIPTION);
  const links =
    post.record && (post.record.type === 'deal' || post.record.type === 'client')
      ? [{ type: post.record.type, id: post.record.id }]
      : [];
  // a post's attachments do not change once it is written
  const attachments = await em
    .getConnection()
    .execute<{ file_sha256: string; file_name: string }[]>(
      'select file_sha256, file_name from feed_attachments where post_id = ? order by created_at, id',
      [postId],
    );

  // the files, before the transaction (storing the text is idempotent: the same content has one address)
  const files: { title: string; file: StoredFileRef; description: string }[] = [];
  if (attachments.length) {
    for (const a of attachments) {
      // the catalog takes only the types it knows, judged by content, as an upload to it is
      const mime = await contentTypeOf(storage.pathOf(a.file_sha256), a.file_name).catch((e: unknown) => {
        throw e instanceof DomainError
          ? new DomainError(e.code, e.message, { ...e.details, fileName: a.file_name })
          : e;
      });
      files.push({
        title: attachments.length === 1 ? title : cut(`${title} — ${a.file_name}`, MAX_TITLE),
        file: { sha256: a.file_sha256, name: a.file_name, mime },
        description,
      });
    }
  } else {
    const tmp = path.join(storage.tmpDir, `${randomUUID()}.md`);
    await fs.promises.writeFile(tmp, post.body, 'utf8');
    const stored = await storeUpload(em, storage, tmp);
    const name = `${title.replace(/[/\\\p{Cc}]/gu, ' ').trim() || 'post'}.md`;
    files.push({ title, file: { sha256: stored.sha256, name, mime: 'text/plain' }, description: '' });
  }

  // one transaction on one connection: a second click with the same opId waits for the first and answers what it made
  return em.fork().transactional(async (tem) => {
    await run(tem, "select pg_advisory_xact_lock(hashtextextended('feed-document:' || ?, 0))", [input.opId]);
    const earlier = (await run(
      tem,
      `select m.post_id, m.made_by, d.id, d.title from feed_post_documents m join documents d on d.id = m.document_id
       where m.op_id = ? order by m.position`,
      [input.opId],
    )) as { post_id: string; made_by: string; id: string; title: string }[];
    if (earlier.length) {
      if (earlier.some((e) => e.post_id !== postId || e.made_by !== actor.id))
        throw new DomainError('OP_ID_REUSED', 'This opId was used for another request; send a new one');
      // the first request may have died between its commit and starting the text extraction: start what waits
      const pending = (await run(
        tem,
        `select v.id from document_versions v join feed_post_documents m on m.document_id = v.document_id
         where m.op_id = ? and v.text_status = 'pending'`,
        [input.opId],
      )) as { id: string }[];
      return {
        documents: earlier.map((e) => ({ id: e.id, title: e.title })),
        versionIds: pending.map((v) => v.id),
        created: false,
      };
    }

    const documents: MadeDocument[] = [];
    const versionIds: string[] = [];
    for (const [position, f] of files.entries()) {
      const made = await createDocumentFromFiles(
        tem,
        actor,
        {
          folderId: input.folderId ?? null,
          title: f.title,
          description: f.description,
          links,
          files: [f.file],
          access,
        },
        { inTransaction: true },
      );
      documents.push({ id: made.id, title: f.title });
      versionIds.push(...made.versionIds);
      await run(
        tem,
        `insert into feed_post_documents (op_id, position, post_id, document_id, made_by) values (?, ?, ?, ?, ?)`,
        [input.opId, position, postId, made.id, actor.id],
      );
    }
    return { documents, versionIds, created: true };
  });
}
