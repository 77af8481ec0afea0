/**
 * A running regulation as its workflow holds it, and how each happening changes it: the interpreter's step
 * (bpmn/interpreter.ts) plus the timers its effects start and the services waiting to run. Pure and deterministic
 * (`now` comes from the workflow's clock): bundled into the workflow code.
 */
import type { CompiledGraph } from '../../bpmn/graph.ts';
import { step, type Effect, type Happening, type InstanceState } from '../../bpmn/interpreter.ts';

export interface RegulationState {
  id: string;
  version: number;
  regulationId: string;
  key: string;
  graph: CompiledGraph;
  interp: InstanceState;
  /** per timer token, when it fires (ISO) */
  timers: Record<string, string>;
  /** service tokens waiting to run, in order */
  services: string[];
}

/** When an ISO 8601 duration (P1DT2H…) or date-time after `now` falls. */
export function dueAfter(now: number, timer: { duration?: string; date?: string }): number {
  if (timer.date) return Date.parse(timer.date);
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
    timer.duration ?? '',
  );
  if (!m) return now;
  const [, y, mo, w, d, h, mi, s] = m.map((x) => Number(x ?? 0));
  const days = y * 365 + mo * 30 + w * 7 + d;
  return now + ((days * 24 + h) * 60 + mi) * 60_000 + s * 1000;
}

export interface Advanced {
  state: RegulationState;
  effects: Effect[];
}

/** Applies one happening to the instance: the interpreter's step, then timers and services kept from its effects. */
export function advance(s: RegulationState, h: Happening, now: number): Advanced {
  const r = step(s.graph, s.interp, h);
  const timers = { ...s.timers };
  let services = [...s.services];
  const done = 'tokenId' in h ? h.tokenId : null;
  if (done) {
    delete timers[done];
    services = services.filter((t) => t !== done);
  }
  for (const e of r.effects) {
    if (e.type === 'startTimer') timers[e.tokenId] = new Date(dueAfter(now, e.timer)).toISOString();
    if (e.type === 'cancel') {
      delete timers[e.tokenId];
      services = services.filter((t) => t !== e.tokenId);
    }
    if (e.type === 'runService') services.push(e.tokenId);
  }
  return { state: { ...s, interp: r.state, timers, services }, effects: r.effects };
}

/** The next moment the workflow has work of its own: a service to run now, else the earliest timer; null when none. */
export function nextWork(s: RegulationState, now: number): number | null {
  if (s.interp.status !== 'running') return null;
  if (s.services.length) return now;
  const times = Object.values(s.timers).map((t) => Date.parse(t));
  return times.length ? Math.min(...times) : null;
}

/** The user task a token waits at, or null. */
export const openTask = (s: RegulationState, tokenId: string) => {
  const t = s.interp.tokens.find((x) => x.id === tokenId);
  return t && s.graph.nodes[t.node]?.kind === 'userTask' ? t : null;
};
