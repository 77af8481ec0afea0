/**
 * The feed, the way out: pages of the posts a user may read (newest activity first: a post rises when commented),
 * one post, its comments, the unread count. What a user may read is one SQL condition (`readableSql`), the same rule
 * as rules.ts `canRead`: a post they may not read does not exist for them (404).
 */
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { visibleOwnerIds, type Viewer } from '../access/visibility.ts';
import { accessSql, documentViewer } from '../documents/commands.ts';
import { notFound } from '../shared/errors.ts';
import { Keyset } from '../shared/keyset.ts';
import { RECORD_OWNER_SQL, RECORD_TITLE_SQL, readerOf } from './readers.ts';
import type { Audience, PostRecordType } from './rules.ts';

export interface UserRef {
  id: string;
  name: string;
}

export interface AttachmentView {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
}

/** A catalog document a post refers to (shown only to readers who may open it). */
export interface PostDocumentView {
  id: string;
  title: string;
}

export interface PostView {
  id: string;
  author: UserRef | null;
  audience: Audience;
  department: { id: string; name: string } | null;
  record: { type: PostRecordType; id: string; title: string | null } | null;
  body: string;
  systemKind: string | null;
  data: Record<string, unknown>;
  mentions: UserRef[];
  attachments: AttachmentView[];
  documents: PostDocumentView[];
  /** catalog documents made of the post ("Make it a document"), those the viewer may open */
  madeDocuments: PostDocumentView[];
  commentCount: number;
  following: boolean;
  createdAt: string;
  bumpedAt: string;
}

export interface CommentView {
  id: string;
  postId: string;
  author: UserRef;
  body: string;
  mentions: UserRef[];
  createdAt: string;
}

interface PostRow {
  id: string;
  author_id: string | null;
  author_name: string | null;
  audience: Audience;
  department_id: string | null;
  department_name: string | null;
  record_type: PostRecordType | null;
  record_id: string | null;
  record_title: string | null;
  body: string;
  system_kind: string | null;
  data: Record<string, unknown>;
  mentions: UserRef[] | null;
  attachments: AttachmentView[] | null;
  documents: PostDocumentView[] | null;
  made_documents: PostDocumentView[] | null;
  comment_count: number;
  following: boolean;
  created_at: Date | string;
  bumped_at: Date | string;
}

const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * The posts' columns; `docs` is the catalog's access condition on documents (alias d) for the viewer, used twice
 * (the documents a post refers to, those made of it): its parameters come twice before the viewer's id.
 */
const SELECT = (docs: string) => `select p.id, p.author_id, au.name as author_name, p.audience,
    p.department_id, dep.name as department_name, p.record_type, p.record_id, ${RECORD_TITLE_SQL('p')} as record_title,
    p.body, p.system_kind, p.data,
    (select coalesce(jsonb_agg(jsonb_build_object('id', u.id, 'name', u.name) order by u.name), '[]')
       from users u where u.id = any(p.mentions)) as mentions,
    (select coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'fileName', a.file_name, 'contentType', a.content_type,
       'size', a.size) order by a.created_at, a.id), '[]') from feed_attachments a where a.post_id = p.id) as attachments,
    (select coalesce(jsonb_agg(jsonb_build_object('id', d.id, 'title', d.title) order by l.position), '[]')
       from feed_post_catalog_documents l join documents d on d.id = l.document_id
       where l.post_id = p.id and d.deleted_at is null and ${docs}) as documents,
    (select coalesce(jsonb_agg(jsonb_build_object('id', d.id, 'title', d.title) order by m.created_at, m.position), '[]')
       from feed_post_documents m join documents d on d.id = m.document_id
       where m.post_id = p.id and d.deleted_at is null and ${docs}) as made_documents,
    p.comment_count, exists (select 1 from feed_follows f where f.post_id = p.id and f.user_id = ?) as following,
    p.created_at, p.bumped_at
  from feed_posts p
  left join users au on au.id = p.author_id
  left join departments dep on dep.id = p.department_id`;

