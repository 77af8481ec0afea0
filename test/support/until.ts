/**
 * Waits for what a user would see: asks `fn` again and again (every `everyMs`) until its answer is `ok`, or `ms` have
 * passed; answers the last answer either way, so the test's own assertion says what was seen. A bound on liveness,
 * never a speed goal.
 */
export async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000, everyMs = 200): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
