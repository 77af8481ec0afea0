import { z } from 'zod';
import { storedFileName, attachmentDisposition } from '../../modules/files/names.ts';
import { storeUpload } from '../../modules/files/store.ts';
import {
  addComment,
  addUpload,
  createPost,
  markFeedRead,
  readableAttachment,
  setFollowing,
} from '../../modules/feed/commands.ts';
import { makeDocumentOfPost } from '../../modules/feed/make-document.ts';
import { startTextExtraction } from '../../modules/documents/extract.ts';
import { getPost, listComments, listPosts, unreadPosts } from '../../modules/feed/queries.ts';
import { audienceOf, readersOf } from '../../modules/feed/readers.ts';
import { AUDIENCES, MAX_BODY, POST_RECORD_TYPES, canRead } from '../../modules/feed/rules.ts';
import { AppError } from '../errors.ts';
import { pageOf, pageQuery, route, type RouteSpec } from '../http.ts';
import { sandboxDownload } from '../security-headers.ts';

const userRef = z.object({ id: z.uuid(), name: z.string() });
const attachment = z
  .object({ id: z.uuid(), fileName: z.string(), contentType: z.string(), size: z.number().int() })
  .meta({ id: 'FeedAttachment' });

const post = z
  .object({
    id: z.uuid(),
    author: userRef.nullable().describe('null for a system post, made from the timeline'),
    audience: z.enum(AUDIENCES),
    department: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    record: z
      .object({ type: z.enum(POST_RECORD_TYPES), id: z.uuid(), title: z.string().nullable() })
      .nullable()
      .describe('what the post is about (a deal, client, plan or calendar event), with its title now'),
    body: z.string().describe('Markdown; a mention is written @[Name](user id). Render it without raw HTML'),
    systemKind: z
      .string()
      .nullable()
      .describe(
        'a system post: deal_won, deal_lost, stage_passed, plan_finalised, result_overdue, task_overdue (data: ' +
          'instanceId, taskId, regulation, task, dueAt)',
      ),
    data: z.record(z.string(), z.unknown()).describe("a system post's facts (the stage, the occurrence, …)"),
    mentions: z.array(userRef),
    attachments: z.array(attachment),
    documents: z
      .array(z.object({ id: z.uuid(), title: z.string() }))
      .describe('catalog documents the post refers to, only those you may open (GET /documents/{id})'),
    madeDocuments: z
      .array(z.object({ id: z.uuid(), title: z.string() }))
      .describe('catalog documents made of the post (POST /feed/posts/{id}/document), only those you may open'),
    commentCount: z.number().int(),
    following: z.boolean(),
    createdAt: z.iso.datetime(),
    bumpedAt: z.iso.datetime().describe('the last activity: a post rises when commented'),
  })
  .meta({ id: 'FeedPost' });

const comment = z
  .object({
    id: z.uuid(),
    postId: z.uuid(),
    author: userRef,
    body: z.string(),
    mentions: z.array(userRef),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'FeedComment' });

const postParams = z.strictObject({ id: z.uuid() });
const body = z.string().trim().min(1).max(MAX_BODY);
const audienceFields = {
  audience: z
    .enum(AUDIENCES)
    .describe('company: everyone; department: its members and those above; record: who sees it'),
  departmentId: z.uuid().optional().describe('for audience department'),
  recordType: z.enum(POST_RECORD_TYPES).optional().describe('for audience record'),
  recordId: z.uuid().optional().describe('for audience record'),
};
const audienceRefine = <T extends { audience: string; departmentId?: string; recordType?: string; recordId?: string }>(
  v: T,
  ctx: z.RefinementCtx,
) => {
  if (v.audience === 'department' && !v.departmentId)
    ctx.addIssue({ code: 'custom', path: ['departmentId'], message: 'a department post names its department' });
  if (v.audience === 'record' && (!v.recordType || !v.recordId))
    ctx.addIssue({
      code: 'custom',
      path: ['recordId'],
      message: 'a post about a record names it (recordType, recordId)',
    });
};

