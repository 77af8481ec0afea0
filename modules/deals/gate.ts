/**
 * The stage gate: which of a stage's entry requirements a deal does not meet.
 * Pure and deterministic: the deal workflow's Update validators and the web dialog's API both use it.
 */

/** Built-in deal fields a stage may require (declared in modules/fields); any other key names a custom deal field. */
export { DEAL_BUILT_IN_KEYS as BUILT_IN_REQUIRABLE_FIELDS } from '../fields/deal-fields.ts';

export type FieldValue = string | number | { amount: string; currency: string } | null;

export interface DealState {
  id: string;
  title: string;
  clientId: string;
  contactId: string | null;
  ownerId: string;
  pipelineId: string;
  stageId: string;
  amount: string | null;
  currency: string | null;
  expectedCloseDate: string | null;
  custom: Record<string, FieldValue>;
  lostReason: string | null;
  /** document kind id → number of attachments of that kind */
  documentKinds: Record<string, number>;
  version: number;
  /**
   * true while the deal is archived (read-only). Optional: the states in histories recorded before archiving existed
   * have no such key, and undefined reads as not archived, so they replay unchanged.
   */
  archived?: boolean;
}

export interface RequiredField {
  key: string;
  label: string;
  type: string;
  options?: string[];
}
export interface RequiredDocumentKind {
  id: string;
  name: string;
}

/** A target stage with its requirements resolved to labels, as the command layer loads it from Postgres. */
export interface StageGate {
  stageId: string;
  pipelineId: string;
  name: string;
  kind: 'open' | 'won' | 'lost';
  requiredFields: RequiredField[];
  requiredDocumentKinds: RequiredDocumentKind[];
  /** what the stage demanded when the gate was loaded; the write refuses a move if an admin changed it since */
  fingerprint: string;
}

/** A stage's requirements as one comparable string. */
export const gateFingerprint = (stage: {
  kind: string;
  requiredFields: string[];
  requiredDocumentKinds: string[];
}): string => JSON.stringify([stage.kind, stage.requiredFields, stage.requiredDocumentKinds]);

export interface MissingRequirements {
  fields: RequiredField[];
  documentKinds: RequiredDocumentKind[];
}

/** Field values a command may set on a deal (built-ins and custom). */
export interface DealChanges {
  title?: string;
  contactId?: string | null;
  amount?: string | null;
  currency?: string | null;
  expectedCloseDate?: string | null;
  custom?: Record<string, FieldValue>;
}

export function isFilled(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim().length > 0;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'object') {
    const money = value as { amount?: unknown; currency?: unknown };
    return isFilled(money.amount) && isFilled(money.currency);
  }
  return true;
}

function fieldValue(deal: DealState, key: string): unknown {
  switch (key) {
    case 'amount':
      return deal.amount !== null && deal.currency !== null ? deal.amount : null;
    case 'expectedCloseDate':
      return deal.expectedCloseDate;
    case 'contactId':
      return deal.contactId;
    default:
      return deal.custom[key];
  }
}

export function applyChanges(deal: DealState, changes: DealChanges | undefined): DealState {
  if (!changes) return deal;
  const next: DealState = { ...deal, custom: { ...deal.custom } };
  if (changes.title !== undefined) next.title = changes.title;
  if (changes.contactId !== undefined) next.contactId = changes.contactId;
  if (changes.amount !== undefined) next.amount = changes.amount;
  if (changes.currency !== undefined) next.currency = changes.currency;
  if (changes.expectedCloseDate !== undefined) next.expectedCloseDate = changes.expectedCloseDate;
  for (const [k, v] of Object.entries(changes.custom ?? {})) {
    if (v === null) delete next.custom[k];
    else next.custom[k] = v;
  }
  return next;
}

/** The deal with one attachment of a document kind fewer (never below zero). */
export function withoutDocument(deal: DealState, kindId: string | null): DealState {
  if (!kindId) return deal;
  return {
    ...deal,
    documentKinds: { ...deal.documentKinds, [kindId]: Math.max(0, (deal.documentKinds[kindId] ?? 0) - 1) },
  };
}

/** The deal with one attachment of a document kind more. */
export function withDocument(deal: DealState, kindId: string | null): DealState {
  if (!kindId) return deal;
  return { ...deal, documentKinds: { ...deal.documentKinds, [kindId]: (deal.documentKinds[kindId] ?? 0) + 1 } };
}

export function missingRequirements(deal: DealState, gate: StageGate): MissingRequirements {
  return {
    fields: gate.requiredFields.filter((f) => !isFilled(fieldValue(deal, f.key))),
    documentKinds: gate.requiredDocumentKinds.filter((k) => (deal.documentKinds[k.id] ?? 0) < 1),
  };
}

export function hasMissing(m: MissingRequirements): boolean {
  return m.fields.length > 0 || m.documentKinds.length > 0;
}

/**
 * What a change would take away from the stage the deal is in: requirements met before it and unmet after.
 * Edits and detachments may not do that, so a deal never sits in a stage without what the stage demands.
 */
export function lostRequirements(before: DealState, after: DealState, gate: StageGate): MissingRequirements {
  const was = missingRequirements(before, gate);
  const now = missingRequirements(after, gate);
  return {
    fields: now.fields.filter((f) => !was.fields.some((w) => w.key === f.key)),
    documentKinds: now.documentKinds.filter((k) => !was.documentKinds.some((w) => w.id === k.id)),
  };
}

/** Why a rule refuses a command: a failure code with its message and details. */
export interface Refusal {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Whether the deal, with the values sent along, may enter the gate's stage. */
export function entryRefusal(state: DealState, gate: StageGate): Refusal | null {
  if (gate.pipelineId !== state.pipelineId)
    return { code: 'STAGE_NOT_IN_PIPELINE', message: 'Stage belongs to another pipeline' };
  const missing = missingRequirements(state, gate);
  if (hasMissing(missing)) {
    return {
      code: 'STAGE_REQUIREMENTS_UNMET',
      message: `Stage "${gate.name}" requires more information`,
      details: { stageId: gate.stageId, missing },
    };
  }
  return null;
}

/**
 * The rule of a stage move: another stage, a reason to lose a deal, and the target stage's requirements met by the
 * deal with the values sent along. The workflow's validator is the authority; the command layer asks it first
 * too, so a refusal costs no workflow task.
 */
export function moveRefusal(
  deal: DealState,
  gate: StageGate,
  changes: DealChanges | undefined,
  lostReason: string | undefined,
): Refusal | null {
  if (gate.stageId === deal.stageId) return { code: 'STAGE_UNCHANGED', message: 'The deal is already in this stage' };
  if (gate.kind === 'lost' && !(lostReason && lostReason.trim()))
    return { code: 'LOST_REASON_REQUIRED', message: 'A lost deal needs a reason' };
  return entryRefusal(applyChanges(deal, changes), gate);
}

/** An archived deal is read-only: every command but restore is refused until it is restored. */
export function archivedRefusal(deal: Pick<DealState, 'id' | 'archived'>): Refusal | null {
  return deal.archived
    ? { code: 'DEAL_ARCHIVED', message: 'The deal is archived; restore it to change it', details: { dealId: deal.id } }
    : null;
}

/** Archive takes a live deal, restore an archived one; neither changes the stage, fields or documents. */
export function archiveRefusal(deal: Pick<DealState, 'id' | 'archived'>, archive: boolean): Refusal | null {
  if (archive) return archivedRefusal(deal);
  return deal.archived ? null : { code: 'DEAL_NOT_ARCHIVED', message: 'The deal is not archived' };
}
