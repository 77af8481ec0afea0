/**
 * The feed, the way in: a post, a comment, following, the read mark, an upload to attach. Each is one transaction
 * that also notifies the people it mentions (and a comment the post's followers) and announces itself on the `feed`
 * channel when it commits, for the live stream (live.ts).
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../access/visibility.ts';
import { notify, type NewNotification } from '../notifications/write.ts';
import { DomainError, invalidReference, notFound } from '../shared/errors.ts';
import { FEED_CHANNEL } from './live.ts';
import { documentsSql, getPost, listComments, type CommentView, type PostView } from './queries.ts';
import { audienceOf, readerOf, readersOf } from './readers.ts';
import { MAX_MENTIONS, canRead, mentionsRefused, parseMentions, type Audience, type PostAudience } from './rules.ts';

export interface NewPost {
  audience: Audience;
  departmentId?: string | null;
  recordType?: string | null;
  recordId?: string | null;
  body: string;
  attachmentIds?: string[];
  /** catalog documents the post refers to; the author must be able to open each */
  documentIds?: string[];
}

const excerpt = (text: string) => {
  const plain = text
    .replace(/@\[([^\]\n]{1,200})\]\([0-9a-f-]{36}\)/gi, '@$1')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 140 ? `${plain.slice(0, 139)}…` : plain;
};

/** Refuses mentions of people who cannot read what the post is about (or are no active users). */
async function checkMentions(em: EntityManager, mentioned: string[], audience: PostAudience) {
  if (mentioned.length > MAX_MENTIONS) {
    throw new DomainError('TOO_MANY_MENTIONS', `At most ${MAX_MENTIONS} people can be mentioned at once`, {
      limit: MAX_MENTIONS,
    });
  }
  const readers = await readersOf(em, mentioned, [audience]);
  const refused = mentionsRefused(mentioned, readers, audience);
  if (refused.length) {
    throw new DomainError('MENTION_NOT_ALLOWED', 'Only people who can see what the post is about can be mentioned', {
      userIds: refused,
    });
  }
}

async function announce(em: EntityManager, postId: string, what: string) {
  await em
    .getConnection()
    .execute('select pg_notify(?, ?)', [FEED_CHANNEL, `${postId}:${what}`], 'all', em.getTransactionContext());
}

export async function createPost(em: EntityManager, viewer: Viewer, input: NewPost): Promise<PostView> {
  const audience = await audienceOf(em, input);
  const reader = await readerOf(em, viewer, [audience]);
  if (audience.audience === 'department') {
    const [dep] = await em
      .getConnection()
      .execute<{ id: string }[]>('select id from departments where id = ?', [audience.departmentId]);
    if (!dep || !canRead(reader, audience)) throw notFound('Department');
  }
  if (audience.audience === 'record' && !canRead(reader, audience))
    throw new DomainError('RECORD_NOT_FOUND', 'Record not found');
  const mentioned = parseMentions(input.body).filter((id) => id !== viewer.id);
  await checkMentions(em, mentioned, audience);
  const id = randomUUID();
  const attachmentIds = [...new Set(input.attachmentIds ?? [])];
  const documentIds = [...new Set((input.documentIds ?? []).map((d) => d.toLowerCase()))];
  if (documentIds.length) {
    const docs = await documentsSql(em, viewer);
    const open = await em
      .getConnection()
      .execute<{ id: string }[]>(
        `select d.id from documents d where d.id = any(?::uuid[]) and d.deleted_at is null and ${docs.sql}`,
        [`{${documentIds.join(',')}}`, ...docs.params],
      );
    if (open.length !== documentIds.length) throw invalidReference('documentIds', 'catalog document you may open');
  }
  await em.transactional(async (tem) => {
    const conn = tem.getConnection();
    const ctx = tem.getTransactionContext<object>();
    await conn.execute(
      `insert into feed_posts (id, author_id, audience, department_id, record_type, record_id, body, mentions, bumped_by)
       values (?, ?, ?, ?, ?, ?, ?, ?::uuid[], ?)`,
      [
        id,
        viewer.id,
        audience.audience,
        audience.departmentId,
        audience.recordType,
        audience.recordId,
        input.body,
        `{${mentioned.join(',')}}`,
        viewer.id,
      ],
      'run',
      ctx,
    );
    if (attachmentIds.length) {
      const taken = await conn.execute<{ id: string }[]>(
        `update feed_attachments set post_id = ? where id = any(?::uuid[]) and uploaded_by = ? and post_id is null
         returning id`,
        [id, `{${attachmentIds.join(',')}}`, viewer.id],
        'all',
        ctx,
      );
      if (taken.length !== attachmentIds.length) throw invalidReference('attachmentIds', 'upload of yours');
    }
    if (documentIds.length) {
      await conn.execute(
        `insert into feed_post_catalog_documents (post_id, document_id, position)
         select ?, d, n - 1 from unnest(?::uuid[]) with ordinality as u(d, n)`,
        [id, `{${documentIds.join(',')}}`],
        'run',
        ctx,
      );
    }
    await follow(tem, id, [viewer.id, ...mentioned]);
    await notify(
      tem,
      mentioned.map((userId): NewNotification => ({
        userId,
        kind: 'feed_mention',
        recordType: 'feed_post',
        recordId: id,
        data: { title: excerpt(input.body), ownerId: viewer.id, postId: id },
        key: `mention:${id}:${userId}`,
      })),
    );
    await announce(tem, id, 'post');
  });
  return getPost(em, viewer, id);
}

