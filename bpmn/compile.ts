/**
 * The compiler from BPMN 2.0 XML (drawn in bpmn-js, or saved by Camunda Modeler 7 or 8) to the graph the interpreter
 * runs. It parses with bpmn-moddle (with the Camunda, Zeebe and Dealflow extensions, so their attributes are read
 * where they map), then refuses — naming each element — what the interpreter does not run, nodes no path reaches,
 * gateways that cannot choose, user tasks without assignee or form, invalid FEEL and timers, and declared outputs no
 * node produces. Everything not refused is in the graph; nothing is silently dropped.
 */
import { BpmnModdle } from 'bpmn-moddle';
import camunda from 'camunda-bpmn-moddle/resources/camunda.json' with { type: 'json' };
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };
import { parseExpression } from 'feelin';
import dealflow from './dealflow-moddle.json' with { type: 'json' };
import {
  SERVICE_TYPES,
  type CompileProblem,
  type CompiledGraph,
  type GraphFlow,
  type GraphNode,
  type NodeKind,
  type RegulationField,
  type ServiceType,
} from './graph.ts';
import { xmlRefusal } from './safety.ts';
import { ISO_DURATION, isInstant } from './times.ts';

/** A moddle element, as far as the compiler reads it. */
interface El {
  $type: string;
  id?: string;
  name?: string;
  [key: string]: unknown;
}

/** Elements the interpreter deliberately does not run, with why (named in the refusal). */
const UNSUPPORTED: Record<string, string> = {
  'bpmn:InclusiveGateway': 'inclusive gateways are not supported: use exclusive and parallel gateways',
  'bpmn:EventBasedGateway': 'event-based gateways are not supported',
  'bpmn:ComplexGateway': 'complex gateways are not supported',
  'bpmn:ScriptTask': 'script tasks are not run: use a service task from the allow-list',
  'bpmn:BusinessRuleTask': 'business rule tasks are not supported',
  'bpmn:ManualTask': 'manual tasks are not supported: use a user task',
  'bpmn:Task': 'an untyped task does nothing: make it a user, service, send or receive task',
  'bpmn:Transaction': 'transactions (and compensation) are not supported',
  'bpmn:AdHocSubProcess': 'ad-hoc sub-processes are not supported',
  'bpmn:IntermediateThrowEvent': 'intermediate throw events are not supported',
};

/**
 * The parser with the extensions a file uses: Camunda 7's and Zeebe's descriptors both define some of the same
 * properties and cannot be loaded together (nor Camunda 7's with ours: the same attribute names), so a file naming
 * Camunda 7's namespace is read with that one alone, any other with Zeebe's and ours.
 */