const toView = (r: PostRow): PostView => ({
  id: r.id,
  author: r.author_id ? { id: r.author_id, name: r.author_name ?? '' } : null,
  audience: r.audience,
  department: r.department_id ? { id: r.department_id, name: r.department_name ?? '' } : null,
  record: r.record_type && r.record_id ? { type: r.record_type, id: r.record_id, title: r.record_title } : null,
  body: r.body,
  systemKind: r.system_kind,
  data: r.data,
  mentions: r.mentions ?? [],
  attachments: (r.attachments ?? []).map((a) => ({ ...a, size: Number(a.size) })),
  documents: r.documents ?? [],
  madeDocuments: r.made_documents ?? [],
  commentCount: r.comment_count,
  following: r.following,
  createdAt: iso(r.created_at),
  bumpedAt: iso(r.bumped_at),
});

/**
 * The condition on posts (alias p) that keeps exactly those the viewer may read (rules.ts canRead): the company's,
 * their departments', and those about records they see by ownership or share.
 */
export async function readableSql(em: EntityManager, viewer: Viewer): Promise<{ sql: string; params: unknown[] }> {
  if (viewer.role === 'admin') return { sql: 'true', params: [] };
  const reader = await readerOf(em, viewer);
  const owners = await visibleOwnerIds(em, viewer);
  const ownerCond = owners === 'all' ? 'true' : `${RECORD_OWNER_SQL('p')} = any(?::uuid[])`;
  return {
    sql: `(p.audience = 'company'
      or (p.audience = 'department' and p.department_id = any(?::uuid[]))
      or (p.audience = 'record' and (${ownerCond} or exists (select 1 from record_shares s
            where s.user_id = ? and s.record_type = p.record_type and s.record_id = p.record_id))))`,
    params: [`{${reader.departmentIds.join(',')}}`, ...(owners === 'all' ? [] : [`{${owners.join(',')}}`]), viewer.id],
  };
}

/** The catalog's access condition (documents alias d) for the viewer: a post shows only documents they may open. */
export async function documentsSql(em: EntityManager, viewer: Viewer): Promise<{ sql: string; params: unknown[] }> {
  if (viewer.role === 'admin') return { sql: 'true', params: [] };
  const [u] = await em
    .getConnection()
    .execute<{ department_id: string | null }[]>('select department_id from users where id = ?', [viewer.id]);
  return accessSql(
    await documentViewer(em, { id: viewer.id, role: viewer.role, departmentId: u?.department_id ?? null }),
    'd',
  );
}

export const postKeyset = new Keyset({
  cursor: z.tuple([z.iso.datetime(), z.uuid()]),
  columns: ['p.bumped_at', 'p.id'],
  values: ['?::timestamptz', '?::uuid'],
  dir: 'desc',
  keyOf: (p: PostView) => [p.bumpedAt, p.id] as [string, string],
});

export interface PostFilter {
  /** mine: written by me; mentions: mentioning me (in the post or a comment); system: made from the timeline */
  show?: 'all' | 'mine' | 'mentions' | 'system' | 'following';
  /** posts about this record (a client's also about its deals) */
  recordType?: PostRecordType;
  recordId?: string;
  cursor?: string;
  limit: number;
}

