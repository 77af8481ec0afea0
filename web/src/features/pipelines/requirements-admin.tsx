/**
 * The admin's document kinds and custom deal fields, shown under the pipeline editor on the Pipelines page so that
 * a requirement that does not exist yet can be added without leaving an unsaved pipeline. Whatever is created here
 * goes into the shared reference data at once, so the stage requirement checkboxes above offer it straight away.
 */
import { NativeSelect, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState, type ReactNode } from 'react';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { useRefData } from '../../session.js';
import { Button, Card, Empty, ErrorBox, useToast } from '../../ui.js';
import { markProblemField } from '../fields/problem-field.js';
import { useCreateDealField, useCreateDocumentKind } from './pipelines-query.js';

const CODE = /^[a-z][a-z0-9_]{0,62}$/;
const KEY = /^[a-z][a-zA-Z0-9_]{0,62}$/;
const FIELD_TYPES = ['text', 'number', 'money', 'date', 'select', 'user', 'client', 'file'] as const;
type FieldType = (typeof FIELD_TYPES)[number];
const TYPE_MSG: Record<FieldType, MessageKey> = {
  text: 'fieldType.text',
  number: 'fieldType.number',
  money: 'fieldType.money',
  date: 'fieldType.date',
  select: 'fieldType.select',
  user: 'fieldType.user',
  client: 'fieldType.client',
  file: 'fieldType.file',
};

const latin = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
/** "Commercial proposal" → "commercial_proposal" (empty when the name has no Latin letters) */
export const codeFrom = (name: string) =>
  latin(name)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/_+$/, '');
/** "Budget approved" → "budgetApproved" */
export const keyFrom = (label: string) => {
  const words = latin(label)
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  const key = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('');
  return key.replace(/^[^a-z]+/, '').slice(0, 63);
};

export function RequirementsAdmin() {
  return (
    <div className="admin-sections" id="requirements-admin">
      <DocumentKindsSection />
      <DealFieldsSection />
    </div>
  );
}

function Section({
  id,
  title,
  count,
  hint,
  testId,
  children,
}: {
  id: string;
  title: string;
  count: number;
  hint: string;
  testId: string;
  children: ReactNode;
}) {
  return (
    <div id={id} className="admin-section">
      <Card
        testId={testId}
        title={
          <>
            {title} <span className="count">{count}</span>
          </>
        }
      >
        <p className="muted small section-hint">{hint}</p>
        {children}
      </Card>
    </div>
  );
}

/** A name in the user's language, with the other language's variant under it. */
function Bilingual({ en, ru }: { en: string; ru: string | null }) {
  const { pick } = useI18n();
  const main = pick(en, ru);
  const other = ru ? (main === en ? ru : en) : null;
  return (
    <>
      <div className="strong">{main}</div>
      {other && other !== main ? <div className="muted small">{other}</div> : null}
    </>
  );
}

/* ---------- document kinds ---------- */
const emptyKind = { code: '', name: '', nameRu: '' };

