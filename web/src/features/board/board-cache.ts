/** Patches of the cached board after a move or a create: the cards and the column figures, exactly, without a re-read. */
import type { BoardData, Deal, MoneyTotal } from '../../api.js';

const cents = (s: string) => {
  const neg = s.startsWith('-');
  const [whole, frac = ''] = (neg ? s.slice(1) : s).split('.');
  const n = BigInt(whole || '0') * 100n + BigInt((frac + '00').slice(0, 2));
  return neg ? -n : n;
};
const decimalOf = (n: bigint) => {
  const a = n < 0n ? -n : n;
  return `${n < 0n ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
};

/** The totals with a deal's amount added (sign 1) or taken out (sign -1). */
export function shiftTotals(totals: MoneyTotal[], deal: Deal, sign: 1 | -1): MoneyTotal[] {
  if (deal.amount === null || deal.currency === null) return totals;
  const delta = cents(deal.amount) * BigInt(sign);
  const found = totals.some((x) => x.currency === deal.currency);
  const next = found
    ? totals.map((x) => (x.currency === deal.currency ? { ...x, amount: decimalOf(cents(x.amount) + delta) } : x))
    : [...totals, { currency: deal.currency, amount: decimalOf(delta) }];
  return next.filter((x) => x.currency !== deal.currency || cents(x.amount) > 0n);
}

/**
 * The board after a deal left its column (`removed`, as it was) and/or entered one (`added`, as it is now): the card
 * moves, and both columns' counts and totals change by exactly that deal. The newest change goes first.
 */
export function shift(b: BoardData, removed: Deal | null, added: Deal | null): BoardData {
  return {
    ...b,
    stages: b.stages.map((c) => {
      let { deals, count, totals } = c;
      if (removed && removed.stageId === c.stageId && deals.some((d) => d.id === removed.id)) {
        deals = deals.filter((d) => d.id !== removed.id);
        count = Math.max(0, count - 1);
        totals = shiftTotals(totals, removed, -1);
      }
      if (added && added.stageId === c.stageId) {
        if (!deals.some((d) => d.id === added.id)) {
          count += 1;
          totals = shiftTotals(totals, added, 1);
        }
        deals = [added, ...deals.filter((d) => d.id !== added.id)];
      }
      return deals === c.deals ? c : { ...c, deals, count, totals };
    }),
  };
}

export const findDeal = (b: BoardData | undefined, id: string) =>
  b?.stages.flatMap((c) => c.deals).find((d) => d.id === id) ?? null;
