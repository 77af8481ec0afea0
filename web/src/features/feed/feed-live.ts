/**
 * Live feed inside the page: web/src/live.ts hands each `feed` event the stream brings (in the tab holding the stream,
 * and relayed to the other tabs) to the feed as a window event; `feed-sync` (posts may have been missed) as another.
 * The shell's unread count and the feed page listen, so neither needs a stream of its own.
 */
const EVENT = 'dealflow:feed';

export interface FeedLiveEvent {
  kind: 'post' | 'comment';
  postId: string;
  commentId: string | null;
  authorId: string | null;
  systemKind: string | null;
  at: string;
}

/** Called by live.ts with the `data` of an SSE `feed` event, or null for `feed-sync` (read everything again). */
export function announceFeed(data: string | null) {
  let event: FeedLiveEvent | null = null;
  if (data !== null) {
    try {
      event = JSON.parse(data) as FeedLiveEvent;
    } catch {
      return;
    }
  }
  window.dispatchEvent(new CustomEvent<FeedLiveEvent | null>(EVENT, { detail: event }));
}

/** fn(event), or fn(null) when the feed should be read again as a whole. */
export function onLiveFeed(fn: (e: FeedLiveEvent | null) => void): () => void {
  const listener = (e: Event) => fn((e as CustomEvent<FeedLiveEvent | null>).detail);
  window.addEventListener(EVENT, listener);
  return () => window.removeEventListener(EVENT, listener);
}
