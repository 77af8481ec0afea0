import { describe, expect, it } from 'vitest';
import type { BoardData, Deal } from '../../../api.js';
import { shift } from '../board-cache.js';

const deal = (id: string, stageId: string, amount: string | null, currency: string | null = 'EUR') =>
  ({ id, stageId, amount, currency, title: id }) as Deal;

describe('board patches after a move', () => {
  it("move the card and both columns' counts and totals by exactly that deal", () => {
    const a = deal('a', 's1', '100.10');
    const board: BoardData = {
      pipelineId: 'p',
      currency: null,
      stages: [
        {
          stageId: 's1',
          count: 2,
          totals: [{ currency: 'EUR', amount: '150.10' }],
          companyTotal: null,
          deals: [a, deal('b', 's1', '50.00')],
          nextCursor: null,
        },
        { stageId: 's2', count: 0, totals: [], companyTotal: null, deals: [], nextCursor: null },
      ],
    };
    const next = shift(board, a, { ...a, stageId: 's2' });
    expect(next.stages[0]).toMatchObject({ count: 1, totals: [{ currency: 'EUR', amount: '50.00' }] });
    expect(next.stages[0].deals.map((d) => d.id)).toEqual(['b']);
    expect(next.stages[1]).toMatchObject({ count: 1, totals: [{ currency: 'EUR', amount: '100.10' }] });
    expect(next.stages[1].deals.map((d) => d.id)).toEqual(['a']);
  });
});
