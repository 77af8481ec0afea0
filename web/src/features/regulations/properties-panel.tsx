/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- bpmn-js, bpmnlint and moddle objects are untyped JavaScript */
/**
 * The modeler's properties panel: reads the selected element's business object and writes it through bpmn-js's
 * modeling (so undo works): Dealflow's extension attributes for user and service tasks, conditions and the default
 * flow of gateways, timers, the called regulation, and with nothing selected the regulation itself — its key, name,
 * declared inputs and outputs (dealflow:field).
 */
import { useEffect, useReducer, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useI18n } from '../../i18n/index.js';
import { useUsers } from '../calendar/calendar-query.js';
import { departmentsQuery } from '../departments/departments-query.js';
import { Button } from '../../ui.js';
import { type AnyModeler, processExtensions } from './modeler-page.js';

const SERVICES = ['notify', 'sendEmail', 'createCalendarEvent', 'setDealField', 'requestDocument', 'waitDealStage'];
const FIELD_TYPES = ['text', 'number', 'money', 'date', 'select', 'user', 'client', 'file'];
const KNOWN_TYPES = new Set(
  [
    'Process',
    'UserTask',
    'ServiceTask',
    'SendTask',
    'ReceiveTask',
    'CallActivity',
    'SubProcess',
    'StartEvent',
    'EndEvent',
    'IntermediateCatchEvent',
    'BoundaryEvent',
    'ExclusiveGateway',
    'ParallelGateway',
    'SequenceFlow',
  ].map((x) => `bpmn:${x}`),
);
const ASSIGNEE_KINDS = ['user', 'role', 'department', 'expression'] as const;
const ROLES = ['admin', 'process_owner', 'lead', 'manager', 'member'];

/**
 * Who a task is for, picked by name: a user or a department from the directory, a role from the list; a value not
 * in the list (a file from another installation) is kept and shown as it is.
 */
function AssigneePicker({
  kind,
  value,
  onChange,
}: {
  kind: 'user' | 'role' | 'department';
  value: string;
  onChange: (v: string) => void;
}) {
  const { t } = useI18n();
  const users = useUsers();
  const departments = useQuery(departmentsQuery);
  const options: { value: string; label: string }[] =
    kind === 'user'
      ? (users.data ?? []).map((u) => ({ value: u.id, label: u.name }))
      : kind === 'department'
        ? (departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))
        : ROLES.map((r) => ({ value: r, label: r }));
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: value });
  return (
    <select
      className="input"
      value={value}
      data-testid="prop-assignee-pick"
      aria-label={t(`modeler.assignee.${kind}`)}
      onChange={(e) => onChange(e.target.value)}
    >
      <option value="">{t('modeler.assigneePick')}</option>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

/** Adds a department to a task's candidate groups (`department:<id>`), picked by name. */
function GroupPicker({ groups, onChange }: { groups: string; onChange: (v: string) => void }) {
  const { t } = useI18n();
  const departments = useQuery(departmentsQuery);
  const list = groups
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  const left = (departments.data ?? []).filter((d) => !list.includes(`department:${d.id}`));
  if (!left.length) return null;
  return (
    <select
      className="input"
      value=""
      data-testid="prop-groups-add"
      aria-label={t('modeler.candidateGroupsAdd')}
      onChange={(e) => e.target.value && onChange([...list, `department:${e.target.value}`].join(','))}
    >
      <option value="">{t('modeler.candidateGroupsAdd')}</option>
      {left.map((d) => (
        <option key={d.id} value={d.id}>
          {d.name}
        </option>
      ))}
    </select>
  );
}

export function PropertiesPanel({ modeler, onEditForm }: { modeler: AnyModeler; onEditForm: (id: string) => void }) {
  const { t } = useI18n();
  const [element, setElement] = useState<any>(null);
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const bus = modeler.get('eventBus');
    const onSelect = (e: any) => setElement(e.newSelection.length === 1 ? e.newSelection[0] : null);
    bus.on('selection.changed', onSelect);
    bus.on('elements.changed', bump);
    bus.on('import.done', () => setElement(null));
    return () => {
      bus.off('selection.changed', onSelect);
      bus.off('elements.changed', bump);
    };
  }, [modeler]);
  const modeling = modeler.get('modeling');
  const moddle = modeler.get('moddle');
  const el = element ?? modeler.get('canvas').getRootElement();
  const bo = el.businessObject;
  const set = (props: Record<string, unknown>) => modeling.updateProperties(el, props);
  const type: string = bo.$type;
  return (
    <aside className="props-panel" data-testid="props-panel" aria-label={t('modeler.properties')}>
      <h2>
        {KNOWN_TYPES.has(type)
          ? t(`modeler.type.${type.replace('bpmn:', '')}` as 'modeler.type.Process')
          : t('modeler.type.other')}
      </h2>
      <Text label={t('modeler.id')} value={bo.id ?? ''} onChange={(v) => v && set({ id: v })} testId="prop-id" />
      <Text
        label={t('modeler.name')}
        value={bo.name ?? ''}
        onChange={(v) => set({ name: v || undefined })}
        testId="prop-name"
      />
      {type === 'bpmn:UserTask' ? (
        <UserTaskProps key={el.id} el={el} set={set} modeler={modeler} onEditForm={onEditForm} />
      ) : null}
      {type === 'bpmn:ServiceTask' || type === 'bpmn:SendTask' ? (
        <Select
          label={t('modeler.service')}
          value={bo.get('dealflow:type') ?? ''}
          options={SERVICES.map((s) => [s, t(`modeler.service.${s}` as 'modeler.service.notify')])}
          onChange={(v) => set({ 'dealflow:type': v || undefined })}
          testId="prop-service"
        />
      ) : null}
      {type === 'bpmn:CallActivity' ? (
        <>
          <Text
            label={t('modeler.calledElement')}
            value={bo.calledElement ?? ''}
            onChange={(v) => set({ calledElement: v || undefined })}
          />
          <Text
            label={t('modeler.calledVersion')}
            value={bo.get('dealflow:version') ?? ''}
            onChange={(v) => set({ 'dealflow:version': v || undefined })}
          />
        </>
      ) : null}
      {type === 'bpmn:SequenceFlow' && bo.sourceRef?.$type === 'bpmn:ExclusiveGateway' ? (
        <Text
          label={t('modeler.condition')}
          hint={t('modeler.conditionHint')}
          value={bo.conditionExpression?.body ?? ''}
          onChange={(v) =>
            set({ conditionExpression: v ? moddle.create('bpmn:FormalExpression', { body: v }) : undefined })
          }
          testId="prop-condition"
        />
      ) : null}
      {type === 'bpmn:ExclusiveGateway' ? (
        <Select
          label={t('modeler.defaultFlow')}
          value={bo.default?.id ?? ''}
          options={(bo.outgoing ?? []).map((f: any) => [f.id, f.name || f.id])}
          onChange={(v) => set({ default: (bo.outgoing ?? []).find((f: any) => f.id === v) ?? undefined })}
        />
      ) : null}
      {(bo.eventDefinitions ?? [])[0]?.$type === 'bpmn:TimerEventDefinition' ? (
        <Text
          label={t('modeler.timer')}
          hint={t('modeler.timerHint')}
          value={bo.eventDefinitions[0].timeDuration?.body ?? ''}
          onChange={(v) =>
            modeling.updateModdleProperties(el, bo.eventDefinitions[0], {
              timeDuration: moddle.create('bpmn:FormalExpression', { body: v }),
            })
          }
          testId="prop-timer"
        />
      ) : null}
      {type === 'bpmn:Process' ? <ProcessFields modeler={modeler} /> : null}
    </aside>
  );
}

