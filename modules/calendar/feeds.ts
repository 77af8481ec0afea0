/**
 * Internet calendar feeds: each user creates, names and revokes read-only links to their calendar
 * (`/ical/<token>.ics`, a `webcal://` link and a QR code of it) that calendar apps subscribe to.
 *
 * A token is 192 random bits, shown once when the feed is created; only its SHA-256 is stored and a presented token
 * is compared with it in constant time. Every fetch looks the token up again, so a revoked (or a disabled user's)
 * feed is refused at once. Scope `mine`: the user's own events and those they take part in; `group` (leads and
 * administrators): the events of every owner they see (modules/access/visibility.ts) and those they take part in.
 *
 * A fetch first reads one small summary of the window (count and last change of its events) to answer 304 from the
 * ETag without building the body; only a changed feed reads its events and builds the text (modules/calendar/ical.ts).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { uuidArray, visibleOwnerIds } from '../access/visibility.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { buildFeed, feedWindow, type FeedEvent } from './ical.ts';

export const FEED_SCOPES = ['mine', 'group'] as const;
export type FeedScope = (typeof FEED_SCOPES)[number];
/** roles that may publish their group's events */
export const GROUP_FEED_ROLES = ['lead', 'admin'];
export const MAX_FEEDS_PER_USER = 20;
/** the most events a feed reads (what fits in its size limit is chosen among them) */
export const FEED_MAX_EVENTS = 5000;
/** bump when the feed's text changes shape, so that cached copies are not answered 304 */
const FEED_FORMAT = 1;

export const FeedFailure = {
  scopeForbidden: 'CALENDAR_FEED_SCOPE_FORBIDDEN',
  limit: 'CALENDAR_FEED_LIMIT',
} as const;

/** A new feed token: 24 random bytes, URL-safe (32 characters). */
export const newFeedToken = () => randomBytes(24).toString('base64url');
export const feedTokenHash = (token: string) => createHash('sha256').update(token).digest();
/** A token as it may appear in a URL: anything else is not looked up at all. */
export const FEED_TOKEN = /^[A-Za-z0-9_-]{32}$/;

/** Whether a presented token hashes to the stored hash, compared in constant time. */
export function tokenMatches(token: string, storedHash: Buffer): boolean {
  const h = feedTokenHash(token);
  return storedHash.length === h.length && timingSafeEqual(storedHash, h);
}

/** The feed's addresses: https (or http) for copying, webcal:// for one-click subscribing. */
export function feedUrls(baseUrl: string, token: string): { url: string; webcalUrl: string } {
  const url = `${baseUrl.replace(/\/+$/, '')}/ical/${token}.ics`;
  return { url, webcalUrl: url.replace(/^https?:\/\//i, 'webcal://') };
}

export interface FeedView {
  id: string;
  name: string;
  scope: FeedScope;
  createdAt: string;
}

interface Owner {
  id: string;
  role: string;
}

export async function listFeeds(em: EntityManager, userId: string): Promise<FeedView[]> {
  const rows = await em.getConnection().execute<(Omit<FeedView, 'createdAt'> & { createdAt: Date })[]>(
    `select id, name, scope, created_at as "createdAt" from calendar_feeds
      where user_id = ? and revoked_at is null order by created_at, id`,
    [userId],
  );
  return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() }));
}

/** Creates a feed; the token is returned here and never again. */
export async function createFeed(
  em: EntityManager,
  user: Owner,
  input: { name: string; scope: FeedScope },
): Promise<FeedView & { token: string }> {
  if (input.scope === 'group' && !GROUP_FEED_ROLES.includes(user.role)) {
    throw new DomainError(FeedFailure.scopeForbidden, "Only a lead publishes a feed of their group's events", {
      scope: input.scope,
    });
  }
  const token = newFeedToken();
  const id = randomUUID();
  const [row] = await em.getConnection().execute<{ createdAt: Date }[]>(
    `insert into calendar_feeds (id, user_id, name, scope, token_hash)
     select ?, ?, ?, ?, ?
      where (select count(*) from calendar_feeds where user_id = ? and revoked_at is null) < ?
     returning created_at as "createdAt"`,
    [id, user.id, input.name, input.scope, feedTokenHash(token), user.id, MAX_FEEDS_PER_USER],
  );
  if (!row) {
    throw new DomainError(FeedFailure.limit, `At most ${MAX_FEEDS_PER_USER} calendar feeds; revoke one first`, {
      limit: MAX_FEEDS_PER_USER,
    });
  }
  return { id, name: input.name, scope: input.scope, createdAt: new Date(row.createdAt).toISOString(), token };
}

