/**
 * The feed on the live stream: each new post or comment goes, as `event: feed`, to the open streams of the users who
 * may read its post (rules.ts canRead), and to no one else. The API process's one LISTEN connection
 * (modules/timeline/live.ts) hands over the `feed` channel's announcements (`<postId>:post` or
 * `<postId>:<commentId>`); a batch is read back in one query. Like notifications they are not replayed: after a lost
 * LISTEN connection the streams get `event: feed-sync` and the browser reads the feed again.
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { readAccessEpoch, type Viewer } from '../access/visibility.ts';
import { RECORD_OWNER_SQL, readerOf } from './readers.ts';
import { canRead, type PostAudience, type Reader } from './rules.ts';

/** What a browser receives for a new post or comment it may read (the `data:` of `event: feed`). */
export interface FeedStreamEvent {
  kind: 'post' | 'comment';
  postId: string;
  commentId: string | null;
  authorId: string | null;
  /** a system post's kind */
  systemKind: string | null;
  at: string;
}

/** The channel new posts and comments are announced on when they commit: `<postId>:post` or `<postId>:<commentId>`. */
export const FEED_CHANNEL = 'feed';

export const FEED_SYNC_MESSAGE = 'event: feed-sync\ndata: {}\n\n';

const UUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

/** `<postId>:post` or `<postId>:<commentId>`, or null. */
export function parseFeedAnnouncement(payload: string): { postId: string; commentId: string | null } | null {
  const [postId, what] = payload.split(':');
  if (!postId || !UUID.test(postId)) return null;
  if (what === 'post') return { postId: postId.toLowerCase(), commentId: null };
  return what && UUID.test(what) ? { postId: postId.toLowerCase(), commentId: what.toLowerCase() } : null;
}

interface Row {
  id: string;
  audience: PostAudience['audience'];
  department_id: string | null;
  record_type: PostAudience['recordType'];
  record_id: string | null;
  owner_id: string | null;
  author_id: string | null;
  system_kind: string | null;
  created_at: Date;
  comment_id: string | null;
  comment_author: string | null;
  comment_at: Date | null;
}

export class FeedRelay<S> {
  private pending: { postId: string; commentId: string | null }[] = [];
  private flushing: Promise<void> | null = null;
  /** readers per user and role, for the access epoch they were read at (shares are read per batch) */
  private readers = new Map<string, { epoch: number; reader: Reader }>();

  /**
   * @param streams every open stream of this process, with its viewer
   * @param write writes a message to one stream (with the feed's back-pressure)
   */
  constructor(
    private readonly orm: MikroORM,
    private readonly streams: () => { stream: S; viewer: Viewer }[],
    private readonly write: (stream: S, message: string) => void,
  ) {}

  announce(payload: string) {
    const a = parseFeedAnnouncement(payload);
    if (!a || !this.streams().length) return;
    this.pending.push(a);
    this.flushing ??= this.drain();
  }

  private async drain() {
    await new Promise<void>((r) => setImmediate(r));
    try {
      while (this.pending.length) await this.flush(this.pending.splice(0));
    } finally {
      this.flushing = null;
    }
  }

  private async flush(batch: { postId: string; commentId: string | null }[]) {
    try {
      const em = this.orm.em.fork();
      const rows = await em.getConnection().execute<Row[]>(
        `select p.id, p.audience, p.department_id, p.record_type, p.record_id, ${RECORD_OWNER_SQL('p')} as owner_id,
           p.author_id, p.system_kind, p.created_at, x.comment_id, c.author_id as comment_author, c.created_at as comment_at
         from jsonb_to_recordset(?::jsonb) as x(post_id uuid, comment_id uuid)
         join feed_posts p on p.id = x.post_id
         left join feed_comments c on c.id = x.comment_id`,
        [JSON.stringify(batch.map((b) => ({ post_id: b.postId, comment_id: b.commentId })))],
      );
      const streams = this.streams();
      let epoch: number | null = null;
      let shares: Set<string> | null = null;
      for (const row of rows) {
        const audience: PostAudience = {
          audience: row.audience,
          departmentId: row.department_id,
          recordType: row.record_type,
          recordId: row.record_id,
          recordOwnerId: row.owner_id,
        };
        const comment = row.comment_at !== null;
        const event: FeedStreamEvent = {
          kind: comment ? 'comment' : 'post',
          postId: row.id,
          commentId: row.comment_id,
          authorId: comment ? row.comment_author : row.author_id,
          systemKind: row.system_kind,
          at: new Date(comment ? row.comment_at! : row.created_at).toISOString(),
        };
        const message = `event: feed\ndata: ${JSON.stringify(event)}\n\n`;
        for (const { stream, viewer } of streams) {
          let may = audience.audience === 'company' || viewer.role === 'admin';
          if (!may) {
            epoch ??= await readAccessEpoch(em);
            shares ??= await this.sharesOf(em, streams, rows);
            const reader = await this.readerOf(em, viewer, epoch);
            const shared = shares.has(`${viewer.id}:${row.record_type}:${row.record_id}`);
            may = canRead(
              { ...reader, shared: new Set(shared ? [`${row.record_type}:${row.record_id}`] : []) },
              audience,
            );
          }
          if (may) this.write(stream, message);
        }
      }
    } catch (e) {
      console.error('live: could not read back announced feed posts', e);
    }
  }

  private async readerOf(em: EntityManager, viewer: Viewer, epoch: number): Promise<Reader> {
    const key = `${viewer.id}:${viewer.role}`;
    const hit = this.readers.get(key);
    if (hit && hit.epoch === epoch) return hit.reader;
    const reader = await readerOf(em, { id: viewer.id, role: viewer.role, accessEpoch: epoch });
    if (this.readers.size > 10_000) this.readers.delete(this.readers.keys().next().value!);
    this.readers.set(key, { epoch, reader });
    return reader;
  }

  /** `<user>:<type>:<record>` for the records of the batch shared with users streaming here. */
  private async sharesOf(em: EntityManager, streams: { viewer: Viewer }[], rows: Row[]): Promise<Set<string>> {
    const records = rows.filter((r) => r.record_id).map((r) => r.record_id!);
    if (!records.length) return new Set();
    const users = [...new Set(streams.map((s) => s.viewer.id))];
    const found = await em.getConnection().execute<{ k: string }[]>(
      `select user_id || ':' || record_type || ':' || record_id as k from record_shares
       where record_id = any(?::uuid[]) and user_id = any(?::uuid[])`,
      [`{${records.join(',')}}`, `{${users.join(',')}}`],
    );
    return new Set(found.map((f) => f.k));
  }
}
