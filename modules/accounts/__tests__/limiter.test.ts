import { describe, expect, it } from 'vitest';
import { Limiter } from '../limiter.ts';

describe('limiter', () => {
  it('runs at most `concurrency` tasks at once, queues `queue` more and refuses the rest at once', async () => {
    const l = new Limiter(2, 3);
    let now = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const task = () =>
      l.run(async () => {
        now++;
        peak = Math.max(peak, now);
        await new Promise<void>((r) => releases.push(r));
        now--;
        return 'done';
      });
    const accepted = Array.from({ length: 5 }, task);
    await expect(task()).rejects.toMatchObject({ code: 'PASSWORD_CHECKS_BUSY', details: { retryAfter: 1 } });
    expect(l.inFlight).toBe(2);
    expect(l.queued).toBe(3);
    while (releases.length || l.inFlight) {
      releases.shift()?.();
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(await Promise.all(accepted)).toEqual(Array(5).fill('done'));
    expect(peak).toBe(2);
    expect(l.inFlight).toBe(0);
  });

  it('frees its slot when a task fails', async () => {
    const l = new Limiter(1, 0);
    await expect(l.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await l.run(() => Promise.resolve(1))).toBe(1);
  });
});
