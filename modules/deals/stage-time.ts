/**
 * How long a deal has been in its stage, and whether that makes it stuck. Pure, no imports: the board's cards (in the
 * browser) and the "stuck" filter (SQL in queries.ts) follow the same rule.
 */

export const DAY_MS = 86_400_000;

/** Whole days since the deal entered its stage (0 on the first day; never negative, whatever the clocks say). */
export function daysInStage(stageEnteredAt: string | Date, now: Date): number {
  const at = typeof stageEnteredAt === 'string' ? Date.parse(stageEnteredAt) : stageEnteredAt.getTime();
  return Math.max(0, Math.floor((now.getTime() - at) / DAY_MS));
}

/**
 * An open deal is stuck once it has been in its stage for the stage's threshold in days or more; a closed deal, or a
 * stage without a threshold, never is.
 */
export function isStuck(
  deal: { stageEnteredAt: string | Date; closedAt: string | null },
  stuckAfterDays: number | null | undefined,
  now: Date,
): boolean {
  if (deal.closedAt || stuckAfterDays === null || stuckAfterDays === undefined) return false;
  const at = typeof deal.stageEnteredAt === 'string' ? Date.parse(deal.stageEnteredAt) : deal.stageEnteredAt.getTime();
  return now.getTime() - at >= stuckAfterDays * DAY_MS;
}
