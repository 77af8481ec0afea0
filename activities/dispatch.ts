/**
 * The dispatcher: delivers scheduled notifications (a calendar event's reminders, handed over hours ahead) when they
 * fall due, many per transaction (modules/notifications/scheduled.ts `deliverDue`). One long-running activity per
 * dispatcher workflow (workflows/dispatch.ts), heartbeating: it sleeps until the next row is due (looking again at
 * least every POLL_MS, for rows planned meanwhile), takes what is due in batches, and stops when the worker shuts
 * down (the batch in flight commits or rolls back whole) or when its run is over — not when Temporal misses its
 * heartbeat, so delivery goes on while the Temporal server is overloaded. Several dispatchers share the rows
 * (`for update skip locked`), so a burst is delivered by all of them at once.
 */
import { Context } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { deliverDue, nextScheduledAt } from '../modules/notifications/scheduled.ts';
import type { AfterNotify } from './events.ts';

/** Rows per transaction. */
export const BATCH = 500;
/** How often an idle dispatcher looks for rows planned since it last looked. */
export const POLL_MS = 500;
/** How long the dispatcher waits after its database failed before it tries again. */
const RETRY_MS = 1000;
/** The shortest wait when nothing was taken: rows due but held by another dispatcher are its to deliver. */
const HELD_MS = 20;

export function createDispatchActivities({
  orm,
  afterNotify,
  shuttingDown = () => false,
}: {
  orm: MikroORM;
  afterNotify?: AfterNotify;
  /** the worker is shutting down (looked at every round: an activity's cancellation comes once, and a missed
   * heartbeat may have spent it) */
  shuttingDown?: () => boolean;
}) {
  /** per dispatcher workflow, how to stop its attempt running in this process (a retry takes over from it) */
  const running = new Map<string, () => void>();
  return {
    /** Delivers due scheduled notifications for `runForMs`, or until cancelled; answers how many it delivered. */
    async dispatchScheduled({ runForMs }: { runForMs: number }): Promise<{ delivered: number }> {
      const ctx = Context.current();
      const end = Date.now() + runForMs;
      let delivered = 0;
      let stopped = false;
      let wake: (() => void) | null = null;
      const stop = () => {
        stopped = true;
        wake?.();
      };
      ctx.cancelled.catch((err: unknown) => {
        // a missed heartbeat (the server busy, or this process starved) does not stop delivery: the server's retry
        // takes over from this attempt when it lands in this process, and elsewhere runs beside it, which is harmless
        // (rows are taken with skip locked) until this one's run ends
        const reason = err instanceof Error ? err.message : '';
        if (reason === 'TIMED_OUT' || reason === 'NOT_FOUND') return;
        stop();
      });
      const dispatcher = ctx.info.workflowExecution?.workflowId ?? ctx.info.activityType;
      running.get(dispatcher)?.();
      running.set(dispatcher, stop);
      const pause = (ms: number) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            wake = null;
            resolve();
          }, ms);
          wake = () => {
            clearTimeout(timer);
            wake = null;
            resolve();
          };
        });
      while (!stopped && !shuttingDown() && Date.now() < end) {
        ctx.heartbeat();
        let wait: number;
        try {
          const em = orm.em.fork();
          const { taken, ids } = await deliverDue(em, Date.now(), BATCH);
          delivered += ids.length;
          if (ids.length && afterNotify) await afterNotify(ids).catch(() => undefined);
          if (taken === BATCH) continue; // more may be due already
          const next = await nextScheduledAt(em);
          wait = next === null ? POLL_MS : Math.min(POLL_MS, Math.max(taken ? 0 : HELD_MS, next - Date.now()));
        } catch (err) {
          ctx.log.warn('Scheduled notifications could not be delivered; trying again', { error: String(err) });
          wait = RETRY_MS;
        }
        if (wait > 0) await pause(Math.min(wait, Math.max(0, end - Date.now())));
      }
      if (running.get(dispatcher) === stop) running.delete(dispatcher);
      return { delivered };
    },
  };
}