/** The feed: posts to the company, a department or about a record, comments, mentions, following, system posts. */
export const feedRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/feed/posts',
    operationId: 'listFeedPosts',
    summary:
      'Posts you may read, the latest activity first (a post rises when commented). New posts and comments also ' +
      'arrive live on GET /stream as `event: feed`',
    tag: 'Feed',
    access: 'user',
    query: z.strictObject({
      ...pageQuery,
      show: z
        .enum(['all', 'mine', 'mentions', 'system', 'following'])
        .default('all')
        .describe('mine: yours; mentions: mentioning you; system: made from the timeline; following: those you follow'),
      recordType: z
        .enum(POST_RECORD_TYPES)
        .optional()
        .describe("with recordId: about this record (a client's deals too)"),
      recordId: z.uuid().optional(),
    }),
    response: pageOf(post),
    handler: ({ em, user, query }) => listPosts(em, user, query),
  }),
  route({
    method: 'post',
    path: '/feed/posts',
    operationId: 'createFeedPost',
    summary:
      'Post to the company, a department or about a record. Mention people as @[Name](user id): each is told, and ' +
      'only people who can read the post may be mentioned (422 MENTION_NOT_ALLOWED names the others)',
    tag: 'Feed',
    access: 'user',
    status: 201,
    errors: [404, 422],
    body: z
      .strictObject({
        ...audienceFields,
        body,
        attachmentIds: z.array(z.uuid()).max(20).optional().describe('your uploads (POST /feed/attachments)'),
        documentIds: z
          .array(z.uuid())
          .max(20)
          .optional()
          .describe('catalog documents to refer to, each one you may open; readers see those they may open'),
      })
      .superRefine(audienceRefine),
    response: post,
    handler: ({ em, user, body: b }) => createPost(em, user, b),
  }),
  route({
    method: 'get',
    path: '/feed/posts/:id',
    operationId: 'getFeedPost',
    summary: "One post (another group's, or one about a record you do not see, is 404)",
    tag: 'Feed',
    access: 'user',
    errors: [404],
    params: postParams,
    response: post,
    handler: ({ em, user, params }) => getPost(em, user, params.id),
  }),
  route({
    method: 'get',
    path: '/feed/posts/:id/comments',
    operationId: 'listFeedComments',
    summary: "A post's comments, oldest first",
    tag: 'Feed',
    access: 'user',
    errors: [404],
    params: postParams,
    response: z.object({ items: z.array(comment) }),
    handler: async ({ em, user, params }) => ({ items: await listComments(em, user, params.id) }),
  }),
  route({
    method: 'post',
    path: '/feed/posts/:id/comments',
    operationId: 'addFeedComment',
    summary: 'Comment on a post: it rises, its followers and the people mentioned are told, and you follow it',
    tag: 'Feed',
    access: 'user',
    status: 201,
    errors: [404, 422],
    params: postParams,
    body: z.strictObject({ body }),
    response: comment,
    handler: ({ em, user, params, body: b }) => addComment(em, user, params.id, b.body),
  }),
  route({
    method: 'put',
    path: '/feed/posts/:id/follow',
    operationId: 'followFeedPost',
    summary: 'Follow a post: you are told of its comments',
    tag: 'Feed',
    access: 'user',
    errors: [404],
    params: postParams,
    response: post,
    handler: ({ em, user, params }) => setFollowing(em, user, params.id, true),
  }),
  route({
    method: 'delete',
    path: '/feed/posts/:id/follow',
    operationId: 'unfollowFeedPost',
    summary: 'Stop following a post',
    tag: 'Feed',
    access: 'user',
    errors: [404],
    params: postParams,
    response: post,
    handler: ({ em, user, params }) => setFollowing(em, user, params.id, false),
  }),
  route({
    method: 'post',
    path: '/feed/posts/:id/document',
    operationId: 'makeFeedPostDocument',
    summary:
      'Make a post a catalog document: each attachment becomes a document of its own (its file the first version, ' +
      "the post's text the description); a post without attachments becomes one document whose file is its text. " +
      'The post must be yours to read and the folder yours to open; a post about a client or deal links them. ' +
      'Repeating a request with the same opId answers the documents it made (a double click makes them once)',
    tag: 'Feed',
    access: 'user',
    status: 201,
    errors: [404, 409, 415, 422],
    params: postParams,
    body: z.strictObject({
      opId: z.uuid().describe('a new random id per request; a repeat with the same one changes nothing'),
      folderId: z.uuid().nullable().optional().describe('the folder (none: the top of the catalog)'),
      title: z.string().trim().max(200).optional().describe("default: the post's first line"),
    }),
    response: z.object({
      documents: z.array(z.object({ id: z.uuid(), title: z.string() })),
    }),
    handler: async ({ em, user, params, body: b, app }) => {
      const made = await makeDocumentOfPost(em, app.storage, user, params.id, b);
      await startTextExtraction(app.temporal, app.config.TEMPORAL_TASK_QUEUE, made.versionIds);
      return { documents: made.documents };
    },
  }),
  route({
    method: 'get',
    path: '/feed/unread-count',
    operationId: 'feedUnreadCount',
    summary:
      'How many posts you may read have news (a new post or comment by someone else) since you last read the feed',
    tag: 'Feed',
    access: 'user',
    response: z.object({ count: z.number().int() }),
    handler: async ({ em, user }) => ({ count: await unreadPosts(em, user) }),
  }),
  route({
    method: 'post',
    path: '/feed/read',
    operationId: 'markFeedRead',
    summary: 'The feed is read up to now (or up to `through`, the newest activity you saw)',
    tag: 'Feed',
    access: 'user',
    body: z.strictObject({
      through: z.iso
        .datetime({ offset: true })
        .refine((v) => {
          const year = new Date(v).getUTCFullYear();
          return year >= 1000 && year <= 9999;
        }, 'a time in the years 1000–9999')
        .optional(),
    }),
    handler: async ({ em, user, body: b }) => {
      await markFeedRead(em, user, b.through);
    },
  }),
  route({
    method: 'get',
    path: '/feed/mentionable',
    operationId: 'feedMentionable',
    summary: 'People you may mention in a post to this audience (those who can read it), by name',
    tag: 'Feed',
    access: 'user',
    errors: [404],
    query: z.strictObject({ ...audienceFields, q: z.string().max(100).default('') }).superRefine(audienceRefine),
    response: z.object({ items: z.array(userRef) }),
    handler: async ({ em, query }) => {
      const audience = await audienceOf(em, query);
      const users = await em
        .getConnection()
        .execute<{ id: string; name: string }[]>(
          `select id, name from users where disabled_at is null and name ilike ? escape '\\' order by name, id limit 50`,
          [`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`],
        );
      const readers = await readersOf(
        em,
        users.map((u) => u.id),
        [audience],
      );
      return { items: users.filter((u) => readers.has(u.id) && canRead(readers.get(u.id)!, audience)).slice(0, 10) };
    },
  }),
  route({
    method: 'post',
    path: '/feed/attachments',
    operationId: 'uploadFeedAttachment',
    summary: 'Upload a file to attach to your next post (name its id in attachmentIds); stored once by content',
    tag: 'Feed',
    access: 'user',
    status: 201,
    errors: [413],
    multipart: true,
    body: z.strictObject({}),
    response: attachment,
    handler: async ({ em, user, req, app }) => {
      const file = req.file;
      if (!file)
        throw new AppError(400, 'FILE_MISSING', 'Send the file in the "file" field of a multipart/form-data body');
      const fileName = storedFileName(file.originalname);
      const stored = await storeUpload(em, app.storage, file.path);
      return addUpload(em, user, {
        sha256: stored.sha256,
        size: stored.size,
        fileName,
        contentType: file.mimetype || 'application/octet-stream',
      });
    },
  }),
  route({
    method: 'get',
    path: '/feed/attachments/:id/content',
    operationId: 'downloadFeedAttachment',
    summary: "Download a post's attachment (one of a post you may not read is 404)",
    tag: 'Feed',
    access: 'user',
    errors: [404],
    params: postParams,
    rawResponse: { contentType: 'application/octet-stream', description: 'the file' },
    handler: async ({ em, user, params, res, app }) => {
      const a = await readableAttachment(em, user, params.id);
      res.setHeader('Content-Type', a.contentType);
      res.setHeader('Content-Length', String(a.size));
      res.setHeader('Content-Disposition', attachmentDisposition(a.fileName));
      sandboxDownload(res);
      await new Promise<void>((resolve, reject) => {
        app.storage.open(a.sha256).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
      });
    },
  }),
];
