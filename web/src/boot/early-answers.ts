/**
 * Answers to the boot's reads, asked for by the early boot script (early.ts, a classic script in the page's head) while
 * the app's code is still loading, and taken once by the app's first request for the same path (api.ts `request`).
 */

/** What a read answered: enough of the response to read it as the app reads any other. */
export interface EarlyAnswer {
  ok: boolean;
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
}
/** By path under /api/v1; null when the request failed (the app asks again). */
export type EarlyAnswers = Record<string, Promise<EarlyAnswer | null>>;

export const EARLY_GLOBAL = '__dealflowEarly';

const answers = (): EarlyAnswers | undefined =>
  (window as unknown as Record<string, EarlyAnswers | undefined>)[EARLY_GLOBAL];

/** The early answer for a path, once: the next read of that path asks the server. */
export function takeEarlyAnswer(path: string): Promise<EarlyAnswer | null> | undefined {
  const all = answers();
  const p = all?.[path];
  if (p) delete all[path];
  return p;
}

/** Once the app is drawn, answers not taken are dropped: a later read must not get what the server said at boot. */
export function dropEarlyAnswers() {
  const all = answers();
  if (all) for (const k of Object.keys(all)) delete all[k];
}
