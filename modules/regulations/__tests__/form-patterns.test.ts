import { describe, expect, it } from 'vitest';
import { checkSubmission, formsOf, type FormSchema } from '../forms.ts';

const schema = (pattern: string): FormSchema => ({
  type: 'default',
  components: [{ type: 'textfield', key: 'code', label: 'Code', validate: { pattern } }],
});

const bpmnWith = (pattern: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:extensionElements>
      <zeebe:userTaskForm id="f">${JSON.stringify(schema(pattern)).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</zeebe:userTaskForm>
    </bpmn:extensionElements>
    <bpmn:startEvent id="s" />
  </bpmn:process>
</bpmn:definitions>`;

describe('form patterns on the server', () => {
  it('checks a value against its pattern as the browser does', () => {
    expect(checkSubmission(schema('^[A-Z]{3}-\\d+$'), { code: 'ABC-12' }).errors).toEqual([]);
    expect(checkSubmission(schema('^[A-Z]{3}-\\d+$'), { code: 'abc' }).errors).toEqual([
      { field: 'code', message: 'pattern' },
    ]);
  });

  it('answers a catastrophic pattern on a crafted value at once, without backtracking', () => {
    // with a backtracking engine this takes longer than the test's whole time limit
    const r = checkSubmission(schema('^(a+)+$'), { code: `${'a'.repeat(5000)}b` });
    expect(r.errors).toEqual([{ field: 'code', message: 'pattern' }]);
  });

  it('refuses at publish a pattern the linear-time engine cannot read', async () => {
    const { problems } = await formsOf(bpmnWith('^(?=.*\\d)[a-z\\d]+$'));
    expect(problems.map((p) => p.message).join(' ')).toMatch(/linear time/);
    expect((await formsOf(bpmnWith('^[a-z]+$'))).problems).toEqual([]);
  });
});