function UserTaskProps({
  el,
  set,
  modeler,
  onEditForm,
}: {
  el: any;
  set: (p: Record<string, unknown>) => void;
  modeler: AnyModeler;
  onEditForm: (id: string) => void;
}) {
  const { t } = useI18n();
  const bo = el.businessObject;
  const assignee: string = bo.get('dealflow:assignee') ?? '';
  // the kind chosen before a value is picked: an empty assignee says nothing of its kind
  const [chosen, choose] = useState<(typeof ASSIGNEE_KINDS)[number]>('user');
  const kind = !assignee
    ? chosen
    : assignee.startsWith('=')
      ? 'expression'
      : assignee.startsWith('role:')
        ? 'role'
        : assignee.startsWith('department:')
          ? 'department'
          : 'user';
  const bare = assignee.replace(/^(=|role:|department:)/, '');
  const prefix = (k: string) =>
    k === 'expression' ? '=' : k === 'role' ? 'role:' : k === 'department' ? 'department:' : '';
  const formKey: string = bo.get('dealflow:formKey') ?? '';
  const produces = (bo.extensionElements?.values ?? []).find((v: any) => v.$type === 'dealflow:Produces');
  return (
    <>
      <Row label={t('modeler.assignee')}>
        <select
          className="input"
          value={kind}
          data-testid="prop-assignee-kind"
          onChange={(e) => {
            choose(e.target.value as (typeof ASSIGNEE_KINDS)[number]);
            // a value picked for another kind does not carry over (a user's id is no department)
            set({ 'dealflow:assignee': bare && e.target.value === 'expression' ? `=${bare}` : undefined });
          }}
        >
          {ASSIGNEE_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`modeler.assignee.${k}`)}
            </option>
          ))}
        </select>
        {kind === 'expression' ? (
          <input
            className="input"
            value={bare}
            data-testid="prop-assignee"
            placeholder={t(`modeler.assigneeHint.${kind}`)}
            onChange={(e) => set({ 'dealflow:assignee': e.target.value ? prefix(kind) + e.target.value : undefined })}
          />
        ) : (
          <AssigneePicker
            kind={kind}
            value={bare}
            onChange={(v) => set({ 'dealflow:assignee': v ? prefix(kind) + v : undefined })}
          />
        )}
      </Row>
      <Text
        label={t('modeler.candidateGroups')}
        hint={t('modeler.candidateGroupsHint')}
        value={bo.get('dealflow:candidateGroups') ?? ''}
        onChange={(v) => set({ 'dealflow:candidateGroups': v || undefined })}
        testId="prop-groups"
      />
      <GroupPicker
        groups={bo.get('dealflow:candidateGroups') ?? ''}
        onChange={(v) => set({ 'dealflow:candidateGroups': v || undefined })}
      />
      <Text
        label={t('modeler.due')}
        hint={t('modeler.timerHint')}
        value={bo.get('dealflow:due') ?? ''}
        onChange={(v) => set({ 'dealflow:due': v || undefined })}
        testId="prop-due"
      />
      <Text
        label={t('modeler.formKey')}
        value={formKey}
        onChange={(v) => set({ 'dealflow:formKey': v || undefined })}
        testId="prop-form-key"
      />
      {formKey ? (
        <Button
          size="sm"
          onClick={() => onEditForm(formKey.replace(/^camunda-forms:bpmn:/, ''))}
          data-testid="prop-edit-form"
        >
          {t('modeler.editForm')}
        </Button>
      ) : null}
      <Text
        label={t('modeler.produces')}
        hint={t('modeler.producesHint')}
        value={produces?.names ?? ''}
        onChange={(v) => {
          const modeling = modeler.get('modeling');
          if (produces) return modeling.updateModdleProperties(el, produces, { names: v });
          const moddle = modeler.get('moddle');
          let ext = bo.extensionElements;
          if (!ext) {
            ext = moddle.create('bpmn:ExtensionElements', { values: [] });
            modeling.updateModdleProperties(el, bo, { extensionElements: ext });
          }
          modeling.updateModdleProperties(el, ext, {
            values: [...(ext.values ?? []), moddle.create('dealflow:Produces', { names: v })],
          });
        }}
      />
    </>
  );
}

