/**
 * The workflow side of every workflow-backed record (a deal, later a calendar event, a revenue plan, a regulation
 * instance): one long-running workflow per record whose Updates change it. The record brings its state, its rules
 * (validators) and its writes (activities); this class brings the rest, in the manner of Temporal's
 * safe-message-handlers sample (state and handlers in one class, the main function waits for handlers to finish):
 *
 * - one write at a time, in arrival order: a command arriving while another is written waits for it (briefly),
 *   then is checked again against the state that write left;
 * - a write that failed is given up by its opId (`abandon`), so a command reported as failed never commits later;
 * - the create window: a run started for a new record whose create never arrives ends itself;
 * - continue-as-new after a budget of handled Updates, once every handler has finished.
 *
 * Deterministic: no I/O but the activities the record passes in.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  setHandler,
  workflowInfo,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Duration, UpdateDefinition } from '@temporalio/common';
import { KitFailure, type KitCommand, type RecordCodes, type Versioned } from '../../modules/kit/contract.ts';

/** Handled Updates after which a run continues as new, well below Temporal's 2,000-Update and history limits. */
export const UPDATES_PER_RUN = 500;

/** How long a workflow started for a new record waits for the create Update before it ends itself. */
export const CREATE_WINDOW: Duration = '2 minutes';

/** How long a command waits for the write ahead of it before it is answered `<RECORD>_BUSY`. */
export const QUEUE_WAIT: Duration = '3 seconds';

/** Failures of a write that retrying cannot mend, for every record. */
export const KIT_FINAL_FAILURES: string[] = [KitFailure.versionConflict, KitFailure.invalidData, KitFailure.abandoned];

/**
 * Activity options for a record's writes: every attempt together stays inside the command layer's 10 s deadline,
 * and failures that retrying cannot mend are not retried.
 */
export const writeActivityOptions = (finalFailures: string[]): ActivityOptions => ({
  startToCloseTimeout: '5 seconds',
  scheduleToCloseTimeout: '8 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '2 seconds', nonRetryableErrorTypes: finalFailures },
});

/**
 * The same for a write run as a local activity (in the workflow task that accepted the command). Its attempts stay
 * in the worker: a write whose task is lost after it committed is run again by the task's retry, finds its opId
 * claimed and returns the same version without writing twice.
 */
export const localWriteOptions = (finalFailures: string[]): LocalActivityOptions => ({
  startToCloseTimeout: '5 seconds',
  scheduleToCloseTimeout: '8 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '2 seconds', nonRetryableErrorTypes: finalFailures },
});

/** Fails an Update (or rejects it, from a validator) with a typed failure the command layer maps to a DomainError. */
export const fail = (type: string, message: string, details?: unknown): never => {
  throw ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? [] : [details],
  });
};

export interface EntityOptions<S extends Versioned> {
  state: S;
  /** false until the create Update has written the record to Postgres */
  created: boolean;
  /** Updates handled by earlier runs of this chain, carried across continue-as-new */
  handledTotal?: number;
  updatesPerRun?: number;
  createWindow?: string;
  codes: RecordCodes;
  /** failures of the record's writes that retrying cannot mend (KIT_FINAL_FAILURES and the record's own) */
  finalFailures: string[];
  /** activity: the record as Postgres holds it now, or null */
  load(): Promise<S | null>;
  /** activity: gives a command up by its opId; answers whether a write of it committed first after all */
  abandon(opId: string): Promise<'applied' | 'abandoned'>;
}

/** What a record's write answers: the version written, and whatever else the record's write returns. */
export interface Written {
  version: number;
}

/** What a change command of a record declares: its rule, the state it leads to, and its write. */
export interface ChangeSpec<S, C, W extends Written = Written> {
  /** the record's rule, run by the Update's validator and again when the command waited for a write ahead of it */
  check?(state: S, cmd: C): void;
  /** the state after the change, as the workflow will hold it once written */
  apply(state: S, cmd: C): S;
  /**
   * the activity writing the change, from the version the workflow holds; returns the version written (and, for
   * the answer, what else the write returns: e.g. the record as written, so the caller need not read it back)
   */
  write(cmd: C, fromVersion: number, before: S, next: S): Promise<W>;
}

export class Entity<S extends Versioned, R, W extends Written = Written> {
  state: S;
  created: boolean;
  /** a write is in flight: later commands queue behind it */
  busy = false;
  handledThisRun = 0;
  readonly handledBefore: number;
  /** opIds of commands waiting for the write ahead of them, in arrival order */
  private readonly queue: string[] = [];
  /** the opId of the create being written; a retry of the create waits for it instead of being refused */
  private creating: string | null = null;

