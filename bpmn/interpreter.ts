/**
 * The regulation interpreter's core, pure and deterministic: given the compiled graph, an instance's state and what
 * happened (started, a task completed, a timer fired, a service answered or failed), it returns the next state and
 * the effects the workflow carries out (open a user task, run an allow-listed service, start or cancel a timer, start
 * a child regulation, finish). Tokens are counted, not guessed: a parallel join fires when a token has arrived on
 * each of its incoming flows; a terminate end removes every token of its scope; an error end is caught by the nearest
 * error boundary around it, else fails the instance with its code (for a calling parent to catch). Gateway conditions
 * are FEEL, evaluated by feelin — the engine form-js uses in the browser.
 */
import { evaluate } from 'feelin';
import type { CompiledGraph, GraphNode, Timer } from './graph.ts';

export interface Token {
  id: string;
  node: string;
  /** the token of the sub-process this one runs inside, or null at the process level */
  scope: string | null;
  /** for a boundary event's timer: the token of the task it is attached to */
  boundaryOf?: string;
}

export interface Incident {
  tokenId: string;
  node: string;
  message: string;
}

export interface InstanceState {
  status: 'running' | 'completed' | 'terminated' | 'failed';
  tokens: Token[];
  /** parallel joins: per join node and scope, the incoming flows a token has arrived on (one entry per token) */
  arrivals: Record<string, string[]>;
  variables: Record<string, unknown>;
  /** nodes that have completed at least once, for the diagram */
  completed: string[];
  incidents: Incident[];
  /** the code of the error that failed the instance */
  error?: string;
  seq: number;
}

export type Effect =
  | { type: 'openTask'; tokenId: string; node: string }
  | { type: 'runService'; tokenId: string; node: string }
  | { type: 'waitReceive'; tokenId: string; node: string }
  | { type: 'callRegulation'; tokenId: string; node: string }
  | { type: 'startTimer'; tokenId: string; node: string; timer: Timer }
  | { type: 'cancel'; tokenId: string; node: string }
  | { type: 'incident'; tokenId: string; node: string; message: string }
  | { type: 'finished'; status: InstanceState['status']; error?: string };

export type Happening =
  | { type: 'start'; variables: Record<string, unknown> }
  | { type: 'complete'; tokenId: string; variables?: Record<string, unknown> }
  | { type: 'timerFired'; tokenId: string }
  | { type: 'failed'; tokenId: string; message: string }
  | { type: 'throwError'; tokenId: string; code: string }
  /** an incident resolved: retry the node (with variables set), or skip it as if it completed */
  | { type: 'resolve'; tokenId: string; action: 'retry' | 'skip'; variables?: Record<string, unknown> }
  /** the instance is cancelled as a whole (its calling instance's call was interrupted): every token is removed */
  | { type: 'terminate' };

export const initialState = (): InstanceState => ({
  status: 'running',
  tokens: [],
  arrivals: {},
  variables: {},
  completed: [],
  incidents: [],
  seq: 0,
});

export class InterpreterError extends Error {}

/** Applies one happening; returns the new state (the input is not changed) and the effects to carry out, in order. */
export function step(
  graph: CompiledGraph,
  before: InstanceState,
  h: Happening,
): { state: InstanceState; effects: Effect[] } {
  // a deep copy by JSON: the state is plain data, and the workflow sandbox has no structuredClone
  const s = JSON.parse(JSON.stringify(before)) as InstanceState;
  const effects: Effect[] = [];
  const run = new Run(graph, s, effects);
  run.apply(h);
  return { state: s, effects };
}

class Run {
  constructor(
    private readonly g: CompiledGraph,
    private readonly s: InstanceState,
    private readonly effects: Effect[],
  ) {}

  apply(h: Happening) {
    if (h.type === 'start') {
      if (this.s.tokens.length || this.s.status !== 'running') throw new InterpreterError('already started');
      Object.assign(this.s.variables, h.variables);
      const start = this.g.starts[''];
      this.arrive(this.newToken(start, null));
      this.finishIfDone();
      return;
    }
    if (this.s.status !== 'running') throw new InterpreterError(`the instance is ${this.s.status}`);
    if (h.type === 'terminate') {
      for (const t of [...this.s.tokens]) this.cancel(t);
      this.s.status = 'terminated';
      this.finishIfDone();
      return;
    }
    const token = this.s.tokens.find((t) => t.id === h.tokenId);
    if (!token) throw new InterpreterError(`no token ${h.tokenId}`);
    const node = this.g.nodes[token.node];
    switch (h.type) {
      case 'complete':
        Object.assign(this.s.variables, h.variables ?? {});
        this.leave(token);
        break;
      case 'timerFired':
        if (node.kind === 'timerBoundary') this.boundaryFired(token, node);
        else this.leave(token);
        break;
      case 'failed':
        this.s.incidents.push({ tokenId: token.id, node: node.id, message: h.message });
        this.effects.push({ type: 'incident', tokenId: token.id, node: node.id, message: h.message });
        return;
      case 'resolve':
        this.s.incidents = this.s.incidents.filter((i) => i.tokenId !== token.id);
        Object.assign(this.s.variables, h.variables ?? {});
        if (h.action === 'skip') this.leave(token);
        else this.enter(token);
        break;
      case 'throwError':
        this.throwError(token, h.code);
        break;
    }
    this.finishIfDone();
  }