export async function listPosts(em: EntityManager, viewer: Viewer, f: PostFilter) {
  const after = postKeyset.after(postKeyset.decode(f.cursor));
  const [readable, docs] = await Promise.all([readableSql(em, viewer), documentsSql(em, viewer)]);
  const where: string[] = [readable.sql, after.sql];
  const params: unknown[] = [...docs.params, ...docs.params, viewer.id, ...readable.params, ...after.params];
  if (f.show === 'mine') {
    where.push('p.author_id = ?');
    params.push(viewer.id);
  } else if (f.show === 'mentions') {
    where.push(
      `(? = any(p.mentions) or exists (select 1 from feed_comments c where c.post_id = p.id and ? = any(c.mentions)))`,
    );
    params.push(viewer.id, viewer.id);
  } else if (f.show === 'system') {
    where.push('p.system_kind is not null');
  } else if (f.show === 'following') {
    where.push('exists (select 1 from feed_follows f where f.post_id = p.id and f.user_id = ?)');
    params.push(viewer.id);
  }
  if (f.recordId) {
    if (f.recordType === 'client') {
      where.push(`((p.record_type = 'client' and p.record_id = ?)
        or (p.record_type = 'deal' and p.record_id in (select id from deals where client_id = ?)))`);
      params.push(f.recordId, f.recordId);
    } else {
      where.push('p.record_type = ? and p.record_id = ?');
      params.push(f.recordType ?? 'deal', f.recordId);
    }
  }
  const rows = await em
    .getConnection()
    .execute<PostRow[]>(`${SELECT(docs.sql)} where ${where.join(' and ')} order by ${postKeyset.orderBy()} limit ?`, [
      ...params,
      f.limit + 1,
    ]);
  return postKeyset.page(rows.map(toView), f.limit);
}

/** Posts of these ids as the viewer reads them; those the viewer may not read are left out. */
export async function postsByIds(em: EntityManager, viewer: Viewer, ids: string[]): Promise<PostView[]> {
  if (!ids.length) return [];
  const [readable, docs] = await Promise.all([readableSql(em, viewer), documentsSql(em, viewer)]);
  const rows = await em
    .getConnection()
    .execute<PostRow[]>(
      `${SELECT(docs.sql)} where p.id = any(?::uuid[]) and ${readable.sql} order by p.bumped_at desc, p.id desc`,
      [...docs.params, ...docs.params, viewer.id, `{${ids.join(',')}}`, ...readable.params],
    );
  return rows.map(toView);
}

/** One post the viewer may read; another's (another group's, a record they do not see) is 404. */
export async function getPost(em: EntityManager, viewer: Viewer, id: string): Promise<PostView> {
  const [post] = await postsByIds(em, viewer, [id]);
  if (!post) throw notFound('Post');
  return post;
}

/** The comments of a post the viewer may read, oldest first. */
export async function listComments(em: EntityManager, viewer: Viewer, postId: string): Promise<CommentView[]> {
  await getPost(em, viewer, postId);
  const rows = await em.getConnection().execute<
    {
      id: string;
      post_id: string;
      author_id: string;
      author_name: string;
      body: string;
      mentions: UserRef[];
      created_at: Date;
    }[]
  >(
    `select c.id, c.post_id, c.author_id, u.name as author_name, c.body, c.created_at,
       (select coalesce(jsonb_agg(jsonb_build_object('id', m.id, 'name', m.name) order by m.name), '[]')
          from users m where m.id = any(c.mentions)) as mentions
     from feed_comments c join users u on u.id = c.author_id
     where c.post_id = ? order by c.created_at, c.id limit 500`,
    [postId],
  );
  return rows.map((r) => ({
    id: r.id,
    postId: r.post_id,
    author: { id: r.author_id, name: r.author_name },
    body: r.body,
    mentions: r.mentions,
    createdAt: iso(r.created_at),
  }));
}

/** Posts the viewer may read with activity (a new post or comment by someone else) since they last looked. */
export async function unreadPosts(em: EntityManager, viewer: Viewer): Promise<number> {
  const readable = await readableSql(em, viewer);
  const [row] = await em.getConnection().execute<{ n: string }[]>(
    `select count(*)::text as n from feed_posts p
     where p.bumped_at > coalesce((select seen_at from feed_reads where user_id = ?),
                                  (select created_at from users where id = ?))
       and p.bumped_by is distinct from ? and ${readable.sql}`,
    [viewer.id, viewer.id, viewer.id, ...readable.params],
  );
  return Number(row?.n ?? 0);
}
