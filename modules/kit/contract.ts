/**
 * What every workflow-backed record (a deal now; calendar events, revenue plans, regulation instances next) shares
 * between its three sides: the command layer (modules/kit/send.ts), the workflow (workflows/kit/entity.ts) and
 * the activities (activities/kit/ops.ts). Plain data and types only: it is bundled into the workflow code.
 */

/** Failure types the kit raises for every record; a record's own rules add theirs (e.g. STAGE_REQUIREMENTS_UNMET). */
export const KitFailure = {
  /** the version the user saw, or the row's version at write time, is not the current one */
  versionConflict: 'VERSION_CONFLICT',
  /** Postgres refused a value (a data or constraint error): retrying cannot help */
  invalidData: 'INVALID_DATA',
  /** the command was given up after its write failed; no attempt of it can commit any more */
  abandoned: 'COMMAND_ABANDONED',
  /** the write failed and Postgres could not be asked whether it committed: the caller must reload */
  outcomeUnknown: 'OUTCOME_UNKNOWN',
  /** the workflow service is unreachable, or the write failed in a way that left nothing changed */
  unavailable: 'SERVICE_UNAVAILABLE',
} as const;

/** The three failure codes that name the record: `DEAL_BUSY`, `DEAL_NOT_FOUND`, `DEAL_STATE_STALE` for a deal. */
export interface RecordCodes {
  /** another change to this record is being written and the command could not wait for it */
  busy: string;
  /** the record's create has not been written (or was refused) */
  notFound: string;
  /** the workflow and the row the command was made from disagree: the sender resyncs and sends once more */
  stale: string;
}

export const recordCodes = (prefix: string): RecordCodes => ({
  busy: `${prefix}_BUSY`,
  notFound: `${prefix}_NOT_FOUND`,
  stale: `${prefix}_STATE_STALE`,
});

/** Every command to a record carries these. */
export interface KitCommand {
  /** idempotency key of the command: its write claims it in command_ops, so it is written at most once */
  opId: string;
  actorId: string | null;
  /** the version the user saw; a different current version is a conflict */
  expectedVersion?: number;
  /** the version of the row when the command was made; a workflow at another version resyncs first */
  storedVersion?: number;
}

/** The state a record's workflow holds: at least the row's version. */
export interface Versioned {
  version: number;
}

/** How a workflow-backed record is addressed and what its failures are called. */
export interface RecordKind {
  /** workflow id of the record with this id, e.g. `deal-<id>` */
  workflowId(id: string): string;
  codes: RecordCodes;
}