const mod = (xml: string) =>
  new BpmnModdle(
    xml.includes('http://camunda.org/schema/1.0/bpmn') ? { camunda: camunda } : { zeebe: zeebe, dealflow: dealflow },
  );

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const list = (v: unknown): string[] =>
  (str(v) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const extensions = (el: El): El[] => ((el.extensionElements as El | undefined)?.values as El[] | undefined) ?? [];
const ext = (el: El, type: string): El | undefined => extensions(el).find((v) => v.$type === type);

/** A FEEL expression's problem, or null. Conditions may start with '=' (Camunda 8 style). */
export function feelProblem(expression: string): string | null {
  const text = expression.trim().replace(/^=/, '');
  if (!text) return 'empty expression';
  try {
    const tree = parseExpression(text, {}, undefined);
    let bad: string | null = null;
    tree.iterate({
      enter: (node) => {
        if (node.type.isError && !bad) bad = `syntax error at ${node.from}`;
      },
    });
    return bad;
  } catch (err) {
    return (err as Error).message || 'not a FEEL expression';
  }
}

function timerOf(el: El): { timer?: { duration?: string; date?: string }; problem?: string } {
  const def = ((el.eventDefinitions as El[] | undefined) ?? [])[0];
  const duration = str((def?.timeDuration as El | undefined)?.body);
  const date = str((def?.timeDate as El | undefined)?.body);
  if (def?.timeCycle) return { problem: 'repeating timers (timeCycle) are not supported' };
  if (duration) {
    return ISO_DURATION.test(duration)
      ? { timer: { duration } }
      : { problem: `"${duration}" is not an ISO 8601 duration` };
  }
  if (date)
    return isInstant(date)
      ? { timer: { date } }
      : { problem: `"${date}" is not a date and time with its offset (e.g. 2027-01-31T09:00:00Z)` };
  return { problem: 'a timer needs a duration or a date' };
}

export type CompileResult = { graph: CompiledGraph } | { problems: CompileProblem[] };

/** Compiles one BPMN file (its first executable process). */
export async function compileBpmn(xml: string): Promise<CompileResult> {
  const refused = xmlRefusal(xml);
  if (refused) return { problems: [{ elementId: null, code: refused.code, message: refused.message }] };
  let root: El;
  let warnings: { message: string; element?: El }[];
  try {
    const parsed = (await mod(xml).fromXML(xml)) as { rootElement: El; warnings: { message: string; element?: El }[] };
    root = parsed.rootElement;
    warnings = parsed.warnings;
  } catch (err) {
    return {
      problems: [{ elementId: null, code: 'BPMN_INVALID_XML', message: (err as Error).message.split('\n')[0] }],
    };
  }
  const problems: CompileProblem[] = [];
  // what the parser could not place is named, not dropped
  for (const w of warnings.slice(0, 20)) {
    problems.push({
      elementId: str(w.element?.id) ?? null,
      code: 'BPMN_UNKNOWN_ELEMENT',
      message: w.message.split('\n')[0],
    });
  }
  const processes = ((root.rootElements as El[] | undefined) ?? []).filter((e) => e.$type === 'bpmn:Process');
  const process = processes.find((p) => p.isExecutable !== false) ?? processes[0];
  if (!process) return { problems: [{ elementId: null, code: 'BPMN_NO_PROCESS', message: 'The file has no process' }] };
  if (((root.rootElements as El[] | undefined) ?? []).some((e) => e.$type === 'bpmn:Collaboration')) {
    const participants = (
      ((root.rootElements as El[]).find((e) => e.$type === 'bpmn:Collaboration')?.participants as El[] | undefined) ??
      []
    ).filter((p) => p.processRef);
    if (participants.length > 1) {
      problems.push({
        elementId: str(process.id) ?? null,
        code: 'BPMN_UNSUPPORTED',
        message: 'A regulation is one process: several pools are not supported (use lanes)',
      });
    }
  }

  const nodes: Record<string, GraphNode> = {};
  const flows: Record<string, GraphFlow> = {};
  const starts: Record<string, string> = {};
  const problem = (el: El | string | null, code: string, message: string) =>
    problems.push({ elementId: typeof el === 'string' ? el : (str(el?.id) ?? null), code, message });

  const walk = (container: El, scope: string | null) => {
    for (const el of (container.flowElements as El[] | undefined) ?? []) {
      const id = str(el.id);
      if (!id) {
        problem(null, 'BPMN_MISSING_ID', `A ${el.$type} has no id`);
        continue;
      }
      if (el.$type === 'bpmn:SequenceFlow') {
        const cond = str((el.conditionExpression as El | undefined)?.body);
        flows[id] = {
          id,
          source: str((el.sourceRef as El | undefined)?.id) ?? '',
          target: str((el.targetRef as El | undefined)?.id) ?? '',
          condition: cond ?? null,
        };
        if (cond) {
          const p = feelProblem(cond);
          if (p) problem(id, 'BPMN_INVALID_FEEL', `Condition "${cond}": ${p}`);
        }
        continue;
      }
      if (['bpmn:DataObject', 'bpmn:DataObjectReference', 'bpmn:DataStoreReference'].includes(el.$type)) continue;
      if (UNSUPPORTED[el.$type]) {
        problem(id, 'BPMN_UNSUPPORTED', UNSUPPORTED[el.$type]);
        continue;
      }
      if (el.loopCharacteristics) {
        problem(id, 'BPMN_UNSUPPORTED', 'multi-instance and loops are not supported');
        continue;
      }
      const node = nodeOf(el, id, scope, problem);
      if (!node) continue;
      nodes[id] = node;
      if (node.kind === 'start') {
        const key = scope ?? '';
        if (starts[key]) problem(id, 'BPMN_SEVERAL_STARTS', 'A process or sub-process has one none start event');
        else starts[key] = id;
      }
      if (node.kind === 'subProcess') walk(el, id);
    }
  };
  walk(process, null);

  for (const f of Object.values(flows)) {
    if (!nodes[f.source] || !nodes[f.target]) continue;
    nodes[f.source].outgoing.push(f.id);
    nodes[f.target].incoming.push(f.id);
  }
  if (!starts['']) problem(process, 'BPMN_NO_START', 'The process needs a none start event');
  for (const n of Object.values(nodes)) {
    if (n.kind === 'subProcess' && !starts[n.id])
      problem(n.id, 'BPMN_NO_START', 'The sub-process needs a none start event');
    if (n.kind === 'exclusiveGateway' && n.outgoing.length > 1) {
      for (const fid of n.outgoing) {
        if (fid !== n.defaultFlow && !flows[fid].condition) {
          problem(
            fid,
            'BPMN_GATEWAY_CONDITION_MISSING',
            `A flow out of gateway "${n.name || n.id}" has no condition and is not its default`,
          );
        }
      }
    }
    const isEnd = n.kind === 'end' || n.kind === 'terminateEnd' || n.kind === 'errorEnd';
    if (!isEnd && n.outgoing.length === 0 && n.kind !== 'errorBoundary' && n.kind !== 'timerBoundary') {
      problem(n.id, 'BPMN_DEAD_END', `"${n.name || n.id}" leads nowhere: connect it or end the path with an end event`);
    }
    if ((n.kind === 'timerBoundary' || n.kind === 'errorBoundary') && n.outgoing.length === 0) {
      problem(n.id, 'BPMN_DEAD_END', 'A boundary event needs an outgoing flow');
    }
    if (n.attachedTo && !nodes[n.attachedTo]) problem(n.id, 'BPMN_INVALID_BOUNDARY', 'It is attached to no task');
  }

  // reachability: from the process's start; a reachable sub-process reaches its start; a reachable task its boundaries
  const reached = new Set<string>();
  const queue = starts[''] ? [starts['']] : [];
  const boundaries = Object.values(nodes).filter((n) => n.attachedTo);
  while (queue.length) {
    const id = queue.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    const n = nodes[id];
    for (const fid of n.outgoing) queue.push(flows[fid].target);
    if (n.kind === 'subProcess' && starts[n.id]) queue.push(starts[n.id]);
    for (const b of boundaries) if (b.attachedTo === id) queue.push(b.id);
  }
  for (const n of Object.values(nodes)) {
    if (!reached.has(n.id)) problem(n.id, 'BPMN_UNREACHABLE', `No path from the start reaches "${n.name || n.id}"`);
  }

  const fields = (direction: 'input' | 'output'): RegulationField[] =>
    extensions(process)
      .filter((e) => e.$type === 'dealflow:Field' && (str(e.direction) ?? 'input') === direction)
      .map((e) => ({
        name: str(e.name) ?? '',
        type: str(e.type) ?? 'text',
        required: e.required !== false,
        ...(str(e.dealField) ? { dealField: str(e.dealField) } : {}),
      }));
  const inputs = fields('input');
  const outputs = fields('output');
  const produced = new Set(
    Object.values(nodes)
      .filter((n) => reached.has(n.id))
      .flatMap((n) => n.produces ?? []),
  );
  for (const o of outputs) {
    if (!o.name) problem(process, 'BPMN_INVALID_FIELD', 'An output has no name');
    else if (!produced.has(o.name)) {
      problem(process, 'BPMN_OUTPUT_NOT_PRODUCED', `No task produces the output "${o.name}"`);
    }
  }

  if (problems.length) return { problems };
  return {
    graph: {
      processId: str(process.id)!,
      name: str(process.name) ?? str(process.id)!,
      nodes,
      flows,
      starts,
      inputs,
      outputs,
    },
  };
}

type Problem = (el: El | string | null, code: string, message: string) => void;

/**
 * A service's or call's parameters: ours (`<dealflow:param name="to" value="=deal.ownerId" />`) and Zeebe's input
 * mappings (`<zeebe:input source="=x" target="y" />`); a value starting with '=' is FEEL, checked here.
 */
function paramsOf(el: El, id: string, problem: Problem): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const p of extensions(el).filter((e) => e.$type === 'dealflow:Param')) {
    const name = str(p.name);
    if (name) out[name] = typeof p.value === 'string' ? p.value : '';
  }
  for (const p of (ext(el, 'zeebe:IoMapping')?.inputParameters as El[] | undefined) ?? []) {
    const name = str(p.target);
    if (name) out[name] = typeof p.source === 'string' ? p.source : '';
  }
  for (const [name, value] of Object.entries(out)) {
    if (!value.trim().startsWith('=')) continue;
    const bad = feelProblem(value);
    if (bad) problem(id, 'BPMN_INVALID_FEEL', `Parameter "${name}" = "${value}": ${bad}`);
  }
  return Object.keys(out).length ? out : undefined;
}

