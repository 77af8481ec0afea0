import { describe, expect, it } from 'vitest';
import { eventProblems, resultProblem } from '../rules.ts';

const ok = {
  kind: 'meeting' as const,
  title: 'Demo',
  startsAt: '2026-12-01T10:00:00.000Z',
  endsAt: '2026-12-01T11:00:00.000Z',
  timeZone: 'Europe/Moscow',
  rrule: 'FREQ=WEEKLY;COUNT=4',
  reminders: [1440, 15],
};

describe('event rules', () => {
  it('accepts a valid event', () => expect(eventProblems(ok)).toEqual([]));

  it('names each field that is wrong', () => {
    const fields = eventProblems({
      ...ok,
      endsAt: '2026-12-01T09:00:00.000Z',
      timeZone: 'Mars/Olympus',
      rrule: 'FREQ=SOMETIMES',
      reminders: [15, -10],
    }).map((p) => p.field);
    expect(fields).toEqual(['endsAt', 'timeZone', 'rrule', 'reminders.1']);
  });

  it('requires the next step unless the outcome closes the matter', () => {
    const outcomes = [
      { id: 'a', label: 'Next step agreed', closes: false },
      { id: 'b', label: 'Not interested', closes: true },
    ];
    expect(resultProblem({ outcomeId: 'a', summary: '', hasNextStep: false }, outcomes)?.field).toBe('next');
    expect(resultProblem({ outcomeId: 'a', summary: '', hasNextStep: true }, outcomes)).toBeNull();
    expect(resultProblem({ outcomeId: 'b', summary: '', hasNextStep: false }, outcomes)).toBeNull();
    expect(resultProblem({ outcomeId: '', summary: '', hasNextStep: true }, outcomes)?.field).toBe('outcomeId');
    expect(resultProblem({ outcomeId: 'zzz', summary: '', hasNextStep: true }, outcomes)?.field).toBe('outcomeId');
  });
});
