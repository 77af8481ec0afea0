/**
 * Live notifications inside the page: web/src/live.ts hands each one the stream brings (in the tab holding the
 * stream, and relayed to the other tabs) to the notification centre as a window event, so the centre needs no stream
 * of its own.
 */
import type { AppNotification } from '../../api.js';

const EVENT = 'dealflow:notification';
const SYNC = 'dealflow:notification-sync';

export interface LiveNotification {
  notification: AppNotification;
  /** this tab holds the stream: it shows the desktop notification, the other tabs do not */
  leader: boolean;
}

/** Called by live.ts with the `data` of an SSE `notification` event. */
export function announceNotification(data: string, leader: boolean) {
  let notification: AppNotification;
  try {
    notification = JSON.parse(data) as AppNotification;
  } catch {
    return;
  }
  window.dispatchEvent(new CustomEvent<LiveNotification>(EVENT, { detail: { notification, leader } }));
}

/** The stream (re)opened: notifications made meanwhile were not pushed, so the centre reads its count again. */
export function announceNotificationSync() {
  window.dispatchEvent(new Event(SYNC));
}

export function onLiveNotification(fn: (n: LiveNotification) => void): () => void {
  const listener = (e: Event) => fn((e as CustomEvent<LiveNotification>).detail);
  window.addEventListener(EVENT, listener);
  return () => window.removeEventListener(EVENT, listener);
}

export function onNotificationSync(fn: () => void): () => void {
  window.addEventListener(SYNC, fn);
  return () => window.removeEventListener(SYNC, fn);
}
