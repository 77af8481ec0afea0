import { DomainError } from '../shared/errors.ts';

/**
 * At most `concurrency` tasks at once, at most `queue` more waiting; past that a task is refused at once with
 * PASSWORD_CHECKS_BUSY (503, Retry-After) instead of piling up: argon2id costs ~19 MiB and tens of milliseconds of a
 * core per verification, so a flood of logins must not starve the API or exhaust memory.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {}

  get inFlight() {
    return this.running;
  }
  get queued() {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) {
        throw new DomainError(
          'PASSWORD_CHECKS_BUSY',
          'Too many logins are being checked right now; try again in a moment',
          { retryAfter: 1 },
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
