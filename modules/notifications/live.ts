/**
 * Notifications on the live stream: each new notification goes to its addressee's open streams only, as an SSE
 * event named `notification` carrying the notification as GET /notifications lists it. The API process's one LISTEN
 * connection (modules/timeline/live.ts) hands over the announcements of the `notifications` channel; their payload
 * `<id>:<userId>` names the addressee, so an announcement for a user with no stream in this process costs no query,
 * and those for users streaming here are read back in one query per batch.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { notificationsByIds, type NotificationView } from './queries.ts';

export { NOTIFICATIONS_CHANNEL } from './write.ts';

/** `<id>:<userId>` as modules/notifications/write.ts announces it, or null. */
export function parseAnnouncement(payload: string): { id: string; userId: string } | null {
  const m = /^(\d{1,18}):([0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12})$/i.exec(payload);
  return m ? { id: m[1], userId: m[2].toLowerCase() } : null;
}

/** The SSE message of a notification. It has no `id:` line: Last-Event-ID stays the resume point of record events. */
export const notificationMessage = (n: NotificationView) => `event: notification\ndata: ${JSON.stringify(n)}\n\n`;

/** Sent after the LISTEN connection was lost and is back: notifications made meanwhile were not pushed. */
export const NOTIFICATION_SYNC_MESSAGE = 'event: notification-sync\ndata: {}\n\n';

export class NotificationRelay<S> {
  private pending: string[] = [];
  private flushing: Promise<void> | null = null;

  /**
   * @param streamsOf the open streams of a user in this process
   * @param write writes a message to one stream (with the feed's back-pressure)
   */
  constructor(
    private readonly orm: MikroORM,
    private readonly streamsOf: (userId: string) => S[],
    private readonly write: (stream: S, message: string) => void,
  ) {}

  announce(payload: string) {
    const a = parseAnnouncement(payload);
    if (!a || !this.streamsOf(a.userId).length) return;
    this.pending.push(a.id);
    this.flushing ??= this.drain();
  }

  /** Announced together (one step's commit): read back in one query; those arriving meanwhile in the next. */
  private async drain() {
    await new Promise<void>((r) => setImmediate(r));
    try {
      while (this.pending.length) await this.flush(this.pending.splice(0));
    } finally {
      this.flushing = null;
    }
  }

  private async flush(ids: string[]) {
    try {
      const rows = await notificationsByIds(this.orm.em.fork(), ids);
      for (const { userId, ...view } of rows) {
        for (const s of this.streamsOf(userId)) this.write(s, notificationMessage(view));
      }
    } catch (e) {
      console.error('live: could not read back announced notifications', e);
    }
  }
}
