import pg from 'pg';
import type { MikroORM, EntityManager } from '@mikro-orm/postgresql';
import { canSee, type Viewer } from '../access/visibility.ts';
import { NOTIFICATION_SYNC_MESSAGE, NOTIFICATIONS_CHANNEL, NotificationRelay } from '../notifications/live.ts';
import { DomainError } from '../shared/errors.ts';
import { FEED_CHANNEL, FEED_SYNC_MESSAGE, FeedRelay } from '../feed/live.ts';
import type { RecordType } from './events.ts';
import { EVENTS_CHANNEL } from './write.ts';

/** What a browser receives for each committed event it may see (the `data:` line of an SSE `record` event). */
export interface StreamEvent {
  id: string;
  recordType: RecordType;
  recordId: string;
  kind: string;
  actorId: string | null;
  at: string;
  /** for contact events: the client the contact belongs to */
  clientId?: string;
}

/** Where a stream's bytes go: an HTTP response. */
export interface Sink {
  write(chunk: string): boolean;
  once(event: 'drain' | 'close', fn: () => void): unknown;
  end(): unknown;
}

export interface LiveOptions {
  /** streams one user may hold open in one API process */
  maxStreamsPerUser?: number;
  /** a comment line keeps proxies and the browser from timing an idle stream out */
  heartbeatMs?: number;
  /** events a slow reader may fall behind by before its stream is closed (it resumes with Last-Event-ID) */
  maxBacklog?: number;
  /** events replayed on resume before the stream asks the browser to reload instead */
  maxReplay?: number;
}

interface Subscriber {
  viewer: Viewer;
  sink: Sink;
  /** the highest event id sent, the resume point after a lost LISTEN connection */
  lastId: bigint;
  /** ids sent recently, so an event replayed and then also announced is sent once */
  recent: Set<string>;
  /** live events that arrive while a replay is running, sent after it */
  held: StreamEvent[] | null;
  /** events waiting for the sink to drain */
  backlog: string[];
  blocked: boolean;
  closed: boolean;
}

interface EventRow {
  id: string;
  record_type: RecordType;
  record_id: string;
  kind: string;
  actor_id: string | null;
  created_at: Date;
  owner_id: string | null;
  client_id: string | null;
}

/** Each event with the owner that decides who sees it: a contact is seen by whoever sees its client. */
const EVENT_SELECT = `
  select e.id::text as id, e.record_type, e.record_id, e.kind, e.actor_id, e.created_at,
         coalesce(d.owner_id, c.owner_id, cc.owner_id, ev.owner_id, pl.manager_id) as owner_id, ct.client_id
  from record_events e
  left join deals d on e.record_type = 'deal' and d.id = e.record_id
  left join clients c on e.record_type = 'client' and c.id = e.record_id
  left join contacts ct on e.record_type = 'contact' and ct.id = e.record_id
  left join clients cc on cc.id = ct.client_id
  left join calendar_events ev on e.record_type = 'event' and ev.id = e.record_id
  left join plans pl on e.record_type = 'plan' and pl.id = e.record_id`;

const RECENT = 2000;

/** The channel the regulation_tasks trigger announces on (migration 20261130094000), and the SSE event it becomes. */
const TASKS_CHANNEL = 'regulation_tasks';
const TASKS_MESSAGE = 'event: tasks\ndata: {}\n\n';

/**
 * Live push of committed events to the browsers allowed to see them. One LISTEN connection per API process (not
 * per browser) receives the ids NOTIFY announces on commit; each batch of ids is read back from record_events in
 * one query and sent to every open stream whose user may see the record (modules/access/visibility.ts decides).
 *
 * Ids are taken when an event is written but become visible when its transaction commits, so they can commit out
 * of order: 41 can commit after 42. Live, that only changes the order of delivery. On resume (Last-Event-ID L) a
 * plain `id > L` would lose such a 41, so the replay also takes the events below L written by transactions that
 * were still running when L was written (their xid is at least L's snapshot xmin, kept in tx_xmin). Those few may
 * have been sent before: events are at-least-once, and a client drops an id it has seen.
 *
 * The same connection also listens on the `notifications` channel: each new notification goes to the streams of its
 * addressee only (modules/notifications/live.ts), as `event: notification`; and on the `feed` channel: each new post
 * or comment goes to the streams of those who may read it (modules/feed/live.ts), as `event: feed`; and on the
 * `regulation_tasks` channel: any change to the task inbox becomes `event: tasks`, and each browser reads its counts.
 */

export class LiveFeed {
  private listener: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly subs = new Set<Subscriber>();
  private pending: string[] = [];
  private flushing: Promise<void> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly opts: Required<LiveOptions>;
  private readonly notifications: NotificationRelay<Subscriber>;
  private readonly feed: FeedRelay<Subscriber>;

