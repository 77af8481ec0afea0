import { describe, expect, it } from 'vitest';
import type { PlanState } from '../model.ts';
import { parsePeriod } from '../periods.ts';
import {
  applyDecisions,
  applySave,
  applySubmit,
  decideRefusal,
  finaliseRefusal,
  lineDiff,
  lineProblems,
  nextReminder,
  saveRefusal,
  submitRefusal,
} from '../rules.ts';
import { baseAmounts, rateOn } from '../money.ts';

const december = parsePeriod('2026-12')!;
const currencies = { company: 'RUB', rated: ['USD'] };
const line = (over: Record<string, string> = {}) => ({
  amount: '1000.00',
  currency: 'RUB',
  expectedOn: '2026-12-15',
  comment: '',
  ...over,
});

const plan = (over: Partial<PlanState> = {}): PlanState => ({
  id: 'p',
  managerId: 'm',
  period: '2026-12',
  status: 'submitted',
  revision: 1,
  confirmation: true,
  leadIds: ['lead', 'head'],
  lines: [
    { id: 'a', status: 'open', revised: false },
    { id: 'b', status: 'open', revised: false },
    { id: 'c', status: 'open', revised: false },
  ],
  version: 3,
  submitDueAt: '2026-12-01T00:00:00.000Z',
  reviewDueAt: '2026-12-03T00:00:00.000Z',
  submitReminded: 0,
  reviewReminded: 0,
  ...over,
});

describe('plan lines', () => {
  it('accepts valid lines', () =>
    expect(lineProblems([line(), line({ currency: 'USD' })], december, currencies)).toEqual([]));

  it('names the line and field of each problem', () => {
    const problems = lineProblems(
      [
        line(),
        line({ amount: '0' }),
        line({ amount: '-5' }),
        line({ expectedOn: '2027-01-01' }),
        line({ currency: 'XYZ' }),
      ],
      december,
      currencies,
    );
    expect(problems.map((p) => p.field)).toEqual([
      'lines.1.amount',
      'lines.2.amount',
      'lines.3.expectedOn',
      'lines.4.currency',
    ]);
    expect(problems[0].line).toBe(1);
  });

  it('refuses any currency while the company currency is not set', () => {
    expect(lineProblems([line()], december, { company: null, rated: [] }).map((p) => p.field)).toEqual([
      'lines.0.currency',
    ]);
  });

  it('converts at the rate in force on the date, else the first one known', () => {
    const c = {
      company: 'RUB',
      byDay: {
        USD: [
          { day: '2026-11-01', rate: '90' },
          { day: '2026-12-10', rate: '100' },
        ],
      },
    };
    expect(rateOn(c, 'USD', '2026-12-09')).toBe('90');
    expect(rateOn(c, 'USD', '2026-12-10')).toBe('100');
    expect(rateOn(c, 'USD', '2026-01-01')).toBe('90');
    expect(
      baseAmounts(c, [
        { amount: '10', currency: 'USD', expectedOn: '2026-12-20' },
        { amount: '5.5', currency: 'RUB', expectedOn: '2026-12-20' },
      ]),
    ).toEqual(['1000.00', '5.50']);
  });
});

