import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileBpmn } from '../compile.ts';
import type { CompiledGraph } from '../graph.ts';
import { activeNodes, initialState, step, type Effect, type Happening, type InstanceState } from '../interpreter.ts';

let feasibility: CompiledGraph;
let errors: CompiledGraph;
const load = async (name: string) => {
  const r = await compileBpmn(fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8'));
  if ('problems' in r) throw new Error(JSON.stringify(r.problems));
  return r.graph;
};
beforeAll(async () => {
  feasibility = await load('feasibility.bpmn');
  errors = await load('errors-terminate.bpmn');
});

/** Drives an instance: each happening's effects are kept; tokens are found by the node they wait at. */
class Drive {
  state: InstanceState = initialState();
  effects: Effect[] = [];
  constructor(private readonly g: CompiledGraph) {}
  do(h: Happening) {
    const r = step(this.g, this.state, h);
    this.state = r.state;
    this.effects = r.effects;
    return this;
  }
  token(node: string) {
    const t = this.state.tokens.find((x) => x.node === node);
    if (!t) throw new Error(`no token at ${node}: ${JSON.stringify(this.state.tokens)}`);
    return t.id;
  }
  complete(node: string, variables: Record<string, unknown> = {}) {
    return this.do({ type: 'complete', tokenId: this.token(node), variables });
  }
  types() {
    return this.effects.map((e) => `${e.type}:${'node' in e ? e.node : e.status}`);
  }
}

describe('the regulation interpreter', () => {
  it('runs the feasibility regulation: a task with its SLA timer, a gateway, a parallel split and join, a sub-process', () => {
    const d = new Drive(feasibility).do({ type: 'start', variables: { product: 'Widget', quantity: 10 } });
    expect(d.types()).toEqual(['openTask:assess', 'startTimer:sla']);
    d.complete('assess', { feasible: true });
    // the SLA timer is cancelled; the split opens the cost task and enters the sub-process, whose timer starts
    expect(d.types()).toEqual(['cancel:sla', 'openTask:cost', 'startTimer:s_wait']);
    expect(activeNodes(d.state).sort()).toEqual(['cost', 's_wait', 'schedule']);
    d.complete('cost', { estimateAmount: 1200 });
    expect(d.state.status).toBe('running'); // the join waits for the sub-process
    d.do({ type: 'timerFired', tokenId: d.token('s_wait') });
    expect(d.state.status).toBe('completed');
    expect(d.types()).toEqual(['finished:completed']);
    expect(d.state.variables).toMatchObject({ feasible: true, estimateAmount: 1200 });
    expect(d.state.completed).toEqual(
      expect.arrayContaining(['assess', 'feasible', 'split', 'cost', 'schedule', 'join', 'done']),
    );
  });

  it('escalates without interrupting when the SLA timer fires, then goes on', () => {
    const d = new Drive(feasibility).do({ type: 'start', variables: {} });
    d.do({ type: 'timerFired', tokenId: d.token('sla') });
    expect(d.types()).toEqual(['runService:escalate']);
    expect(activeNodes(d.state).sort()).toEqual(['assess', 'escalate']);
    d.complete('escalate');
    d.complete('assess', { feasible: false });
    expect(d.state.status).toBe('failed');
    expect(d.state.error).toBe('NOT_FEASIBLE');
  });

  it('takes the default flow when no condition holds, and parks a failing service as an incident to resolve', () => {
    const d = new Drive(feasibility).do({ type: 'start', variables: {} });
    d.do({ type: 'timerFired', tokenId: d.token('sla') });
    d.do({ type: 'failed', tokenId: d.token('escalate'), message: 'SMTP refused' });
    expect(d.types()).toEqual(['incident:escalate']);
    expect(d.state.incidents).toHaveLength(1);
    d.do({ type: 'resolve', tokenId: d.token('escalate'), action: 'retry' });
    expect(d.types()).toEqual(['runService:escalate']);
    expect(d.state.incidents).toEqual([]);
  });

  it('refuses happenings for tokens that are gone, and a second start', () => {
    const d = new Drive(feasibility).do({ type: 'start', variables: {} });
    const assess = d.token('assess');
    d.complete('assess', { feasible: true });
    expect(() => d.do({ type: 'complete', tokenId: assess })).toThrow(/no token/);
    expect(() => d.do({ type: 'start', variables: {} })).toThrow(/already started/);
  });

  it('catches an error thrown inside a sub-process on its boundary, cancelling what ran there', () => {
    const d = new Drive(errors).do({ type: 'start', variables: {} });
    expect(d.types()).toEqual(['openTask:check']);
    d.complete('check', { bad: true });
    expect(d.types()).toEqual(['cancel:sub', 'openTask:fix']);
    expect(activeNodes(d.state)).toEqual(['fix']);
    d.complete('fix');
    expect(d.state.status).toBe('completed');
  });

  it('ends every branch at a terminate end', () => {
    const d = new Drive(errors).do({ type: 'start', variables: {} });
    d.complete('check', { bad: false });
    expect(activeNodes(d.state).sort()).toEqual(['fast', 'slow']);
    d.complete('fast');
    expect(d.types()).toEqual(['cancel:slow', 'finished:terminated']);
    expect(d.state.status).toBe('terminated');
    expect(d.state.tokens).toEqual([]);
  });
});
