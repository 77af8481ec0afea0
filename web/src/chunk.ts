import { useEffect, useState } from 'react';
import { useAfterFirstPaint } from './after-paint.js';

/** A chunk's loader: loads it once (a failed load is tried again on the next call); `loaded` holds it once there. */
export interface Chunk<M> {
  (): Promise<M>;
  loaded: M | null;
}
export function chunk<M>(load: () => Promise<M>): Chunk<M> {
  let p: Promise<M> | null = null;
  const get: Chunk<M> = Object.assign(
    () =>
      (p ??= load().then(
        (m) => (get.loaded = m),
        (e: unknown) => {
          p = null;
          throw e;
        },
      )),
    { loaded: null as M | null },
  );
  return get;
}

/**
 * A part of the page in its own chunk, drawn once its chunk is there (null until then: the caller draws a stand-in).
 * Unlike React.lazy under Suspense, it shows no fallback: React holds back the content of a Suspense boundary that
 * has just shown its fallback for a while, and with it the whole page it is on. `afterFirstPaint`: a part the app's
 * first frame goes without is asked for once that frame has been painted (after-paint.ts).
 */
export function useChunk<M>(load: Chunk<M>, opts: { afterFirstPaint?: boolean } = {}): M | null {
  const [m, setM] = useState<M | null>(load.loaded);
  const wanted = useAfterFirstPaint() || !opts.afterFirstPaint;
  useEffect(() => {
    if (m || !wanted) return;
    let live = true;
    load().then(
      (x) => {
        if (live) setM(x);
      },
      () => {
        /* offline: the stand-in stays, the next visit tries again */
      },
    );
    return () => {
      live = false;
    };
  }, [load, m, wanted]);
  return m;
}
