/**
 * Task forms: form-js schemas, embedded in the BPMN file the way Camunda Modeler 8 embeds them (a
 * `<zeebe:userTaskForm id="…">{json}</zeebe:userTaskForm>` in the process's extension elements, named by the user
 * task's form key — `cost-estimate` or `camunda-forms:bpmn:cost-estimate`). So the file is the whole regulation: it
 * opens in any modeler with its forms, and its export is what was published. At publish the forms are read out and
 * stored with the version; a task completion is checked against its form here, on the server, with the rules form-js
 * applies in the browser (required, types, min/max, lengths, patterns, options) and its conditions evaluated by the
 * same FEEL engine (feelin): a hidden field is neither required nor kept.
 */
import { RE2JS } from 're2js';
import { BpmnModdle } from 'bpmn-moddle';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };
import { evaluate } from 'feelin';
import dealflow from '../../bpmn/dealflow-moddle.json' with { type: 'json' };
import { feelProblem } from '../../bpmn/compile.ts';
import type { CompileProblem } from '../../bpmn/graph.ts';

/** A form-js component, as far as the server reads it. */
export interface FormComponent {
  type: string;
  key?: string;
  id?: string;
  label?: string;
  disabled?: boolean;
  readonly?: boolean | string;
  validate?: {
    required?: boolean;
    min?: number;
    max?: number;
    minLength?: number;
    maxLength?: number;
    pattern?: string;
    validationType?: 'email' | 'phone' | 'custom';
  };
  values?: { label?: string; value: unknown }[];
  conditional?: { hide?: string };
  components?: FormComponent[];
}
export interface FormSchema {
  type?: string;
  id?: string;
  components: FormComponent[];
}

export interface FieldError {
  field: string;
  message: 'required' | 'type' | 'min' | 'max' | 'minLength' | 'maxLength' | 'pattern' | 'option' | 'unknown';
}