  private newToken(node: string, scope: string | null, boundaryOf?: string): Token {
    const t: Token = { id: `t${++this.s.seq}`, node, scope, ...(boundaryOf ? { boundaryOf } : {}) };
    this.s.tokens.push(t);
    return t;
  }

  private remove(token: Token) {
    this.s.tokens = this.s.tokens.filter((t) => t.id !== token.id);
  }

  /** Removes a waiting token with what hangs on it: its boundary timers, and inside a sub-process every token. */
  private cancel(token: Token) {
    for (const t of this.s.tokens.filter((x) => x.boundaryOf === token.id || x.scope === token.id)) this.cancel(t);
    if (!this.s.tokens.some((t) => t.id === token.id)) return;
    this.remove(token);
    this.s.incidents = this.s.incidents.filter((i) => i.tokenId !== token.id);
    this.effects.push({ type: 'cancel', tokenId: token.id, node: token.node });
  }

  private markDone(node: string) {
    if (!this.s.completed.includes(node)) this.s.completed.push(node);
  }

  /** A token has just arrived at its node. */
  private arrive(token: Token) {
    const node = this.g.nodes[token.node];
    switch (node.kind) {
      case 'start':
        this.markDone(node.id);
        this.leave(token);
        return;
      case 'end':
      case 'terminateEnd':
      case 'errorEnd':
        this.markDone(node.id);
        this.remove(token);
        if (node.kind === 'terminateEnd') {
          for (const t of this.s.tokens.filter((x) => x.scope === token.scope && !x.boundaryOf)) this.cancel(t);
          if (token.scope === null) {
            for (const t of [...this.s.tokens]) this.cancel(t);
            this.s.status = 'terminated';
            return;
          }
        }
        if (node.kind === 'errorEnd') {
          this.raise(token.scope, node.errorCode ?? 'error');
          return;
        }
        this.scopeMayEnd(token.scope);
        return;
      case 'exclusiveGateway': {
        const flow = this.choose(node);
        if (!flow) {
          const message = `No condition of gateway "${node.name || node.id}" holds and it has no default flow`;
          this.s.incidents.push({ tokenId: token.id, node: node.id, message });
          this.effects.push({ type: 'incident', tokenId: token.id, node: node.id, message });
          return;
        }
        this.markDone(node.id);
        this.remove(token);
        this.arrive(this.newToken(this.g.flows[flow].target, token.scope));
        return;
      }
      case 'parallelGateway': {
        if (node.incoming.length > 1) {
          const key = `${node.id}@${token.scope ?? ''}`;
          const arrived = (this.s.arrivals[key] ??= []);
          arrived.push((token as Token & { via?: string }).via ?? '');
          this.remove(token);
          if (!node.incoming.every((f) => arrived.includes(f))) return;
          // one token from each incoming flow is consumed; later ones wait for the next round
          for (const f of node.incoming) arrived.splice(arrived.indexOf(f), 1);
          if (!arrived.length) delete this.s.arrivals[key];
          this.markDone(node.id);
          for (const f of node.outgoing) this.follow(f, token.scope);
          return;
        }
        this.markDone(node.id);
        this.remove(token);
        for (const f of node.outgoing) this.follow(f, token.scope);
        return;
      }
      case 'subProcess':
        this.armBoundaries(token);
        this.arrive(this.newToken(this.g.starts[node.id], token.id));
        return;
      default:
        this.enter(token);
    }
  }

  /** A token enters a waiting node: the effect that starts its work, and its boundary timers. */
  private enter(token: Token) {
    const node = this.g.nodes[token.node];
    const at = { tokenId: token.id, node: node.id };
    switch (node.kind) {
      case 'userTask':
        this.effects.push({ type: 'openTask', ...at });
        break;
      case 'serviceTask':
      case 'sendTask':
        this.effects.push({ type: 'runService', ...at });
        break;
      case 'receiveTask':
        this.effects.push({ type: 'waitReceive', ...at });
        break;
      case 'callActivity':
        this.effects.push({ type: 'callRegulation', ...at });
        break;
      case 'timerCatch':
        this.effects.push({ type: 'startTimer', ...at, timer: node.timer! });
        return;
      default:
        throw new InterpreterError(`${node.kind} does not wait`);
    }
    this.armBoundaries(token);
  }

