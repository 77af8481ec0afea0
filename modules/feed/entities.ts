import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, recordId } from '../shared/entity.ts';
import { AUDIENCES, POST_RECORD_TYPES } from './rules.ts';

/**
 * A post of the feed: to the company, a department (and those below it) or about a record. A system post (no author)
 * is made from the timeline (modules/feed/projector.ts) and keeps its origin in source_key.
 */
export const FeedPost = defineEntity({
  name: 'FeedPost',
  tableName: 'feed_posts',
  properties: {
    ...recordId(),
    authorId: p.uuid().nullable(),
    audience: p.enum(AUDIENCES),
    departmentId: p.uuid().nullable(),
    recordType: p.enum(POST_RECORD_TYPES).nullable(),
    recordId: p.uuid().nullable(),
    body: p.text(),
    systemKind: p.text().nullable(),
    data: p.json<Record<string, unknown>>(),
    sourceKey: p.text().nullable(),
    mentions: p.array<string>(),
    commentCount: p.integer().default(0),
    ...createdAt(),
    bumpedAt: p.datetime().onCreate(() => new Date()),
  },
});
export type FeedPostRow = InstanceType<typeof FeedPost.class>;

export const FeedComment = defineEntity({
  name: 'FeedComment',
  tableName: 'feed_comments',
  properties: {
    ...recordId(),
    postId: p.uuid(),
    authorId: p.uuid(),
    body: p.text(),
    mentions: p.array<string>(),
    ...createdAt(),
  },
});

export const FeedFollow = defineEntity({
  name: 'FeedFollow',
  tableName: 'feed_follows',
  properties: {
    postId: p.uuid().primary(),
    userId: p.uuid().primary(),
  },
});

/** A file attached to a post: stored content (modules/files), uploaded before the post names it. */
export const FeedAttachment = defineEntity({
  name: 'FeedAttachment',
  tableName: 'feed_attachments',
  properties: {
    ...recordId(),
    postId: p.uuid().nullable(),
    uploadedBy: p.uuid(),
    fileSha256: p.string().length(64),
    fileName: p.text(),
    contentType: p.text(),
    size: p.bigint('number'),
    ...createdAt(),
  },
});
export type FeedAttachmentRow = InstanceType<typeof FeedAttachment.class>;
