/**
 * What the first paint does not need waits for it: the counts beside the navigation's entries, the board filters'
 * controls and lists, and the like start once the browser has painted the app's first frame. Mounted in that first
 * frame, their reads and chunks would run in the very task that draws it (a query that starts fetching as it mounts
 * makes React render again before the browser may paint), and the first cards would show that much later.
 */
import { useEffect, useState } from 'react';

let painted = false;
let waiting: (() => void)[] | null = null;

/** Calls `fn` once the app's first frame has been painted (at once, when it has been). */
export function afterFirstPaint(fn: () => void) {
  if (painted) return fn();
  if (!waiting) {
    waiting = [];
    const done = () => {
      if (painted) return;
      painted = true;
      const fns = waiting ?? [];
      waiting = null;
      fns.forEach((f) => f());
    };
    // the next frame is painted, then this task runs; a hidden tab paints no frames: a timer instead
    requestAnimationFrame(() => setTimeout(done, 0));
    setTimeout(done, 1000);
  }
  waiting.push(fn);
}

/** False while the app's first frame is being drawn, true once it has been painted. */
export function useAfterFirstPaint(): boolean {
  const [ok, setOk] = useState(painted);
  useEffect(() => {
    if (ok) return;
    let live = true;
    afterFirstPaint(() => {
      if (live) setOk(true);
    });
    return () => {
      live = false;
    };
  }, [ok]);
  return ok;
}
