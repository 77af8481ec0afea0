/**
 * The browsers of the feed fan-out bench (scripts/bench-feed.ts), in a worker thread of their own so that reading a
 * thousand streams does not share the API's event loop: opens the streams it is given and reports, for each
 * `event: feed` of a new post, the post and when it arrived (performance.timeOrigin + now, comparable across threads).
 */
import { parentPort, workerData } from 'node:worker_threads';

const { baseUrl, cookies } = workerData as { baseUrl: string; cookies: string[] };
const controllers: AbortController[] = [];
let pending: [string, number][] = [];
let flushing = false;

function report(postId: string) {
  pending.push([postId, performance.timeOrigin + performance.now()]);
  if (flushing) return;
  flushing = true;
  setImmediate(() => {
    flushing = false;
    parentPort!.postMessage({ type: 'arrived', items: pending });
    pending = [];
  });
}

async function open(cookie: string) {
  const ctrl = new AbortController();
  controllers.push(ctrl);
  const res = await fetch(`${baseUrl}/api/v1/stream`, {
    headers: { cookie, accept: 'text/event-stream' },
    signal: ctrl.signal,
  });
  if (!res.ok || !res.body) throw new Error(`stream: ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!block.startsWith('event: feed\n')) continue;
          const data = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { postId: string; kind: string };
          if (data.kind === 'post') report(data.postId);
        }
      }
    } catch {
      /* closed */
    }
  })();
}

for (const c of cookies) await open(c);
parentPort!.postMessage({ type: 'open' });
parentPort!.on('message', (m: { type: string }) => {
  if (m.type === 'close') {
    for (const c of controllers) c.abort();
    parentPort!.postMessage({ type: 'closed' });
  }
});