function DocumentKindsSection() {
  const { t, pick } = useI18n();
  const toast = useToast();
  const { documentKinds } = useRefData();
  const create = useCreateDocumentKind();
  // the code follows the name until it is typed by hand
  const [codeTouched, setCodeTouched] = useState(false);
  const form = useForm({
    mode: 'controlled',
    initialValues: emptyKind,
    validate: {
      name: (v: string) => (v.trim() ? null : t('error.requiredField')),
      code: (v: string) => (!v.trim() ? t('error.requiredField') : CODE.test(v.trim()) ? null : t('kinds.codeHint')),
    },
  });
  const busy = create.isPending;
  const submit = form.onSubmit((v) => {
    const ru = v.nameRu.trim();
    create.mutate(
      { code: v.code.trim(), name: v.name.trim(), ...(ru ? { translations: { ru: { name: ru } } } : {}) },
      {
        onSuccess: (k) => {
          form.reset();
          setCodeTouched(false);
          toast('ok', t('kinds.created', { name: pick(k.name, k.translations?.ru?.name) }));
        },
        onError: (e) => markProblemField(form, e),
      },
    );
  });

  return (
    <Section
      id="document-kinds"
      testId="document-kinds"
      title={t('kinds.title')}
      count={documentKinds.length}
      hint={t('kinds.hint')}
    >
      {documentKinds.length === 0 ? (
        <Empty icon="file">{t('kinds.empty')}</Empty>
      ) : (
        <div className="table-wrap table-flat">
          <table className="table" data-testid="document-kind-list">
            <thead>
              <tr>
                <th>{t('kinds.name')}</th>
                <th>{t('kinds.code')}</th>
              </tr>
            </thead>
            <tbody>
              {documentKinds.map((k) => (
                <tr key={k.id} data-testid="document-kind" data-code={k.code}>
                  <td>
                    <Bilingual en={k.name} ru={k.translations?.ru?.name ?? null} />
                  </td>
                  <td>
                    <code className="code">{k.code}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="form-grid admin-form" noValidate onSubmit={submit} data-testid="document-kind-form">
        <h4 className="section-label">{t('kinds.addTitle')}</h4>
        <div className="form-grid form-grid-2">
          <TextInput
            id="dk-name"
            label={t('kinds.nameEn')}
            withAsterisk
            maxLength={200}
            placeholder={t('kinds.namePlaceholder')}
            data-testid="kind-name"
            {...form.getInputProps('name')}
            onChange={(e) => {
              form.setFieldValue('name', e.currentTarget.value);
              if (!codeTouched) form.setFieldValue('code', codeFrom(e.currentTarget.value));
            }}
          />
          <TextInput
            id="dk-name-ru"
            label={t('kinds.nameRu')}
            maxLength={200}
            lang="ru"
            data-testid="kind-name-ru"
            {...form.getInputProps('nameRu')}
          />
          <TextInput
            id="dk-code"
            label={t('kinds.code')}
            description={typeof form.errors.code === 'string' ? undefined : t('kinds.codeHint')}
            inputWrapperOrder={['label', 'input', 'description', 'error']}
            withAsterisk
            className="span-2"
            classNames={{ input: 'input-mono' }}
            maxLength={63}
            autoComplete="off"
            spellCheck={false}
            data-testid="kind-code"
            {...form.getInputProps('code')}
            onChange={(e) => {
              form.setFieldValue('code', e.currentTarget.value);
              setCodeTouched(e.currentTarget.value !== '');
            }}
          />
        </div>
        <ErrorBox error={create.error} testId="document-kind-error" />
        <div className="form-actions">
          <Button variant="primary" icon="plus" type="submit" busy={busy} data-testid="kind-submit">
            {busy ? t('common.creating') : t('kinds.add')}
          </Button>
        </div>
      </form>
    </Section>
  );
}

/* ---------- deal fields ---------- */
const emptyField = { key: '', label: '', labelRu: '', type: 'text' as FieldType, options: '' };
const optionsOf = (text: string) =>
  text
    .split('\n')
    .map((o) => o.trim())
    .filter(Boolean);

function DealFieldsSection() {
  const { t, pick } = useI18n();
  const toast = useToast();
  const { dealFields } = useRefData();
  const create = useCreateDealField();
  // the key follows the label until it is typed by hand
  const [keyTouched, setKeyTouched] = useState(false);
  const form = useForm({
    mode: 'controlled',
    initialValues: emptyField,
    validate: {
      label: (v: string) => (v.trim() ? null : t('error.requiredField')),
      key: (v: string) => (!v.trim() ? t('error.requiredField') : KEY.test(v.trim()) ? null : t('fields.keyHint')),
      options: (v: string, values) => {
        if (values.type !== 'select') return null;
        const options = optionsOf(v);
        const repeated = options.find((o, i) => options.indexOf(o) !== i);
        if (!options.length) return t('fields.optionsRequired');
        return repeated ? t('fields.optionsRepeated', { option: repeated }) : null;
      },
    },
  });
  const busy = create.isPending;
  const submit = form.onSubmit((v) => {
    const ru = v.labelRu.trim();
    create.mutate(
      {
        key: v.key.trim(),
        label: v.label.trim(),
        type: v.type,
        ...(ru ? { translations: { ru: { label: ru } } } : {}),
        ...(v.type === 'select' ? { options: optionsOf(v.options) } : {}),
      },
      {
        onSuccess: (f) => {
          form.reset();
          setKeyTouched(false);
          toast('ok', t('fields.created', { label: pick(f.label, f.translations?.ru?.label) }));
        },
        onError: (e) => markProblemField(form, e),
      },
    );
  });

  return (
    <Section
      id="deal-fields"
      testId="deal-fields"
      title={t('fields.title')}
      count={dealFields.length}
      hint={t('fields.hint')}
    >
      {dealFields.length === 0 ? (
        <Empty icon="edit">{t('fields.empty')}</Empty>
      ) : (
        <div className="table-wrap table-flat">
          <table className="table" data-testid="deal-field-list">
            <thead>
              <tr>
                <th>{t('fields.label')}</th>
                <th>{t('fields.key')}</th>
                <th>{t('fields.type')}</th>
              </tr>
            </thead>
            <tbody>
              {dealFields.map((f) => (
                <tr key={f.id} data-testid="deal-field" data-key={f.key}>
                  <td>
                    <Bilingual en={f.label} ru={f.translations?.ru?.label ?? null} />
                  </td>
                  <td>
                    <code className="code">{f.key}</code>
                  </td>
                  <td>
                    {t(TYPE_MSG[f.type] ?? 'fieldType.text')}
                    {f.options.length ? (
                      <div className="muted small option-list" title={f.options.join(', ')}>
                        {f.options.join(' · ')}
                      </div>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="form-grid admin-form" noValidate onSubmit={submit} data-testid="deal-field-form">
        <h4 className="section-label">{t('fields.addTitle')}</h4>
        <div className="form-grid form-grid-2">
          <TextInput
            id="df-label"
            label={t('fields.labelEn')}
            withAsterisk
            maxLength={200}
            placeholder={t('fields.labelPlaceholder')}
            data-testid="field-label"
            {...form.getInputProps('label')}
            onChange={(e) => {
              form.setFieldValue('label', e.currentTarget.value);
              if (!keyTouched) form.setFieldValue('key', keyFrom(e.currentTarget.value));
            }}
          />
          <TextInput
            id="df-label-ru"
            label={t('fields.labelRu')}
            maxLength={200}
            lang="ru"
            data-testid="field-label-ru"
            {...form.getInputProps('labelRu')}
          />
          <TextInput
            id="df-key"
            label={t('fields.key')}
            description={typeof form.errors.key === 'string' ? undefined : t('fields.keyHint')}
            inputWrapperOrder={['label', 'input', 'description', 'error']}
            withAsterisk
            classNames={{ input: 'input-mono' }}
            maxLength={63}
            autoComplete="off"
            spellCheck={false}
            data-testid="field-key"
            {...form.getInputProps('key')}
            onChange={(e) => {
              form.setFieldValue('key', e.currentTarget.value);
              setKeyTouched(e.currentTarget.value !== '');
            }}
          />
          <NativeSelect
            id="df-type"
            label={t('fields.type')}
            withAsterisk
            data-testid="field-type"
            data={FIELD_TYPES.map((x) => ({ value: x, label: t(TYPE_MSG[x]) }))}
            {...form.getInputProps('type')}
            onChange={(e) => {
              form.setFieldValue('type', e.currentTarget.value as FieldType);
              form.clearFieldError('options');
            }}
          />
          {form.values.type === 'select' ? (
            <Textarea
              id="df-options"
              label={t('fields.options')}
              description={typeof form.errors.options === 'string' ? undefined : t('fields.optionsHint')}
              inputWrapperOrder={['label', 'input', 'description', 'error']}
              withAsterisk
              className="span-2"
              rows={4}
              data-testid="field-options"
              {...form.getInputProps('options')}
            />
          ) : null}
        </div>
        <ErrorBox error={create.error} testId="deal-field-error" />
        <div className="form-actions">
          <Button variant="primary" icon="plus" type="submit" busy={busy} data-testid="field-submit">
            {busy ? t('common.creating') : t('fields.add')}
          </Button>
        </div>
      </form>
    </Section>
  );
}