/** Components that hold a value (the others — text, image, spacer, buttons… — show something). */
const INPUTS = new Set([
  'textfield',
  'textarea',
  'number',
  'checkbox',
  'checklist',
  'radio',
  'select',
  'taglist',
  'datetime',
]);
const CONTAINERS = new Set(['group', 'dynamiclist']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
// the patterns form-js checks for its email and phone validation types
const EMAIL = /^[\w+.-]+@[\w.-]+\.\w{2,}$/;
const PHONE = /^\+?[\d\s()-]{5,}$/;

/** The form key a user task names, as the id of an embedded form. */
export const formIdOf = (formKey: string) => formKey.replace(/^camunda-forms:bpmn:/, '');

interface El {
  $type: string;
  id?: string;
  [key: string]: unknown;
}

/**
 * The forms embedded in a BPMN file, by id, and what is wrong with them (named by the user task using the form, so the
 * modeler marks it): not JSON, not a form-js schema, a field key that is not a variable name, an invalid condition.
 */
export async function formsOf(xml: string): Promise<{ forms: Record<string, FormSchema>; problems: CompileProblem[] }> {
  const forms: Record<string, FormSchema> = {};
  const problems: CompileProblem[] = [];
  // Camunda 7 files hold no embedded forms (their form keys name forms deployed elsewhere)
  if (xml.includes('http://camunda.org/schema/1.0/bpmn')) return { forms, problems };
  let root: El;
  try {
    root = (await new BpmnModdle({ zeebe, dealflow }).fromXML(xml)).rootElement as El;
  } catch {
    return { forms, problems };
  }
  const processes = ((root.rootElements as El[] | undefined) ?? []).filter((e) => e.$type === 'bpmn:Process');
  const process = processes.find((p) => p.isExecutable !== false) ?? processes[0];
  if (!process) return { forms, problems };
  const users: Record<string, string> = {};
  const walk = (c: El) => {
    for (const el of (c.flowElements as El[] | undefined) ?? []) {
      if (el.$type === 'bpmn:UserTask') {
        const key =
          (el.formKey as string | undefined) ??
          ((((el.extensionElements as El | undefined)?.values as El[] | undefined) ?? []).find(
            (v) => v.$type === 'zeebe:FormDefinition',
          )?.formKey as string | undefined);
        if (key) users[formIdOf(key)] ??= el.id!;
      }
      if (el.$type === 'bpmn:SubProcess') walk(el);
    }
  };
  walk(process);
  const values = ((process.extensionElements as El | undefined)?.values as El[] | undefined) ?? [];
  for (const f of values.filter((v) => v.$type === 'zeebe:UserTaskForm')) {
    const id = f.id ?? '';
    const at = users[id] ?? process.id ?? null;
    const problem = (message: string) => problems.push({ elementId: at, code: 'BPMN_INVALID_FORM', message });
    let schema: FormSchema;
    try {
      schema = JSON.parse(typeof f.body === 'string' ? f.body : '') as FormSchema;
    } catch {
      problem(`The form "${id}" is not JSON`);
      continue;
    }
    if (!schema || typeof schema !== 'object' || !Array.isArray(schema.components)) {
      problem(`The form "${id}" is not a form-js schema (it has no components)`);
      continue;
    }
    for (const c of fieldsOf(schema.components)) {
      if (INPUTS.has(c.type) && !(typeof c.key === 'string' && NAME.test(c.key))) {
        problem(`A field of the form "${id}" has the key "${String(c.key)}", which is not a variable name`);
      }
      const hide = c.conditional?.hide;
      if (typeof hide === 'string' && hide.trim()) {
        const p = feelProblem(hide);
        if (p) problem(`The condition "${hide}" of the form "${id}": ${p}`);
      }
      if (c.validate?.pattern) {
        try {
          new RegExp(c.validate.pattern);
          RE2JS.compile(c.validate.pattern);
        } catch {
          problem(
            `The pattern "${c.validate.pattern}" of the form "${id}" is not a regular expression the server can check in linear time (no lookarounds or back-references)`,
          );
        }
      }
    }
    forms[id] = schema;
  }
  return { forms, problems };
}

/** Every component, groups flattened (a dynamic list's rows are not checked field by field). */
function fieldsOf(components: FormComponent[]): FormComponent[] {
  return components.flatMap((c) =>
    c.type === 'group' && Array.isArray(c.components) ? [c, ...fieldsOf(c.components)] : [c],
  );
}

/** A FEEL condition as form-js reads it (`=expr`), evaluated with feelin; an error counts as false. */
function holds(expression: string, context: Record<string, unknown>): boolean {
  const text = expression.trim().replace(/^=/, '');
  if (!text) return false;
  try {
    const r = evaluate(text, context) as unknown;
    const value = r && typeof r === 'object' && 'value' in r ? r.value : r;
    return value === true;
  } catch {
    return false;
  }
}

const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Checks a submission against its form. Returns the values to keep (those of the form's visible, editable fields) and
 * each field's error. `context`: the instance's values, which conditions may read beside the submitted ones.
 */
export function checkSubmission(
  schema: FormSchema,
  submitted: Record<string, unknown>,
  context: Record<string, unknown> = {},
): { values: Record<string, unknown>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const values: Record<string, unknown> = {};
  const scope = { ...context, ...submitted };
  const known = new Set<string>();
  const visit = (components: FormComponent[], hidden: boolean) => {
    for (const c of components) {
      const isHidden = hidden || (typeof c.conditional?.hide === 'string' && holds(c.conditional.hide, scope));
      if (CONTAINERS.has(c.type) && Array.isArray(c.components)) {
        if (c.type === 'group') visit(c.components, isHidden);
        else if (c.key) known.add(c.key);
        continue;
      }
      if (!INPUTS.has(c.type) || !c.key) continue;
      known.add(c.key);
      const locked = c.disabled === true || c.readonly === true;
      if (isHidden || locked) continue;
      const v = submitted[c.key];
      const err = (message: FieldError['message']) => errors.push({ field: c.key!, message });
      const rules = c.validate ?? {};
      if (empty(v)) {
        if (rules.required) err('required');
        continue;
      }
      const options = Array.isArray(c.values) ? c.values.map((o) => o.value) : null;
      switch (c.type) {
        case 'textfield':
        case 'textarea': {
          if (typeof v !== 'string') {
            err('type');
            break;
          }
          if (rules.minLength !== undefined && v.length < rules.minLength) err('minLength');
          else if (rules.maxLength !== undefined && v.length > rules.maxLength) err('maxLength');
          else if (rules.validationType === 'email' && !EMAIL.test(v)) err('pattern');
          else if (rules.validationType === 'phone' && !PHONE.test(v)) err('pattern');
          else if (rules.pattern && !safeTest(rules.pattern, v)) err('pattern');
          break;
        }
        case 'number': {
          const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
          if (!Number.isFinite(n)) {
            err('type');
            break;
          }
          if (rules.min !== undefined && n < rules.min) err('min');
          else if (rules.max !== undefined && n > rules.max) err('max');
          break;
        }
        case 'checkbox':
          if (typeof v !== 'boolean') err('type');
          break;
        case 'radio':
        case 'select':
          if (options && !options.some((o) => o === v)) err('option');
          break;
        case 'checklist':
        case 'taglist':
          if (!Array.isArray(v)) err('type');
          else if (options && v.some((x) => !options.some((o) => o === x))) err('option');
          break;
        case 'datetime':
          if (typeof v !== 'string' || Number.isNaN(Date.parse(v.length <= 5 ? `1970-01-01T${v}` : v))) err('type');
          break;
      }
      values[c.key] = c.type === 'number' && typeof v === 'string' ? Number(v) : v;
    }
  };
  visit(schema.components, false);
  for (const k of Object.keys(submitted)) {
    if (!known.has(k)) errors.push({ field: k, message: 'unknown' });
  }
  return { values, errors };
}

/**
 * A form's pattern, checked by RE2 (linear in the value's length, whatever the pattern): a pattern from a process
 * owner cannot make the server backtrack for minutes on a crafted value. Publish refuses a pattern RE2 cannot read.
 */
function safeTest(pattern: string, value: string): boolean {
  try {
    return RE2JS.compile(pattern).matcher(value).find();
  } catch {
    return true;
  }
}