describe('plan confirmation', () => {
  it('only a lead above the manager decides, on open lines of a submitted plan, each once', () => {
    const p = plan();
    const approve = [{ lineId: 'a', decision: 'approved' as const, comment: '' }];
    expect(decideRefusal(p, 'lead', approve)).toBeNull();
    expect(decideRefusal(p, 'head', approve)).toBeNull();
    expect(decideRefusal(p, 'm', approve)?.code).toBe('PLAN_NOT_REVIEWER');
    expect(decideRefusal(p, 'stranger', approve)?.code).toBe('PLAN_NOT_REVIEWER');
    expect(decideRefusal(plan({ status: 'final' }), 'lead', approve)?.code).toBe('PLAN_LOCKED');
    expect(decideRefusal(plan({ status: 'draft' }), 'lead', approve)?.code).toBe('PLAN_NOT_SUBMITTED');
    const after = applyDecisions(p, approve);
    expect(decideRefusal(after, 'lead', approve)).toMatchObject({
      code: 'PLAN_LINE_CLOSED',
      details: { lines: ['a'] },
    });
    expect(decideRefusal(p, 'lead', [...approve, ...approve])?.code).toBe('PLAN_LINE_CLOSED');
    expect(decideRefusal(p, 'lead', [{ lineId: 'x', decision: 'approved', comment: '' }])?.code).toBe(
      'PLAN_LINE_NOT_FOUND',
    );
  });

  it('finalises once every line is decided; doubtful lines may be revised and resubmitted', () => {
    let p = applyDecisions(plan(), [
      { lineId: 'a', decision: 'approved', comment: '' },
      { lineId: 'b', decision: 'approved', comment: '' },
    ]);
    expect(finaliseRefusal(p, 'lead')).toMatchObject({ code: 'PLAN_LINES_OPEN', details: { lines: ['c'] } });
    p = applyDecisions(p, [{ lineId: 'c', decision: 'doubtful', comment: 'no budget' }]);
    expect(finaliseRefusal(p, 'lead')).toBeNull();
    expect(finaliseRefusal(p, 'm')?.code).toBe('PLAN_NOT_REVIEWER');

    // under review: an approved line cannot change, a doubtful one can
    const ids = ['a', 'b', 'c'];
    expect(saveRefusal(p, lineDiff(p, ids, ['a']))).toMatchObject({
      code: 'PLAN_UNDER_REVIEW',
      details: { lines: ['a'] },
    });
    expect(saveRefusal(p, lineDiff(p, [...ids, 'd'], []))?.code).toBe('PLAN_UNDER_REVIEW');
    expect(submitRefusal(p)?.code).toBe('PLAN_NOT_SUBMITTABLE');
    const diff = lineDiff(p, ids, ['c']);
    expect(saveRefusal(p, diff)).toBeNull();
    p = applySave(
      p,
      ids.map((id) => ({ id })),
      diff,
    );
    expect(p.lines.find((l) => l.id === 'c')).toEqual({ id: 'c', status: 'doubtful', revised: true });
    expect(submitRefusal(p)).toBeNull();
    p = applySubmit(p);
    expect(p.lines.map((l) => l.status)).toEqual(['approved', 'approved', 'open']);
  });

  it('a final plan is locked; saving it opens a new revision to confirm again', () => {
    const final = plan({ status: 'final', lines: [{ id: 'a', status: 'approved', revised: false }] });
    expect(submitRefusal(final)?.code).toBe('PLAN_LOCKED');
    const diff = lineDiff(final, ['a'], ['a']);
    expect(saveRefusal(final, diff)).toBeNull();
    const next = applySave(final, [{ id: 'a' }], diff);
    expect(next).toMatchObject({ status: 'draft', revision: 2, lines: [{ id: 'a', status: 'open', revised: false }] });
  });

  it('with confirmation off a saved plan is final, its lines in the final plan', () => {
    const off = plan({ status: 'draft', confirmation: false, lines: [] });
    const next = applySave(off, [{ id: 'a' }], lineDiff(off, ['a'], []));
    expect(next).toMatchObject({ status: 'final', lines: [{ id: 'a', status: 'approved' }] });
    expect(submitRefusal(next)?.code).toBe('PLAN_CONFIRMATION_OFF');
    expect(nextReminder(next)).toBeNull();
  });

  it('reminds a manager who has not submitted, then a lead who has not reviewed, once per revision', () => {
    const draft = plan({ status: 'draft' });
    expect(nextReminder(draft)).toEqual({ kind: 'submit', at: Date.parse(draft.submitDueAt) });
    expect(nextReminder({ ...draft, submitReminded: 1 })).toBeNull();
    expect(nextReminder(plan())).toEqual({ kind: 'review', at: Date.parse(draft.reviewDueAt) });
    expect(nextReminder(plan({ reviewReminded: 1 }))).toBeNull();
    expect(nextReminder(plan({ status: 'final' }))).toBeNull();
  });
});
