import { describe, expect, it } from 'vitest';
import {
  applyChanges,
  hasMissing,
  lostRequirements,
  missingRequirements,
  moveRefusal,
  withDocument,
  withoutDocument,
  type DealState,
  type StageGate,
} from '../gate.ts';

const deal: DealState = {
  id: 'd',
  title: 'Boilers',
  clientId: 'c',
  contactId: null,
  ownerId: 'u',
  pipelineId: 'p',
  stageId: 's1',
  amount: null,
  currency: null,
  expectedCloseDate: null,
  custom: {},
  lostReason: null,
  documentKinds: {},
  version: 1,
};
const proposalStage: StageGate = {
  stageId: 's2',
  pipelineId: 'p',
  name: 'Commercial proposal sent',
  kind: 'open',
  fingerprint: '',
  requiredFields: [
    { key: 'amount', label: 'Amount', type: 'money' },
    { key: 'region', label: 'Region', type: 'text' },
  ],
  requiredDocumentKinds: [{ id: 'kp', name: 'Commercial proposal' }],
};

describe('stage gate', () => {
  it('names every field and document kind a deal lacks', () => {
    const m = missingRequirements(deal, proposalStage);
    expect(m.fields.map((f) => f.key)).toEqual(['amount', 'region']);
    expect(m.documentKinds.map((k) => k.id)).toEqual(['kp']);
  });

  it('counts an amount only with its currency, and blank text as missing', () => {
    const half = applyChanges(deal, { amount: '100', custom: { region: '   ' } });
    expect(missingRequirements(half, proposalStage).fields.map((f) => f.key)).toEqual(['amount', 'region']);
    const full = withDocument(
      applyChanges(deal, { amount: '100', currency: 'EUR', custom: { region: 'North' } }),
      'kp',
    );
    expect(hasMissing(missingRequirements(full, proposalStage))).toBe(false);
  });

  it('reports what an edit or a detachment would take away, and only that', () => {
    const inStage = withDocument(
      applyChanges(deal, { amount: '100', currency: 'EUR', custom: { region: 'North' } }),
      'kp',
    );
    const cleared = applyChanges(inStage, { custom: { region: null } });
    expect(lostRequirements(inStage, cleared, proposalStage).fields.map((f) => f.key)).toEqual(['region']);
    expect(
      lostRequirements(inStage, withoutDocument(inStage, 'kp'), proposalStage).documentKinds.map((k) => k.id),
    ).toEqual(['kp']);
    // a requirement that was already unmet is not "taken away"
    const partial = applyChanges(deal, { amount: '1', currency: 'EUR' });
    expect(hasMissing(lostRequirements(partial, applyChanges(partial, { title: 'x' }), proposalStage))).toBe(false);
  });
});

describe('move rule', () => {
  it('refuses the same stage, a loss without a reason, another pipeline, and an unmet gate, in that order', () => {
    expect(moveRefusal(deal, { ...proposalStage, stageId: 's1' }, undefined, undefined)?.code).toBe('STAGE_UNCHANGED');
    expect(
      moveRefusal(
        deal,
        { ...proposalStage, kind: 'lost', requiredFields: [], requiredDocumentKinds: [] },
        undefined,
        '  ',
      )?.code,
    ).toBe('LOST_REASON_REQUIRED');
    expect(moveRefusal(deal, { ...proposalStage, pipelineId: 'q' }, undefined, undefined)?.code).toBe(
      'STAGE_NOT_IN_PIPELINE',
    );
    const unmet = moveRefusal(deal, proposalStage, { amount: '5', currency: 'EUR' }, undefined);
    expect(unmet?.code).toBe('STAGE_REQUIREMENTS_UNMET');
    expect((unmet?.details?.missing as { fields: { key: string }[] }).fields.map((f) => f.key)).toEqual(['region']);
  });

  it('lets a deal in with the values sent along', () => {
    const withKp = withDocument(deal, 'kp');
    expect(
      moveRefusal(withKp, proposalStage, { amount: '5', currency: 'EUR', custom: { region: 'North' } }, undefined),
    ).toBeNull();
  });
});
