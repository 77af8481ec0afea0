import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileBpmn, feelProblem, type CompileResult } from '../compile.ts';
import type { CompiledGraph, CompileProblem } from '../graph.ts';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const graphOf = (r: CompileResult): CompiledGraph => {
  if ('problems' in r) throw new Error(JSON.stringify(r.problems));
  return r.graph;
};
const problemsOf = (r: CompileResult): CompileProblem[] => ('problems' in r ? r.problems : []);

describe('the BPMN compiler', () => {
  it('compiles the feasibility regulation: tasks, gateways, a sub-process, timers, an error end, inputs and outputs', async () => {
    const g = graphOf(await compileBpmn(fixture('feasibility.bpmn')));
    expect(g.processId).toBe('feasibility');
    expect(g.starts['']).toBe('start');
    expect(g.starts.schedule).toBe('s_start');
    expect(g.nodes.assess).toMatchObject({
      kind: 'userTask',
      candidateGroups: ['department:production'],
      formKey: 'feasibility-assessment',
      due: 'P2D',
    });
    expect(g.nodes.sla).toMatchObject({
      kind: 'timerBoundary',
      attachedTo: 'assess',
      interrupting: false,
      timer: { duration: 'P2D' },
    });
    expect(g.nodes.feasible).toMatchObject({ kind: 'exclusiveGateway', defaultFlow: 'fno', outgoing: ['fyes', 'fno'] });
    expect(g.flows.fyes.condition).toBe('=feasible = true');
    expect(g.nodes.refused).toMatchObject({ kind: 'errorEnd', errorCode: 'NOT_FEASIBLE' });
    expect(g.nodes.join).toMatchObject({ kind: 'parallelGateway', incoming: ['f5', 'f6'] });
    expect(g.nodes.s_wait).toMatchObject({ kind: 'timerCatch', scope: 'schedule', timer: { duration: 'PT1H' } });
    expect(g.nodes.escalate).toMatchObject({ kind: 'serviceTask', serviceType: 'notify' });
    expect(g.inputs.map((f) => f.name)).toEqual(['product', 'quantity']);
    expect(g.outputs.map((f) => f.name)).toEqual(['estimateAmount', 'estimateDocument']);
  });

  it("reads a Camunda Modeler 8 file's Zeebe assignment, form, task type and output mapping", async () => {
    const g = graphOf(await compileBpmn(fixture('camunda8-contract.bpmn')));
    expect(g.name).toBe('Sales → Legal: contract approval');
    expect(g.nodes.Review).toMatchObject({
      kind: 'userTask',
      candidateGroups: ['legal'],
      formKey: 'contract-review',
      produces: ['approved'],
    });
    expect(g.nodes.Notify).toMatchObject({ kind: 'serviceTask', serviceType: 'notify' });
  });

  it("reads a Camunda Modeler 7 file's assignee, candidate groups, form key, due date and external task topic", async () => {
    const g = graphOf(await compileBpmn(fixture('camunda7-approval.bpmn')));
    expect(g.nodes.Approve).toMatchObject({
      kind: 'userTask',
      assignee: '${dealOwnerLead}',
      candidateGroups: ['finance', 'sales-leads'],
      formKey: 'discount-approval',
      due: 'P1D',
    });
    expect(g.nodes.Mail).toMatchObject({ kind: 'serviceTask', serviceType: 'sendEmail' });
  });

  it('names every element it cannot run, and why, instead of dropping it', async () => {
    const problems = problemsOf(await compileBpmn(fixture('unsupported.bpmn')));
    const byElement = (id: string) => problems.filter((p) => p.elementId === id).map((p) => p.code);
    expect(byElement('inclusive')).toEqual(['BPMN_UNSUPPORTED']);
    expect(byElement('review')).toEqual(
      expect.arrayContaining(['BPMN_USER_TASK_UNASSIGNED', 'BPMN_USER_TASK_NO_FORM']),
    );
    expect(byElement('f4')).toContain('BPMN_INVALID_FEEL');
    expect(byElement('f5')).toContain('BPMN_GATEWAY_CONDITION_MISSING');
    expect(byElement('shell')).toEqual(['BPMN_SERVICE_NOT_ALLOWED']);
    expect(byElement('orphan')).toEqual(['BPMN_UNSUPPORTED']);
    expect(byElement('many')).toEqual(['BPMN_UNSUPPORTED']);
  });

  it('refuses unreachable nodes and outputs no task produces', async () => {
    const xml = fixture('feasibility.bpmn')
      .replace('<bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="schedule" />', '')
      .replace('names="estimateAmount, estimateDocument"', 'names="estimateAmount"');
    const problems = problemsOf(await compileBpmn(xml));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ elementId: 'schedule', code: 'BPMN_UNREACHABLE' }),
        expect.objectContaining({ elementId: 'feasibility', code: 'BPMN_OUTPUT_NOT_PRODUCED' }),
      ]),
    );
  });

  it('takes a due date or timer date only with its offset, so every worker reads the same instant', async () => {
    const local = fixture('feasibility.bpmn')
      .replace('dealflow:due="P2D"', 'dealflow:due="2027-01-31T09:00"')
      .replace('<bpmn:timeDuration>PT1H</bpmn:timeDuration>', '<bpmn:timeDate>2027-01-31T09:00:00</bpmn:timeDate>');
    expect(problemsOf(await compileBpmn(local))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ elementId: 'assess', code: 'BPMN_INVALID_TIMER' }),
        expect.objectContaining({ elementId: 's_wait', code: 'BPMN_INVALID_TIMER' }),
      ]),
    );
    const offset = fixture('feasibility.bpmn')
      .replace('dealflow:due="P2D"', 'dealflow:due="2027-01-31T09:00:00+03:00"')
      .replace('<bpmn:timeDuration>PT1H</bpmn:timeDuration>', '<bpmn:timeDate>2027-01-31T06:00:00Z</bpmn:timeDate>');
    const g = graphOf(await compileBpmn(offset));
    expect(g.nodes.assess).toMatchObject({ due: '2027-01-31T09:00:00+03:00' });
    expect(g.nodes.s_wait).toMatchObject({ timer: { date: '2027-01-31T06:00:00Z' } });
  });

  it('refuses hostile XML quickly: entities, a billion laughs, deep nesting, huge files, non-XML', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><bpmn:definitions>&lol2;</bpmn:definitions>`;
    const xxe = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>`;
    const deep = `<a>${'<b>'.repeat(5000)}${'</b>'.repeat(5000)}</a>`;
    const huge = `<a>${'x'.repeat(3 * 1024 * 1024)}</a>`;
    const started = performance.now();
    expect(problemsOf(await compileBpmn(laughs))[0].code).toBe('BPMN_DOCTYPE');
    expect(problemsOf(await compileBpmn(xxe))[0].code).toBe('BPMN_DOCTYPE');
    expect(problemsOf(await compileBpmn(deep))[0].code).toBe('BPMN_TOO_DEEP');
    expect(problemsOf(await compileBpmn(huge))[0].code).toBe('BPMN_TOO_LARGE');
    expect(problemsOf(await compileBpmn('{"json": true}'))[0].code).toBe('BPMN_NOT_XML');
    expect(problemsOf(await compileBpmn('<a><b></a>'))[0].code).toMatch(
      /BPMN_(INVALID_XML|NO_PROCESS|UNKNOWN_ELEMENT)/,
    );
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("reads services' parameters, a receive task's group, a send task's default and fields' deal mapping", async () => {
    const xml = (value: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:dealflow="https://dealflow.dev/schema/bpmn/1.0" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:extensionElements>
      <dealflow:field name="budget" type="number" direction="input" dealField="amount" />
    </bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="set" />
    <bpmn:serviceTask id="set" dealflow:type="setDealField">
      <bpmn:extensionElements><dealflow:param name="field" value="amount" /><dealflow:param name="value" value="${value}" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="set" targetRef="tell" />
    <bpmn:sendTask id="tell" />
    <bpmn:sequenceFlow id="f3" sourceRef="tell" targetRef="reply" />
    <bpmn:receiveTask id="reply" dealflow:candidateGroups="Legal" />
    <bpmn:sequenceFlow id="f4" sourceRef="reply" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
    const g = graphOf(await compileBpmn(xml('=budget * 2')));
    expect(g.nodes.set).toMatchObject({
      serviceType: 'setDealField',
      params: { field: 'amount', value: '=budget * 2' },
    });
    expect(g.nodes.tell).toMatchObject({ kind: 'sendTask', serviceType: 'notify' });
    expect(g.nodes.reply).toMatchObject({ kind: 'receiveTask', candidateGroups: ['Legal'] });
    expect(g.inputs).toEqual([{ name: 'budget', type: 'number', required: true, dealField: 'amount' }]);
    expect(problemsOf(await compileBpmn(xml('=budget *')))).toMatchObject([
      { elementId: 'set', code: 'BPMN_INVALID_FEEL' },
    ]);
  });

  it('checks FEEL as the browser and the server both read it', () => {
    expect(feelProblem('amount > 1000 and approved')).toBeNull();
    expect(feelProblem('=deal.ownerId')).toBeNull();
    expect(feelProblem('amount >')).not.toBeNull();
    expect(feelProblem('')).not.toBeNull();
  });
});
