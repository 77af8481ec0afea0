import { describe, expect, it } from 'vitest';
import { DAY_MS, daysInStage, isStuck } from '../stage-time.ts';

const now = new Date('2026-11-30T10:00:00.000Z');
const ago = (days: number, ms = 0) => new Date(now.getTime() - days * DAY_MS - ms).toISOString();

describe('days in stage', () => {
  it('counts whole days since the deal entered its stage', () => {
    expect(daysInStage(ago(0), now)).toBe(0);
    expect(daysInStage(ago(0, DAY_MS - 1), now)).toBe(0);
    expect(daysInStage(ago(1), now)).toBe(1);
    expect(daysInStage(ago(45, 3600_000), now)).toBe(45);
  });

  it('is never negative when the entry time is ahead of this clock', () => {
    expect(daysInStage(new Date(now.getTime() + 60_000), now)).toBe(0);
  });
});

describe('the stuck rule', () => {
  const open = (days: number, ms = 0) => ({ stageEnteredAt: ago(days, ms), closedAt: null });

  it('marks an open deal stuck from the stage threshold on', () => {
    expect(isStuck(open(7), 7, now)).toBe(true);
    expect(isStuck(open(30), 7, now)).toBe(true);
    expect(isStuck(open(6, DAY_MS - 1), 7, now)).toBe(false);
  });

  it('never marks a stage without a threshold, or a closed deal', () => {
    expect(isStuck(open(400), null, now)).toBe(false);
    expect(isStuck(open(400), undefined, now)).toBe(false);
    expect(isStuck({ stageEnteredAt: ago(400), closedAt: ago(1) }, 7, now)).toBe(false);
  });
});