  constructor(
    private readonly opts: EntityOptions<S>,
    /** an Update's answer: the state, and what this command's write returned when it wrote it just now */
    private readonly resultOf: (state: S, written?: W) => R,
  ) {
    this.state = opts.state;
    this.created = opts.created;
    this.handledBefore = opts.handledTotal ?? 0;
  }

  get handledTotal(): number {
    return this.handledBefore + this.handledThisRun;
  }
  get codes(): RecordCodes {
    return this.opts.codes;
  }

  /** What every change command must meet: the record exists, and the versions the command was made from hold. */
  checkCommon(cmd: KitCommand): void {
    if (!this.created) fail(this.codes.notFound, 'This record does not exist');
    if (cmd.storedVersion !== undefined && cmd.storedVersion !== this.state.version) {
      fail(
        this.codes.stale,
        `This workflow holds version ${this.state.version} of a record stored at ${cmd.storedVersion}`,
        { currentVersion: this.state.version },
      );
    }
    if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== this.state.version) {
      fail(
        KitFailure.versionConflict,
        `Changed meanwhile (version ${this.state.version}, expected ${cmd.expectedVersion})`,
        { currentVersion: this.state.version },
      );
    }
  }

  /**
   * A write that failed for good fails the Update with its own type; when the row has moved on from the version
   * this workflow holds, the workflow adopts what Postgres has first. A write that failed otherwise (Postgres
   * unreachable, timed out) is given up by its opId, so that no late attempt can commit after the failure is
   * reported; if one committed first after all, the change stands and the Update succeeds with the stored state.
   */
  async failedWrite(err: unknown, opId: string): Promise<S> {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (cause instanceof ApplicationFailure && cause.type && this.opts.finalFailures.includes(cause.type)) {
      if (cause.type === KitFailure.versionConflict) {
        const stored = await this.opts.load();
        if (stored) this.state = stored;
      }
      return fail(cause.type, cause.message, { currentVersion: this.state.version });
    }
    let outcome: 'applied' | 'abandoned';
    try {
      outcome = await this.opts.abandon(opId);
    } catch {
      return fail(
        KitFailure.outcomeUnknown,
        'The change could not be confirmed: it may or may not have been applied. Reload before trying again',
      );
    }
    if (outcome === 'abandoned') {
      return fail(KitFailure.abandoned, 'The change could not be written; nothing was changed, try again shortly');
    }
    const stored = await this.opts.load();
    if (!stored) return fail(KitFailure.outcomeUnknown, 'The change was written but could not be read back; reload');
    return stored;
  }

  /** Waits, in arrival order, for the write ahead of this command; false when it waited too long. */
  private async turn(opId: string): Promise<boolean> {
    this.queue.push(opId);
    const mine = await condition(() => !this.busy && this.queue[0] === opId, QUEUE_WAIT);
    this.queue.splice(this.queue.indexOf(opId), 1);
    return mine;
  }

  /**
   * Registers a change command: validator = the common checks and the record's rule; handler = wait for the
   * write ahead (if any), check again, write, adopt the new state.
   */
  onChange<C extends KitCommand>(update: UpdateDefinition<R, [C]>, spec: ChangeSpec<S, C, W>): void {
    const check = (cmd: C) => {
      this.checkCommon(cmd);
      spec.check?.(this.state, cmd);
    };
    setHandler(
      update,
      async (cmd) => {
        if (this.busy) {
          // the command was checked against the state before the write ahead of it: wait, then check it again
          if (!(await this.turn(cmd.opId))) fail(this.codes.busy, 'Another change is being written; try again');
          try {
            // the row moved on with this workflow's own write: what the command was made from is checked again,
            // the version the user saw (expectedVersion) still holds
            check({ ...cmd, storedVersion: undefined });
          } catch (err) {
            this.handledThisRun++;
            throw err;
          }
        }
        this.busy = true;
        try {
          const before = this.state;
          const next = spec.apply(before, cmd);
          let written: W | undefined;
          this.state = await spec.write(cmd, before.version, before, next).then(
            (w) => {
              written = w;
              return { ...next, version: w.version };
            },
            (err) => this.failedWrite(err, cmd.opId),
          );
          return this.resultOf(this.state, written);
        } finally {
          this.busy = false;
          this.handledThisRun++;
        }
      },
      {
        validator: (cmd: C) => {
          if (!this.created) fail(this.codes.notFound, 'This record does not exist');
          // while a write is in flight the command is accepted and checked when its turn comes: refusing it here
          // would race the write's completion against a speculative workflow task
          if (this.busy) return;
          check(cmd);
        },
      },
    );
  }

  /**
   * Registers the create command. The write returns the record as Postgres holds it: a retry whose earlier
   * attempt did write gets that record, not its own body.
   */
  onCreate<C extends { opId: string }>(
    update: UpdateDefinition<R, [C]>,
    spec: {
      check(cmd: C): void;
      write(cmd: C): Promise<S>;
    },
  ): void {
    setHandler(
      update,
      async (cmd) => {
        if (this.created) return this.resultOf(this.state);
        if (this.creating) {
          await condition(() => this.creating === null);
          if (this.created) return this.resultOf(this.state);
          return fail(this.codes.notFound, 'The record could not be created; try again');
        }
        this.creating = cmd.opId;
        this.busy = true;
        try {
          this.state = await spec.write(cmd).catch((err) => this.failedWrite(err, cmd.opId));
          this.created = true;
          return this.resultOf(this.state);
        } finally {
          this.creating = null;
          this.busy = false;
          this.handledThisRun++;
        }
      },
      {
        validator: (cmd: C) => {
          if (this.created || this.creating) return;
          spec.check(cmd);
        },
      },
    );
  }

  /** Registers the resync command: the workflow reloads the record from Postgres (after a restart from a snapshot). */
  onResync(update: UpdateDefinition<R, []>): void {
    setHandler(
      update,
      async () => {
        this.busy = true;
        try {
          const stored = await this.opts.load();
          if (stored) {
            this.state = stored;
            this.created = true;
          }
          return this.resultOf(this.state);
        } finally {
          this.busy = false;
          this.handledThisRun++;
        }
      },
      {
        validator: () => {
          if (this.busy) fail(this.codes.busy, 'Another change is being written; try again');
        },
      },
    );
  }

  /**
   * The main function's body once the handlers are registered: the create window for a new record, then the run
   * lives until its Update budget is spent (or Temporal suggests it) and every handler has finished, and calls
   * `continueAsNew` with what the next run needs. Returns (the workflow completes) when the create never came, or,
   * for a record with `timers`, when nothing will ever be due again (a later command starts it anew from its row).
   *
   * `timers` make the record's own time-driven work durable (a calendar event's reminders, a plan's deadline): the
   * run sleeps on a Temporal timer until `nextAt(state)`, woken early by any change to the state, then runs `fire`
   * between writes (never while one is in flight) and adopts the state it returns.
   */
  async live(
    continueAsNew: (carry: { state: S; created: boolean; handledTotal: number }) => Promise<never>,
    timers?: Timers<S>,
  ): Promise<void> {
    if (!this.created) {
      if (!(await condition(() => this.created, this.opts.createWindow ?? CREATE_WINDOW))) {
        await condition(allHandlersFinished);
        return;
      }
    }
    const updatesPerRun = this.opts.updatesPerRun ?? UPDATES_PER_RUN;
    const spent = () => this.handledThisRun >= updatesPerRun || workflowInfo().continueAsNewSuggested;
    if (!timers) {
      await condition(spent);
    } else {
      for (;;) {
        if (spent()) break;
        const seen = this.state;
        const at = timers.nextAt(seen);
        if (at === null) {
          if (!this.busy && allHandlersFinished()) return;
          await condition(() => spent() || this.state !== seen || (!this.busy && allHandlersFinished()));
          continue;
        }
        const wait = at - Date.now();
        if (wait > 0 && (await condition(() => spent() || this.state !== seen, wait))) continue;
        await condition(() => !this.busy);
        if (this.state !== seen) continue;
        this.busy = true;
        try {
          this.state = await timers.fire(this.state, Date.now());
        } finally {
          this.busy = false;
          this.handledThisRun++;
        }
      }
    }
    await condition(allHandlersFinished);
    await continueAsNew({ state: this.state, created: this.created, handledTotal: this.handledTotal });
  }
}

/** A record's time-driven work (see `Entity.live`). */
export interface Timers<S> {
  /** when something is next due for this state (epoch ms), or null when nothing ever will be */
  nextAt(state: S): number | null;
  /** does what is due at `now` through activities and returns the state after it */
  fire(state: S, now: number): Promise<S>;
}
