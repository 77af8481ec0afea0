import type { Session } from '../support/harness.ts';

export interface SseMessage {
  id: string | null;
  event: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, read like a response body
  data: any;
}

/** A browser's EventSource, as far as a test needs it: reads GET /stream of one session and parses its messages. */
/** `inQuery`: the last id goes in `?lastEventId=`, as a new EventSource sends it (it cannot set the header). */
export async function openStream(s: Session, lastEventId?: string, baseUrl = s.baseUrl, inQuery = false) {
  const ctrl = new AbortController();
  const headers: Record<string, string> = { cookie: s.cookie, accept: 'text/event-stream' };
  if (lastEventId && !inQuery) headers['last-event-id'] = lastEventId;
  const query = lastEventId && inQuery ? `?lastEventId=${encodeURIComponent(lastEventId)}` : '';
  const res = await fetch(`${baseUrl}/api/v1/stream${query}`, { headers, signal: ctrl.signal });
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  let waiters: (() => void)[] = [];
  let ended = false;
  if (res.ok && res.body) {
    void (async () => {
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const msg: SseMessage = { id: null, event: 'message', data: null };
            let isMessage = false;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) comments.push(line);
              else if (line.startsWith('id: ')) {
                msg.id = line.slice(4);
                isMessage = true;
              } else if (line.startsWith('event: ')) {
                msg.event = line.slice(7);
                isMessage = true;
              } else if (line.startsWith('data: ')) {
                msg.data = JSON.parse(line.slice(6));
                isMessage = true;
              }
            }
            if (isMessage) messages.push(msg);
          }
          for (const w of waiters) w();
        }
      } catch {
        /* aborted */
      }
      ended = true;
      for (const w of waiters) w();
    })();
  }
  return {
    status: res.status,
    headers: res.headers,
    body: res.ok ? null : await res.json(),
    messages,
    comments,
    get ended() {
      return ended;
    },
    /** waits until a message matches, or fails after timeoutMs */
    async next(match: (m: SseMessage) => boolean, timeoutMs = 10_000): Promise<SseMessage> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(match);
        if (found) return found;
        if (ended) throw new Error(`stream ended; got ${JSON.stringify(messages)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(messages)}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
        waiters = [];
      }
    },
    close: () => ctrl.abort(),
  };
}