async function follow(em: EntityManager, postId: string, userIds: string[]) {
  if (!userIds.length) return;
  await em
    .getConnection()
    .execute(
      `insert into feed_follows (post_id, user_id) select ?, unnest(?::uuid[]) on conflict do nothing`,
      [postId, `{${[...new Set(userIds)].join(',')}}`],
      'run',
      em.getTransactionContext(),
    );
}

/** A comment: the post rises, its mentions are told and so are its followers; the commenter follows it. */
export async function addComment(
  em: EntityManager,
  viewer: Viewer,
  postId: string,
  body: string,
): Promise<CommentView> {
  const post = await getPost(em, viewer, postId);
  const audience = await audienceOf(em, {
    audience: post.audience,
    departmentId: post.department?.id,
    recordType: post.record?.type,
    recordId: post.record?.id,
  });
  const mentioned = parseMentions(body).filter((id) => id !== viewer.id);
  await checkMentions(em, mentioned, audience);
  const id = randomUUID();
  await em.transactional(async (tem) => {
    const conn = tem.getConnection();
    const ctx = tem.getTransactionContext<object>();
    await conn.execute(
      'insert into feed_comments (id, post_id, author_id, body, mentions) values (?, ?, ?, ?, ?::uuid[])',
      [id, postId, viewer.id, body, `{${mentioned.join(',')}}`],
      'run',
      ctx,
    );
    await conn.execute(
      `update feed_posts set comment_count = comment_count + 1, bumped_at = greatest(now(), bumped_at), bumped_by = ?
       where id = ?`,
      [viewer.id, postId],
      'run',
      ctx,
    );
    const followers = await conn.execute<{ user_id: string }[]>(
      'select user_id from feed_follows f join users u on u.id = f.user_id where f.post_id = ? and u.disabled_at is null',
      [postId],
      'all',
      ctx,
    );
    const data = { title: excerpt(body), ownerId: viewer.id, postId };
    const told = new Set([viewer.id, ...mentioned]);
    await notify(tem, [
      ...mentioned.map((userId): NewNotification => ({
        userId,
        kind: 'feed_mention',
        recordType: 'feed_post',
        recordId: postId,
        data,
        key: `mention:${id}:${userId}`,
      })),
      ...followers
        .filter((f) => !told.has(f.user_id))
        .map((f): NewNotification => ({
          userId: f.user_id,
          kind: 'feed_comment',
          recordType: 'feed_post',
          recordId: postId,
          data,
          key: `comment:${id}:${f.user_id}`,
        })),
    ]);
    await follow(tem, postId, [viewer.id, ...mentioned]);
    await announce(tem, postId, id);
  });
  return (await listComments(em, viewer, postId)).find((c) => c.id === id)!;
}

/** Follow (true) or stop following (false) a post the viewer may read. */
export async function setFollowing(em: EntityManager, viewer: Viewer, postId: string, on: boolean): Promise<PostView> {
  await getPost(em, viewer, postId);
  if (on) await follow(em, postId, [viewer.id]);
  else
    await em.getConnection().execute('delete from feed_follows where post_id = ? and user_id = ?', [postId, viewer.id]);
  return getPost(em, viewer, postId);
}

/** Everything up to `through` (default now) is read. The mark never goes back. */
export async function markFeedRead(em: EntityManager, viewer: Viewer, through?: string) {
  await em.getConnection().execute(
    `insert into feed_reads (user_id, seen_at) values (?, coalesce(?::timestamptz, now()))
     on conflict (user_id) do update set seen_at = greatest(feed_reads.seen_at, excluded.seen_at)`,
    [viewer.id, through ?? null],
  );
}

/** An upload kept for a post the uploader writes next (its file stored by content, modules/files). */
export async function addUpload(
  em: EntityManager,
  viewer: Viewer,
  file: { sha256: string; size: number; fileName: string; contentType: string },
) {
  const id = randomUUID();
  await em
    .getConnection()
    .execute(
      `insert into feed_attachments (id, uploaded_by, file_sha256, file_name, content_type, size) values (?, ?, ?, ?, ?, ?)`,
      [id, viewer.id, file.sha256, file.fileName, file.contentType, file.size],
    );
  return { id, fileName: file.fileName, contentType: file.contentType, size: file.size };
}

/** An attachment of a post the viewer may read (or their own upload not posted yet); else 404. */
export async function readableAttachment(em: EntityManager, viewer: Viewer, id: string) {
  const [a] = await em.getConnection().execute<
    {
      id: string;
      post_id: string | null;
      uploaded_by: string;
      file_sha256: string;
      file_name: string;
      content_type: string;
      size: string;
    }[]
  >('select * from feed_attachments where id = ?', [id]);
  if (!a) throw new DomainError('ATTACHMENT_NOT_FOUND', 'Attachment not found');
  if (a.post_id) {
    try {
      await getPost(em, viewer, a.post_id);
    } catch {
      throw new DomainError('ATTACHMENT_NOT_FOUND', 'Attachment not found');
    }
  } else if (a.uploaded_by !== viewer.id) throw new DomainError('ATTACHMENT_NOT_FOUND', 'Attachment not found');
  return { sha256: a.file_sha256, fileName: a.file_name, contentType: a.content_type, size: Number(a.size) };
}
