/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument -- bpmn-js, bpmnlint and moddle objects are untyped JavaScript */
/**
 * bpmnlint rules that mirror the compiler's refusals (bpmn/compile.ts), flagged while drawing: a local plugin given to
 * bpmn-js-bpmnlint as a config and a resolver object (no bundler plugin needed). The server stays the judge at publish.
 */
import { parseExpression } from 'feelin';
import { ISO_DURATION, isInstant } from '../../../../bpmn/times.ts';

type Reporter = { report: (id: string, message: string) => void };
type Rule = () => { check: (node: any, reporter: Reporter) => void };

const UNSUPPORTED: Record<string, string> = {
  'bpmn:InclusiveGateway': 'Inclusive gateways are not supported: use exclusive and parallel gateways',
  'bpmn:EventBasedGateway': 'Event-based gateways are not supported',
  'bpmn:ComplexGateway': 'Complex gateways are not supported',
  'bpmn:ScriptTask': 'Script tasks are not run: use a service task',
  'bpmn:BusinessRuleTask': 'Business rule tasks are not supported',
  'bpmn:ManualTask': 'Manual tasks are not supported: use a user task',
  'bpmn:Task': 'An untyped task does nothing: make it a user, service, send or receive task',
  'bpmn:Transaction': 'Transactions are not supported',
  'bpmn:AdHocSubProcess': 'Ad-hoc sub-processes are not supported',
  'bpmn:IntermediateThrowEvent': 'Intermediate throw events are not supported',
};
const SERVICES = ['notify', 'sendEmail', 'createCalendarEvent', 'setDealField', 'requestDocument', 'waitDealStage'];

export function feelError(expression: string): boolean {
  const text = expression.trim().replace(/^=/, '');
  if (!text) return true;
  try {
    let bad = false;
    parseExpression(text, {}, undefined).iterate({
      enter: (n) => {
        if (n.type.isError) bad = true;
      },
    });
    return bad;
  } catch {
    return true;
  }
}

const defs = (node: any): any[] => node.eventDefinitions ?? [];
/** A node's flows, read from its container (files need not list <incoming>/<outgoing> on their nodes). */
const flows = (node: any, end: 'sourceRef' | 'targetRef'): any[] =>
  ((node.$parent?.flowElements ?? []) as any[]).filter((f) => f.$type === 'bpmn:SequenceFlow' && f[end] === node);

const supported: Rule = () => ({
  check(node, reporter) {
    if (UNSUPPORTED[node.$type]) return reporter.report(node.id, UNSUPPORTED[node.$type]);
    if (node.loopCharacteristics) return reporter.report(node.id, 'Loops and multi-instance are not supported');
    const d = defs(node)[0]?.$type;
    if (node.$type === 'bpmn:StartEvent' && d) reporter.report(node.id, 'Only none start events are supported');
    if (
      node.$type === 'bpmn:EndEvent' &&
      d &&
      d !== 'bpmn:TerminateEventDefinition' &&
      d !== 'bpmn:ErrorEventDefinition'
    )
      reporter.report(node.id, 'Only none, terminate and error end events are supported');
    if (node.$type === 'bpmn:IntermediateCatchEvent' && d !== 'bpmn:TimerEventDefinition')
      reporter.report(node.id, 'Only timer catch events are supported');
    if (node.$type === 'bpmn:BoundaryEvent' && d !== 'bpmn:TimerEventDefinition' && d !== 'bpmn:ErrorEventDefinition')
      reporter.report(node.id, 'Only timer and error boundary events are supported');
    if (node.$type === 'bpmn:SubProcess' && node.triggeredByEvent)
      reporter.report(node.id, 'Event sub-processes are not supported');
    if ((node.$type === 'bpmn:ServiceTask' || node.$type === 'bpmn:SendTask') && !SERVICES.includes(node.type))
      reporter.report(node.id, `Choose a service: ${SERVICES.join(', ')}`);
  },
});

const userTask: Rule = () => ({
  check(node, reporter) {
    if (node.$type !== 'bpmn:UserTask') return;
    if (!node.assignee && !node.candidateGroups)
      reporter.report(node.id, 'A user task needs an assignee or candidate groups');
    if (!node.formKey) reporter.report(node.id, 'A user task needs a form');
    if (node.assignee?.startsWith('=') && feelError(node.assignee))
      reporter.report(node.id, 'The assignee is not valid FEEL');
    if (node.due && !ISO_DURATION.test(node.due) && !isInstant(node.due))
      reporter.report(node.id, 'Due is neither an ISO 8601 duration (P2D) nor a date and time with its offset');
  },
});

const gateways: Rule = () => ({
  check(node, reporter) {
    if (
      node.$type === 'bpmn:SequenceFlow' &&
      node.conditionExpression?.body &&
      feelError(node.conditionExpression.body)
    )
      reporter.report(node.id, 'The condition is not valid FEEL');
    if (node.$type !== 'bpmn:ExclusiveGateway') return;
    const out = flows(node, 'sourceRef');
    if (out.length < 2) return;
    for (const f of out) {
      if (f !== node.default && !f.conditionExpression?.body)
        reporter.report(f.id, 'A flow out of an exclusive gateway needs a condition, or must be its default');
    }
  },
});

const timers: Rule = () => ({
  check(node, reporter) {
    const def = defs(node)[0];
    if (def?.$type !== 'bpmn:TimerEventDefinition') return;
    if (def.timeCycle) return reporter.report(node.id, 'Repeating timers are not supported');
    const duration = def.timeDuration?.body?.trim();
    const date = def.timeDate?.body?.trim();
    if (duration ? !ISO_DURATION.test(duration) : !date || !isInstant(date))
      reporter.report(node.id, 'A timer needs an ISO 8601 duration (PT2H) or a date and time with its offset');
  },
});

const connected: Rule = () => ({
  check(node, reporter) {
    if (!node.$instanceOf?.('bpmn:FlowNode') || node.$type === 'bpmn:BoundaryEvent') return;
    const isStart = node.$type === 'bpmn:StartEvent';
    const isEnd = node.$type === 'bpmn:EndEvent';
    if (!isStart && !flows(node, 'targetRef').length) reporter.report(node.id, 'No path reaches this element');
    else if (!isEnd && !flows(node, 'sourceRef').length) reporter.report(node.id, 'This element leads nowhere');
  },
});

const RULES: Record<string, Rule> = {
  'supported-elements': supported,
  'user-task': userTask,
  'gateway-conditions': gateways,
  timers,
  connected,
};

/** The linter's config and resolver, as bpmn-js-bpmnlint takes them (`linting: { bpmnlint }`). */
export const lintConfig = {
  config: { rules: Object.fromEntries(Object.keys(RULES).map((r) => [`dealflow/${r}`, 'error'])) },
  resolver: {
    resolveRule: (pkg: string, name: string) => {
      if (pkg !== 'bpmnlint-plugin-dealflow' || !RULES[name]) throw new Error(`unknown rule ${pkg}/${name}`);
      return RULES[name];
    },
    resolveConfig: () => {
      throw new Error('no shared configs');
    },
  },
};