  constructor(
    private readonly databaseUrl: string,
    private readonly orm: MikroORM,
    opts: LiveOptions = {},
  ) {
    this.opts = { maxStreamsPerUser: 5, heartbeatMs: 20_000, maxBacklog: 500, maxReplay: 5000, ...opts };
    this.notifications = new NotificationRelay(
      orm,
      (userId) => [...this.subs].filter((s) => s.viewer.id === userId && !s.closed),
      (sub, message) => this.write(sub, message),
    );
    this.feed = new FeedRelay(
      orm,
      () => [...this.subs].filter((s) => !s.closed).map((s) => ({ stream: s, viewer: s.viewer })),
      (sub, message) => this.write(sub, message),
    );
  }

  /** Open streams, for tests and metrics. */
  get size() {
    return this.subs.size;
  }

  /**
   * Starts streaming to `sink` for `viewer`, first replaying what they missed after `lastEventId`.
   * Throws TOO_MANY_STREAMS before writing anything when the user has too many streams open.
   */
  async subscribe(viewer: Viewer, sink: Sink, lastEventId: string | null, start: () => void): Promise<void> {
    if ([...this.subs].filter((s) => s.viewer.id === viewer.id).length >= this.opts.maxStreamsPerUser) {
      throw new DomainError(
        'TOO_MANY_STREAMS',
        `At most ${this.opts.maxStreamsPerUser} live streams per user; close another tab`,
        { limit: this.opts.maxStreamsPerUser },
      );
    }
    await this.listen();
    const resume = lastEventId && /^\d{1,19}$/.test(lastEventId) ? BigInt(lastEventId) : null;
    // a new stream starts from now: should the LISTEN connection break, it catches up from here
    const [{ max }] =
      resume !== null
        ? [{ max: '0' }]
        : await this.orm.em
            .fork()
            .getConnection()
            .execute<{ max: string }[]>('select coalesce(max(id), 0)::text as max from record_events');
    const sub: Subscriber = {
      viewer,
      sink,
      lastId: resume ?? BigInt(max),
      recent: new Set(),
      held: resume !== null ? [] : null,
      backlog: [],
      blocked: false,
      closed: false,
    };
    this.subs.add(sub);
    sink.once('close', () => this.drop(sub));
    start();
    sink.write('retry: 3000\n\n');
    if (resume !== null) await this.replay(sub, resume);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const s of this.subs) this.end(s);
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => {});
  }

  private async listen(): Promise<void> {
    if (this.listener) return;
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.databaseUrl });
      client.on('notification', (msg) => {
        if (!msg.payload) return;
        if (msg.channel === TASKS_CHANNEL) this.tasksChanged();
        else if (msg.channel === NOTIFICATIONS_CHANNEL) this.notifications.announce(msg.payload);
        else if (msg.channel === FEED_CHANNEL) this.feed.announce(msg.payload);
        else this.announce(msg.payload);
      });
      client.on('error', () => this.lost(client));
      client.on('end', () => this.lost(client));
      await client.connect();
      await client.query(
        `listen ${EVENTS_CHANNEL}; listen ${NOTIFICATIONS_CHANNEL}; listen ${TASKS_CHANNEL}; listen ${FEED_CHANNEL}`,
      );
      this.listener = client;
      this.heartbeat ??= setInterval(() => this.beat(), this.opts.heartbeatMs);
      this.heartbeat.unref();
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private tasksTimer: NodeJS.Timeout | null = null;
  /**
   * The task inbox changed (a task opened, claimed or done, announced by a trigger on regulation_tasks): every stream
   * is told, at most every 250 ms, and the browsers read their task counts again. It carries nothing: what each user
   * may see is for GET /tasks to say.
   */
  private tasksChanged() {
    this.tasksTimer ??= setTimeout(() => {
      this.tasksTimer = null;
      for (const s of this.subs) if (!s.closed) this.write(s, TASKS_MESSAGE);
    }, 250);
  }

  /** The LISTEN connection broke: reconnect, then let every stream catch up from its last id (nothing is lost). */
  private lost(client: pg.Client) {
    if (this.listener !== client || this.closed) return;
    this.listener = null;
    client.removeAllListeners('end');
    void client.end().catch(() => {});
    const retry = async (delay: number): Promise<void> => {
      if (this.closed) return;
      await new Promise((r) => setTimeout(r, delay));
      try {
        await this.listen();
      } catch {
        return retry(Math.min(delay * 2, 10_000));
      }
      for (const s of this.subs) {
        s.held = [];
        void this.replay(s, s.lastId);
        // notifications announced meanwhile were missed: the browser reads its count again
        this.write(s, NOTIFICATION_SYNC_MESSAGE);
        this.write(s, TASKS_MESSAGE);
        // and so were new posts and comments: the browser reads the feed again
        this.write(s, FEED_SYNC_MESSAGE);
      }
    };
    void retry(200);
  }

  private announce(id: string) {
    this.pending.push(id);
    // ids announced together (one commit, or commits close in time) are read back in one query
    this.flushing ??= new Promise<void>((r) => setImmediate(r))
      .then(() => this.flush())
      .finally(() => {
        this.flushing = null;
        if (this.pending.length) this.announce(this.pending.pop()!);
      });
  }

  private async flush() {
    const ids = this.pending.splice(0);
    if (!ids.length || !this.subs.size) return;
    try {
      const em = this.orm.em.fork();
      const rows = await em
        .getConnection()
        .execute<EventRow[]>(`${EVENT_SELECT} where e.id = any(?::bigint[]) order by e.id`, [`{${ids.join(',')}}`]);
      await this.refreshViewers(em);
      await this.deliver(em, [...this.subs], rows, true);
    } catch (e) {
      console.error('live: could not read back announced events', e);
    }
  }

  /** A user who was disabled meanwhile loses their streams; a changed role applies from the next event. */
  private async refreshViewers(em: EntityManager) {
    const ids = [...new Set([...this.subs].map((s) => s.viewer.id))];
    if (!ids.length) return;
    const rows = await em
      .getConnection()
      .execute<{ id: string; role: string }[]>(
        'select id, role from users where id = any(?::uuid[]) and disabled_at is null',
        [`{${ids.join(',')}}`],
      );
    const role = new Map(rows.map((r) => [r.id, r.role]));
    for (const s of this.subs) {
      const r = role.get(s.viewer.id);
      if (r === undefined) this.end(s);
      else s.viewer = { ...s.viewer, role: r };
    }
  }

  private async deliver(em: EntityManager, subs: Subscriber[], rows: EventRow[], live: boolean) {
    const seen = new Map<string, boolean>();
    for (const row of rows) {
      if (!row.owner_id) continue;
      const event: StreamEvent = {
        id: row.id,
        recordType: row.record_type,
        recordId: row.record_id,
        kind: row.kind,
        actorId: row.actor_id,
        at: new Date(row.created_at).toISOString(),
        ...(row.client_id ? { clientId: row.client_id } : {}),
      };
      const type = row.record_type === 'contact' ? 'client' : row.record_type;
      const record = { id: row.client_id ?? row.record_id, ownerId: row.owner_id };
      for (const s of subs) {
        if (s.closed) continue;
        const key = `${s.viewer.id}:${s.viewer.role}:${type}:${record.id}`;
        let may = seen.get(key);
        if (may === undefined) {
          may = await canSee(em, s.viewer, type, record);
          seen.set(key, may);
        }
        if (!may) continue;
        if (live && s.held) s.held.push(event);
        else this.send(s, event);
      }
    }
  }

  /** Sends what the subscriber missed after `after` (see the class comment), then what arrived meanwhile. */
  private async replay(sub: Subscriber, after: bigint) {
    try {
      const em = this.orm.em.fork();
      const conn = em.getConnection();
      const [mark] = await conn.execute<{ tx_xmin: string }[]>(
        'select tx_xmin::text as tx_xmin from record_events where id = ?',
        [after.toString()],
      );
      let cursor = after;
      let sent = 0;
      for (;;) {
        const late = mark && cursor === after ? ` or (e.id < ${after} and e.tx_id >= '${mark.tx_xmin}'::xid8)` : '';
        const rows = await conn.execute<EventRow[]>(`${EVENT_SELECT} where e.id > ?${late} order by e.id limit 500`, [
          cursor.toString(),
        ]);
        await this.deliver(em, [sub], rows, false);
        sent += rows.length;
        if (rows.length < 500 || sub.closed) break;
        cursor = BigInt(rows[rows.length - 1].id);
        if (sent >= this.opts.maxReplay) {
          // too far behind to catch up event by event: the browser reloads what it shows
          sub.sink.write('event: reset\ndata: {}\n\n');
          break;
        }
      }
    } catch (e) {
      console.error('live: replay failed', e);
      this.end(sub);
      return;
    }
    const held = sub.held ?? [];
    sub.held = null;
    for (const e of held) this.send(sub, e);
  }

  private send(sub: Subscriber, event: StreamEvent) {
    if (sub.closed || sub.recent.has(event.id)) return;
    sub.recent.add(event.id);
    if (sub.recent.size > RECENT) sub.recent.delete(sub.recent.values().next().value!);
    const id = BigInt(event.id);
    if (id > sub.lastId) sub.lastId = id;
    this.write(sub, `id: ${event.id}\nevent: record\ndata: ${JSON.stringify(event)}\n\n`);
  }

  /** Writes with back-pressure: a reader that does not keep up is closed and resumes from its last id. */
  private write(sub: Subscriber, chunk: string) {
    if (sub.blocked) {
      sub.backlog.push(chunk);
      if (sub.backlog.length > this.opts.maxBacklog) this.end(sub);
      return;
    }
    if (!sub.sink.write(chunk)) {
      sub.blocked = true;
      sub.sink.once('drain', () => {
        sub.blocked = false;
        const waiting = sub.backlog.splice(0);
        for (const c of waiting) this.write(sub, c);
      });
    }
  }

  private beat() {
    for (const s of this.subs) if (!s.blocked) s.sink.write(': heartbeat\n\n');
  }

  private end(sub: Subscriber) {
    if (sub.closed) return;
    this.drop(sub);
    sub.sink.end();
  }

  private drop(sub: Subscriber) {
    sub.closed = true;
    this.subs.delete(sub);
  }
}
