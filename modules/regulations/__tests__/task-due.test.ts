import { describe, expect, it } from 'vitest';
import type { GraphNode } from '../../../bpmn/graph.ts';
import { markOverdue, nextTaskDue, takeUpTaskDue, taskDueAt, trackTaskDue, type RegulationState } from '../instance.ts';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const node = (id: string, kind: string, due?: string) => ({ id, kind, name: id, ...(due ? { due } : {}) }) as GraphNode;

const state = (tokens: { id: string; node: string }[], extra: Partial<RegulationState> = {}): RegulationState => ({
  id: 'i',
  version: 1,
  regulationId: 'r',
  key: 'k',
  graph: {
    processId: 'p',
    name: 'P',
    nodes: {
      approve: node('approve', 'userTask', 'PT1H'),
      reply: node('reply', 'receiveTask', '2026-12-01T00:00:00.000Z'),
      plain: node('plain', 'userTask'),
      wait: node('wait', 'intermediateCatchEvent', 'PT1M'),
    },
    flows: {},
    starts: {},
    inputs: [],
    outputs: [],
  },
  interp: {
    status: 'running',
    tokens: tokens.map((t) => ({ ...t, scope: null })),
    arrivals: {},
    variables: {},
    completed: [],
    incidents: [],
    seq: 0,
  },
  timers: {},
  services: [],
  ...extra,
});

describe('task due times', () => {
  it('reads a due as a duration from when the task opens, or as a date', () => {
    expect(taskDueAt(T0, 'PT1H')).toBe(T0 + 3_600_000);
    expect(taskDueAt(T0, '2026-12-01T00:00:00.000Z')).toBe(Date.parse('2026-12-01T00:00:00.000Z'));
  });

  it('keeps the due times of open tasks with a due, from when each opened', () => {
    const s = trackTaskDue(
      state([
        { id: 't1', node: 'approve' },
        { id: 't2', node: 'reply' },
        { id: 't3', node: 'plain' },
        { id: 't4', node: 'wait' },
      ]),
      T0,
    );
    expect(s.taskDue).toEqual({ t1: '2026-11-30T11:00:00.000Z', t2: '2026-12-01T00:00:00.000Z' });
    // later steps keep the time a task got when it opened
    expect(trackTaskDue(s, T0 + 60_000).taskDue).toEqual(s.taskDue);
    expect(nextTaskDue(s)).toBe(T0 + 3_600_000);
  });

  it('tells a task overdue once, and forgets it when it is done', () => {
    const s = trackTaskDue(state([{ id: 't1', node: 'approve' }]), T0);
    expect(markOverdue(s, T0 + 60_000).tokens).toEqual([]);
    const late = markOverdue(s, T0 + 3_600_000);
    expect(late.tokens).toEqual(['t1']);
    expect(late.state.overdue).toEqual(['t1']);
    expect(nextTaskDue(late.state)).toBeNull();
    // a further step does not give it a due time again
    expect(trackTaskDue(late.state, T0 + 7_200_000).taskDue).toEqual({});
    // done: forgotten
    const done = trackTaskDue({ ...late.state, interp: { ...late.state.interp, tokens: [] } }, T0 + 7_200_000);
    expect(done.overdue).toEqual([]);
  });

  it('has nothing due once the instance has ended', () => {
    const s = trackTaskDue(state([{ id: 't1', node: 'approve' }]), T0);
    expect(nextTaskDue({ ...s, interp: { ...s.interp, status: 'terminated' } })).toBeNull();
  });

  it('leaves untold the tasks a run kept no due times for, and keeps those it opens after', () => {
    const old = state([{ id: 't1', node: 'approve' }]);
    // a new instance keeps its first task's due time from its start
    expect(takeUpTaskDue(old, false, T0).taskDue).toEqual({ t1: '2026-11-30T11:00:00.000Z' });
    // a run continued from one that kept none: when t1 opened is not known, so it is never told
    const taken = takeUpTaskDue(old, true, T0 + 86_400_000);
    expect(taken.taskDue).toEqual({});
    expect(nextTaskDue(taken)).toBeNull();
    const later = trackTaskDue(
      {
        ...taken,
        interp: { ...taken.interp, tokens: [...taken.interp.tokens, { id: 't2', node: 'approve', scope: null }] },
      },
      T0 + 86_400_000,
    );
    expect(later.taskDue).toEqual({ t2: '2026-12-01T11:00:00.000Z' });
    // t1 done: nothing is left untracked
    const done = trackTaskDue({ ...later, interp: { ...later.interp, tokens: later.interp.tokens.slice(1) } }, T0);
    expect(done.untracked).toBeUndefined();
    expect(done.taskDue).toEqual({ t2: '2026-12-01T11:00:00.000Z' });
    // a run that kept due times is taken up as it is
    expect(takeUpTaskDue(later, true, T0 + 2 * 86_400_000).taskDue).toEqual(later.taskDue);
  });
});