/** One flow node, with the properties its kind needs read from Dealflow's, Camunda 7's or Zeebe's attributes. */
function nodeOf(el: El, id: string, scope: string | null, problem: Problem): GraphNode | null {
  const base = { id, name: str(el.name) ?? '', scope, incoming: [] as string[], outgoing: [] as string[] };
  const defs = (el.eventDefinitions as El[] | undefined) ?? [];
  const def = defs[0]?.$type;
  const produces = [
    ...list(ext(el, 'dealflow:Produces')?.names),
    ...(((ext(el, 'zeebe:IoMapping')?.outputParameters as El[] | undefined) ?? [])
      .map((o) => str(o.target))
      .filter(Boolean) as string[]),
  ];
  const params = paramsOf(el, id, problem);
  const kind = (k: NodeKind, extra: Partial<GraphNode> = {}): GraphNode => ({
    ...base,
    kind: k,
    ...(produces.length ? { produces } : {}),
    ...(params && ['serviceTask', 'sendTask', 'callActivity'].includes(k) ? { params } : {}),
    ...extra,
  });
  if (defs.length > 1) {
    problem(id, 'BPMN_UNSUPPORTED', 'events with several definitions are not supported');
    return null;
  }
  switch (el.$type) {
    case 'bpmn:StartEvent':
      if (def) {
        problem(
          id,
          'BPMN_UNSUPPORTED',
          'only none start events are supported: a regulation is started by a person or the API',
        );
        return null;
      }
      return kind('start');
    case 'bpmn:EndEvent':
      if (!def) return kind('end');
      if (def === 'bpmn:TerminateEventDefinition') return kind('terminateEnd');
      if (def === 'bpmn:ErrorEventDefinition') {
        const code = str((defs[0].errorRef as El | undefined)?.errorCode ?? undefined);
        return kind('errorEnd', { errorCode: code ?? str((defs[0].errorRef as El | undefined)?.id) ?? 'error' });
      }
      problem(id, 'BPMN_UNSUPPORTED', `end events of type ${def.replace('bpmn:', '')} are not supported`);
      return null;
    case 'bpmn:UserTask': {
      const assignment = ext(el, 'zeebe:AssignmentDefinition');
      const assignee = str(el.assignee) ?? str(assignment?.assignee);
      const candidateGroups = list(el.candidateGroups).length
        ? list(el.candidateGroups)
        : list(assignment?.candidateGroups);
      const formKey =
        str(el.formKey) ??
        str(ext(el, 'zeebe:FormDefinition')?.formKey) ??
        str(ext(el, 'zeebe:FormDefinition')?.formId);
      const due = str(el.due) ?? str(el.dueDate) ?? str(ext(el, 'zeebe:TaskSchedule')?.dueDate);
      if (!assignee && !candidateGroups.length) {
        problem(
          id,
          'BPMN_USER_TASK_UNASSIGNED',
          `User task "${base.name || id}" needs an assignee or candidate groups`,
        );
      }
      if (!formKey) problem(id, 'BPMN_USER_TASK_NO_FORM', `User task "${base.name || id}" needs a form`);
      if (assignee?.startsWith('=')) {
        const p = feelProblem(assignee);
        if (p) problem(id, 'BPMN_INVALID_FEEL', `Assignee "${assignee}": ${p}`);
      }
      if (due && !ISO_DURATION.test(due) && !isInstant(due)) {
        problem(
          id,
          'BPMN_INVALID_TIMER',
          `Due "${due}" is neither an ISO 8601 duration nor a date and time with its offset (e.g. 2027-01-31T09:00:00Z)`,
        );
      }
      return kind('userTask', {
        ...(assignee ? { assignee } : {}),
        ...(candidateGroups.length ? { candidateGroups } : {}),
        ...(formKey ? { formKey } : {}),
        ...(due ? { due } : {}),
      });
    }
    case 'bpmn:ServiceTask':
    case 'bpmn:SendTask': {
      // Camunda 7's external tasks name the work by their topic
      // a send task without a type tells whoever started the instance
      const type =
        (str(el.type) === 'external' ? str(el.topic) : str(el.type)) ??
        str(ext(el, 'zeebe:TaskDefinition')?.type) ??
        (el.$type === 'bpmn:SendTask' ? 'notify' : undefined);
      if (!type || !SERVICE_TYPES.includes(type as ServiceType)) {
        problem(
          id,
          'BPMN_SERVICE_NOT_ALLOWED',
          `Service "${type ?? '(none)'}" is not one of: ${SERVICE_TYPES.join(', ')}`,
        );
        return null;
      }
      return kind(el.$type === 'bpmn:SendTask' ? 'sendTask' : 'serviceTask', { serviceType: type as ServiceType });
    }
    case 'bpmn:ReceiveTask': {
      // the reply of a department: completed through the task API by whoever the task names
      const assignee = str(el.assignee);
      const candidateGroups = list(el.candidateGroups);
      if (assignee?.startsWith('=')) {
        const p = feelProblem(assignee);
        if (p) problem(id, 'BPMN_INVALID_FEEL', `Assignee "${assignee}": ${p}`);
      }
      return kind('receiveTask', {
        ...(assignee ? { assignee } : {}),
        ...(candidateGroups.length ? { candidateGroups } : {}),
      });
    }
    case 'bpmn:ExclusiveGateway':
      return kind('exclusiveGateway', el.default ? { defaultFlow: str((el.default as El).id) } : {});
    case 'bpmn:ParallelGateway':
      return kind('parallelGateway');
    case 'bpmn:SubProcess':
      if (el.triggeredByEvent) {
        problem(id, 'BPMN_UNSUPPORTED', 'event sub-processes are not supported');
        return null;
      }
      return kind('subProcess');
    case 'bpmn:CallActivity': {
      const called = str(el.calledElement) ?? str(ext(el, 'zeebe:CalledElement')?.processId);
      if (!called) problem(id, 'BPMN_CALL_WITHOUT_TARGET', 'A call activity names the regulation it calls');
      const v = str(el.version) ?? 'latest';
      const version = v === 'latest' ? 'latest' : Number(v);
      if (version !== 'latest' && !(Number.isInteger(version) && version > 0)) {
        problem(id, 'BPMN_INVALID_VERSION', `Version "${v}" is neither "latest" nor a version number`);
      }
      return kind('callActivity', { calledElement: called ?? '', calledVersion: version });
    }
    case 'bpmn:IntermediateCatchEvent': {
      if (def !== 'bpmn:TimerEventDefinition') {
        problem(
          id,
          'BPMN_UNSUPPORTED',
          'only timer intermediate catch events are supported (use a receive task for a reply)',
        );
        return null;
      }
      const t = timerOf(el);
      if (t.problem) problem(id, 'BPMN_INVALID_TIMER', t.problem);
      return kind('timerCatch', t.timer ? { timer: t.timer } : {});
    }
    case 'bpmn:BoundaryEvent': {
      const attachedTo = str((el.attachedToRef as El | undefined)?.id) ?? '';
      const interrupting = el.cancelActivity !== false;
      if (def === 'bpmn:TimerEventDefinition') {
        const t = timerOf(el);
        if (t.problem) problem(id, 'BPMN_INVALID_TIMER', t.problem);
        return kind('timerBoundary', { attachedTo, interrupting, ...(t.timer ? { timer: t.timer } : {}) });
      }
      if (def === 'bpmn:ErrorEventDefinition') {
        const ref = defs[0].errorRef as El | undefined;
        const code = str(ref?.errorCode) ?? str(ref?.id);
        return kind('errorBoundary', { attachedTo, interrupting: true, ...(code ? { errorCode: code } : {}) });
      }
      problem(id, 'BPMN_UNSUPPORTED', 'only timer and error boundary events are supported');
      return null;
    }
    default:
      problem(id, 'BPMN_UNSUPPORTED', `${el.$type.replace('bpmn:', '')} is not supported`);
      return null;
  }
}