/** Revokes one of the user's feeds; its link stops working at once. */
export async function revokeFeed(em: EntityManager, userId: string, id: string): Promise<void> {
  const rows = await em
    .getConnection()
    .execute<{ id: string }[]>(
      `update calendar_feeds set revoked_at = now() where id = ? and user_id = ? and revoked_at is null returning id`,
      [id, userId],
    );
  if (!rows.length) throw notFound('Calendar feed');
}

/** A live feed behind a token, with its owner and the access epoch (for what a group feed shows). */
export interface LiveFeed {
  id: string;
  name: string;
  scope: FeedScope;
  userId: string;
  role: string;
  accessEpoch: number;
  /** for a feed of scope mine, its window's summary read in the same statement (the window of `now`) */
  summary?: Summary;
}

/** The count and last change of the events in a feed's window: what its ETag is made of. */
interface Summary {
  n: number;
  last: string;
}
const summaryOf = (row: { n: string | number | null; last: Date | string | null } | undefined): Summary => ({
  n: Number(row?.n ?? 0),
  last: row?.last ? new Date(row.last).toISOString() : '-',
});

const IN_WINDOW = `((e.rrule is null and e.starts_at <= ? and e.ends_at >= ?) or (e.rrule is not null and e.starts_at <= ?))`;

/**
 * The feed of a token, or null when there is none, it was revoked or its user is disabled (the same answer). For a
 * feed of scope mine, the summary its ETag needs comes in the same statement.
 */
export async function feedOfToken(em: EntityManager, token: string, now = Date.now()): Promise<LiveFeed | null> {
  if (!FEED_TOKEN.test(token)) return null;
  const window = feedWindow(now);
  const [from, to] = [new Date(window.from), new Date(window.to)];
  const [row] = await em
    .getConnection()
    .execute<
      (Omit<LiveFeed, 'accessEpoch' | 'summary'> & { hash: Buffer; epoch: string; n: string; last: Date | null })[]
    >(
      `select f.id, f.name, f.scope, f.token_hash as hash, u.id as "userId", u.role,
            (select epoch from access_epoch) as epoch, s.n, s.last
       from calendar_feeds f join users u on u.id = f.user_id and u.disabled_at is null
       left join lateral (
         select count(*) as n, max(e.updated_at) as last from calendar_events e
          where f.scope = 'mine' and (e.owner_id = f.user_id or e.participant_user_ids @> array[f.user_id])
            and ${IN_WINDOW}) s on true
      where f.token_hash = ? and f.revoked_at is null`,
      [to, from, to, feedTokenHash(token)],
    );
  if (!row || !tokenMatches(token, Buffer.from(row.hash))) return null;
  const { hash: _h, epoch, n, last, ...feed } = row;
  return {
    ...feed,
    accessEpoch: Number(epoch ?? 0),
    summary: feed.scope === 'mine' ? summaryOf({ n, last }) : undefined,
  };
}

/** Which events a feed shows in its window, as an SQL condition on calendar_events e. */
async function feedCondition(em: EntityManager, feed: LiveFeed, window: { from: number; to: number }) {
  const owners =
    feed.scope === 'group'
      ? await visibleOwnerIds(em, { id: feed.userId, role: feed.role, accessEpoch: feed.accessEpoch })
      : [feed.userId];
  const from = new Date(window.from);
  const to = new Date(window.to);
  if (owners === 'all') return { sql: IN_WINDOW, params: [to, from, to] };
  return {
    sql: `(e.owner_id = any(?::uuid[]) or e.participant_user_ids @> array[?]::uuid[]) and ${IN_WINDOW}`,
    params: [uuidArray(owners), feed.userId, to, from, to],
  };
}