/** The regulation's declared inputs and outputs. */
function ProcessFields({ modeler }: { modeler: AnyModeler }) {
  const { t } = useI18n();
  const root = modeler.get('canvas').getRootElement();
  const fields: any[] = (root.businessObject.extensionElements?.values ?? []).filter(
    (v: any) => v.$type === 'dealflow:Field',
  );
  const modeling = modeler.get('modeling');
  const update = (f: any, props: Record<string, unknown>) => modeling.updateModdleProperties(root, f, props);
  const add = (direction: 'input' | 'output') => {
    const ext = processExtensions(modeler);
    const f = modeler.get('moddle').create('dealflow:Field', {
      name: `${direction}${fields.length + 1}`,
      type: 'text',
      direction,
      required: direction === 'input',
    });
    modeling.updateModdleProperties(root, ext, { values: [...(ext.values ?? []), f] });
  };
  const remove = (f: any) => {
    const ext = root.businessObject.extensionElements;
    modeling.updateModdleProperties(root, ext, { values: ext.values.filter((v: any) => v !== f) });
  };
  return (
    <>
      {(['input', 'output'] as const).map((direction) => (
        <section key={direction} className="props-fields" data-testid={`prop-${direction}s`}>
          <h3>{t(direction === 'input' ? 'regulations.inputs' : 'regulations.outputs')}</h3>
          {fields
            .filter((f) => (f.direction ?? 'input') === direction)
            .map((f, i) => (
              <div key={i} className="props-field-row">
                <input
                  className="input"
                  aria-label={t('modeler.fieldName')}
                  value={f.name ?? ''}
                  onChange={(e) => update(f, { name: e.target.value })}
                />
                <select
                  className="input"
                  aria-label={t('modeler.fieldType')}
                  value={f.type ?? 'text'}
                  onChange={(e) => update(f, { type: e.target.value })}
                >
                  {FIELD_TYPES.map((x) => (
                    <option key={x} value={x}>
                      {t(`modeler.fieldType.${x}` as 'modeler.fieldType.text')}
                    </option>
                  ))}
                </select>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={f.required !== false}
                    onChange={(e) => update(f, { required: e.target.checked })}
                  />{' '}
                  {t('modeler.required')}
                </label>
                <button type="button" className="link" onClick={() => remove(f)}>
                  {t('modeler.remove')}
                </button>
              </div>
            ))}
          <Button size="sm" onClick={() => add(direction)}>
            {t(direction === 'input' ? 'modeler.addInput' : 'modeler.addOutput')}
          </Button>
        </section>
      ))}
    </>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="field">
      <span className="field-label">{label}</span>
      <div className="props-row">{children}</div>
    </div>
  );
}

/** A text input that writes when it is left or Enter is pressed (one command per edit, not per key). */
function Text({
  label,
  value,
  onChange,
  hint,
  testId,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  hint?: string;
  testId?: string;
}) {
  const [draft, setDraft] = useState(value);
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    setDraft(value);
  }
  const commit = () => {
    if (draft !== value) onChange(draft.trim());
  };
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <input
        className="input"
        value={draft}
        data-testid={testId}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
      {hint ? <span className="field-hint">{hint}</span> : null}
    </label>
  );
}

function Select({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: string;
  options: [string, string][];
  onChange: (v: string) => void;
  testId?: string;
}) {
  const { t } = useI18n();
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <select className="input" value={value} data-testid={testId} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('modeler.none')}</option>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}