  private armBoundaries(token: Token) {
    for (const b of Object.values(this.g.nodes)) {
      if (b.attachedTo !== token.node || b.kind !== 'timerBoundary') continue;
      if (this.s.tokens.some((t) => t.boundaryOf === token.id && t.node === b.id)) continue;
      const bt = this.newToken(b.id, token.scope, token.id);
      this.effects.push({ type: 'startTimer', tokenId: bt.id, node: b.id, timer: b.timer! });
    }
  }

  private boundaryFired(boundary: Token, node: GraphNode) {
    const task = this.s.tokens.find((t) => t.id === boundary.boundaryOf);
    this.remove(boundary);
    this.markDone(node.id);
    if (node.interrupting && task) this.cancel(task);
    for (const f of node.outgoing) this.follow(f, boundary.scope);
  }

  /** A waiting node is done: its boundary timers are cancelled and the token follows every outgoing flow. */
  private leave(token: Token) {
    for (const t of this.s.tokens.filter((x) => x.boundaryOf === token.id)) this.cancel(t);
    this.remove(token);
    this.markDone(token.node);
    const node = this.g.nodes[token.node];
    if (!node.outgoing.length) this.scopeMayEnd(token.scope);
    for (const f of node.outgoing) this.follow(f, token.scope);
  }

  private follow(flowId: string, scope: string | null) {
    const t = this.newToken(this.g.flows[flowId].target, scope) as Token & { via?: string };
    t.via = flowId;
    this.arrive(t);
    delete (t as { via?: string }).via;
  }

  /** The first flow whose condition holds, else the default flow, else null. */
  private choose(node: GraphNode): string | null {
    for (const fid of node.outgoing) {
      if (fid === node.defaultFlow) continue;
      const cond = this.g.flows[fid].condition;
      if (cond === null) return fid;
      if (this.holds(cond)) return fid;
    }
    return node.defaultFlow ?? null;
  }

  private holds(condition: string): boolean {
    try {
      return evaluate(condition.trim().replace(/^=/, ''), this.s.variables).value === true;
    } catch {
      return false;
    }
  }

  /** A scope with no tokens left has ended: a sub-process's token moves on; the process completes. */
  private scopeMayEnd(scope: string | null) {
    if (this.s.tokens.some((t) => t.scope === scope && !t.boundaryOf)) return;
    if (scope === null) return;
    const owner = this.s.tokens.find((t) => t.id === scope);
    if (owner) this.leave(owner);
  }

  /** An error thrown in a scope: caught by an error boundary of the sub-process around it, else it propagates. */
  private raise(scope: string | null, code: string) {
    if (scope === null) {
      for (const t of [...this.s.tokens]) this.cancel(t);
      this.s.status = 'failed';
      this.s.error = code;
      return;
    }
    const owner = this.s.tokens.find((t) => t.id === scope);
    if (!owner) return;
    this.catchOn(owner, code);
  }

  /** An error raised by a waiting node (a task's work, a called regulation) or reaching a sub-process token. */
  private throwError(token: Token, code: string) {
    this.catchOn(token, code);
  }

  private catchOn(token: Token, code: string) {
    const boundary = Object.values(this.g.nodes).find(
      (b) => b.kind === 'errorBoundary' && b.attachedTo === token.node && (!b.errorCode || b.errorCode === code),
    );
    if (boundary) {
      this.cancel(token);
      this.markDone(boundary.id);
      for (const f of boundary.outgoing) this.follow(f, token.scope);
      return;
    }
    this.cancel(token);
    this.raise(token.scope, code);
  }

  private finishIfDone() {
    if (this.s.status === 'failed' || this.s.status === 'terminated') {
      if (!this.effects.some((e) => e.type === 'finished')) {
        this.effects.push({
          type: 'finished',
          status: this.s.status,
          ...(this.s.error ? { error: this.s.error } : {}),
        });
      }
      return;
    }
    if (this.s.status === 'running' && !this.s.tokens.length) {
      this.s.status = 'completed';
      this.effects.push({ type: 'finished', status: 'completed' });
    }
  }
}

/** The tokens waiting at user tasks, for the inbox and the diagram. */
export const activeNodes = (s: InstanceState) => [...new Set(s.tokens.filter((t) => !t.boundaryOf).map((t) => t.node))];
