/**
 * One row of an import, checked without writing anything: for the preview, and before the import writes it
 * (activities/import-row.ts): the cells, the references, the client it means, the deal's stage gate.
 */
import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../access/visibility.ts';
import { normaliseTaxId } from '../clients/duplicates.ts';
import { findDuplicates } from '../clients/queries.ts';
import { entryRefusal, type DealState, type StageGate } from '../deals/gate.ts';
import { loadGate } from '../pipelines/gates.ts';
import { pickClientMatch, validateRow, type ImportRefs, type RowError, type RowPlan } from './rules.ts';
import type { ImportJobRow } from './entities.ts';

/** A uuid derived from a key: the same row of the same import always writes under the same ids. */
export function derivedId(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const rowKeys = (importId: string, rowNumber: number) => ({
  opId: derivedId(`import:${importId}:${rowNumber}:parties`),
  clientId: derivedId(`import:${importId}:${rowNumber}:client`),
  contactId: derivedId(`import:${importId}:${rowNumber}:contact`),
  dealKey: `import:${importId}:${rowNumber}`,
});

/** Gates by stage, loaded once per batch. */
export class Gates {
  private readonly cache = new Map<string, Promise<StageGate | null>>();
  constructor(private readonly em: EntityManager) {}
  get(stageId: string) {
    let g = this.cache.get(stageId);
    if (!g) this.cache.set(stageId, (g = loadGate(this.em, stageId)));
    return g;
  }
}

/** The existing client a row means (visible to the importer), or null. */
export async function matchClient(em: EntityManager, viewer: Viewer, client: RowPlan['client']) {
  const probe = { taxId: client.taxId, email: client.email, phone: client.phone };
  if (!probe.taxId && !probe.email && !probe.phone) return null;
  const candidates = await findDuplicates(em, viewer, probe);
  const hit = pickClientMatch(candidates, probe, normaliseTaxId);
  return hit ? candidates.find((c) => c.id === hit.id)! : null;
}

/** Why the stage would refuse the row's deal, as a row error; null when it lets it in. */
export async function gateError(
  gates: Gates,
  deal: NonNullable<RowPlan['deal']>,
  hasContact: boolean,
  column: string | null,
): Promise<RowError | null> {
  const gate = await gates.get(deal.stageId);
  if (!gate) return { code: 'UNKNOWN_STAGE', field: 'deal.stage', column, message: 'The stage is gone' };
  const state: DealState = {
    id: '',
    title: deal.title,
    clientId: '',
    contactId: hasContact ? 'row-contact' : null,
    ownerId: deal.ownerId,
    pipelineId: deal.pipelineId,
    stageId: deal.stageId,
    amount: deal.amount,
    currency: deal.currency,
    expectedCloseDate: deal.expectedCloseDate,
    custom: deal.custom,
    lostReason: deal.lostReason,
    documentKinds: {},
    version: 1,
  };
  const refusal = entryRefusal(state, gate);
  if (!refusal) return null;
  const missing = (refusal.details?.missing ?? { fields: [], documentKinds: [] }) as {
    fields: { key: string; label: string }[];
    documentKinds: { id: string; name: string }[];
  };
  const what = [...missing.fields.map((f) => f.label), ...missing.documentKinds.map((k) => k.name)];
  return {
    code: refusal.code,
    field: 'deal.stage',
    column,
    message: `${refusal.message}${what.length ? `: ${what.join(', ')}` : ''}`,
    details: { ...refusal.details, stageName: gate.name },
  };
}

export interface CheckedRow {
  plan: RowPlan | null;
  errors: RowError[];
}

/** Every check of a row that needs no write: the cells, the references and the deal's stage gate. */
export async function checkRow(
  job: Pick<ImportJobRow, 'columns' | 'mapping' | 'defaults'>,
  cells: string[],
  refs: ImportRefs,
  gates: Gates,
): Promise<CheckedRow> {
  const { plan, errors } = validateRow(cells, job.columns, job.mapping ?? {}, job.defaults ?? {}, refs);
  if (!plan) return { plan, errors };
  if (plan.deal) {
    const col = job.mapping?.['deal.stage'];
    const refused = await gateError(
      gates,
      plan.deal,
      plan.contact !== null,
      col === undefined ? null : job.columns[col],
    );
    if (refused) return { plan: null, errors: [refused] };
  }
  return { plan, errors: [] };
}