/**
 * The feed's ETag from one small query: the feed, what it shows (its scope under the current access epoch), the
 * count and last change of the events in its window, the window's day and the base URL its links carry.
 */
export async function feedEtag(em: EntityManager, feed: LiveFeed, baseUrl: string, now: number): Promise<string> {
  const window = feedWindow(now);
  let summary = feed.summary;
  if (!summary) {
    const where = await feedCondition(em, feed, window);
    const [row] = await em
      .getConnection()
      .execute<{ n: string; last: Date | null }[]>(
        `select count(*) as n, max(e.updated_at) as last from calendar_events e where ${where.sql}`,
        where.params,
      );
    summary = summaryOf(row);
  }
  const key = [
    FEED_FORMAT,
    feed.id,
    feed.scope,
    feed.name,
    feed.accessEpoch,
    summary.n,
    summary.last,
    window.day,
    baseUrl,
  ];
  return `"${createHash('sha256').update(key.join('|')).digest('base64url').slice(0, 27)}"`;
}

/**
 * Feeds built lately, by ETag: calendar apps often fetch without If-None-Match, and an unchanged feed is then sent
 * again without being rebuilt. A few feeds and a few MB at most; the token is checked before, on every fetch.
 */
const built = new Map<string, string>();
const BUILT_MAX = 16;
const BUILT_MAX_CHARS = 16_000_000;
let builtChars = 0;
function remember(etag: string, text: string) {
  if (text.length > BUILT_MAX_CHARS / 4) return;
  built.set(etag, text);
  builtChars += text.length;
  for (const [k, v] of built) {
    if (built.size <= BUILT_MAX && builtChars <= BUILT_MAX_CHARS) break;
    built.delete(k);
    builtChars -= v.length;
  }
}

/** The feed's iCalendar text for its ETag (feedEtag): the one built last for it, or built now. */
export async function feedText(
  em: EntityManager,
  feed: LiveFeed,
  baseUrl: string,
  now: number,
  etag: string,
): Promise<string> {
  const hit = built.get(etag);
  if (hit !== undefined) return hit;
  const { text } = await buildFeedText(em, feed, baseUrl, now);
  remember(etag, text);
  return text;
}

/** an instant as epoch milliseconds (a float8 the driver reads faster than a timestamp) */
const EPOCH = (col: string) => `(extract(epoch from ${col}) * 1000)::float8`;

/** The feed's iCalendar text, built from its events. */
export async function buildFeedText(
  em: EntityManager,
  feed: LiveFeed,
  baseUrl: string,
  now: number,
): Promise<{ text: string; included: number; left: number }> {
  const window = feedWindow(now);
  const where = await feedCondition(em, feed, window);
  const group = feed.scope === 'group';
  // the most relevant events when there are too many: series, then those nearest to now
  const rows = await em.getConnection().execute<(FeedEvent & { ownerId: string })[]>(
    `select e.id, e.title, e.description, e.location, ${EPOCH('e.starts_at')} as "startsAt",
            ${EPOCH('e.ends_at')} as "endsAt", e.all_day as "allDay", e.time_zone as "timeZone", e.rrule,
            array(select ${EPOCH('x')} from unnest(e.exdates) x) as exdates,
            array(select ${EPOCH('x')} from unnest(e.cancelled_occurrences) x) as "cancelledOccurrences",
            e.reminders, e.status, e.sequence, ${EPOCH('e.updated_at')} as "updatedAt", e.owner_id as "ownerId"${group ? ', u.name as "ownerName"' : ''}
       from calendar_events e${group ? ' join users u on u.id = e.owner_id' : ''}
      where ${where.sql}
      order by e.rrule is null, abs(extract(epoch from e.starts_at - ?::timestamptz)), e.id
      limit ${FEED_MAX_EVENTS}`,
    [...where.params, new Date(now)],
  );
  // in a group feed, the events of others name their owner
  for (const r of rows) if (r.ownerId === feed.userId) r.ownerName = null;
  return buildFeed(rows, { name: feed.name, baseUrl, now });
}
