/**
 * The admin's document kinds and custom deal fields, shown under the pipeline editor on the Pipelines page so that
 * a requirement that does not exist yet can be added without leaving an unsaved pipeline. Whatever is created here
 * goes into the shared reference data at once, so the stage requirement checkboxes above offer it straight away.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, api, type DealField, type DocumentKind } from '../api.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { useRefData } from '../session.js';
import { Button, Card, Empty, ErrorBox, Field, useToast } from '../ui.js';

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

/** The input an API error is about: `field` on our own errors, the first issue's path on a validation error. */
function fieldOf(e: unknown): string | null {
  if (!(e instanceof ApiError)) return null;
  if (typeof e.body.field === 'string') return e.body.field;
  const first = Array.isArray(e.body.errors) ? (e.body.errors[0] as { path?: unknown } | undefined) : undefined;
  return typeof first?.path === 'string' ? first.path.split('.')[0] : null;
}

/**
 * The state of a create form: local checks, the API call, and the API's error kept next to the form while what
 * was typed stays, so it can be corrected and sent again.
 */
function useCreateForm() {
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [errorField, setErrorField] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent, check: () => Record<string, string>, send: () => Promise<void>) {
    e.preventDefault();
    if (busy) return;
    const bad = check();
    setInvalid(bad);
    if (Object.keys(bad).length) return;
    setBusy(true);
    setError(null);
    setErrorField(null);
    try {
      await send();
    } catch (err) {
      setError(err);
      setErrorField(fieldOf(err));
    } finally {
      setBusy(false);
    }
  }
  const cls = (key: string) => `input ${invalid[key] || errorField === key ? 'input-invalid' : ''}`;
  return { invalid, setInvalid, error, errorField, setErrorField, busy, submit, cls };
}

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
  const { documentKinds, reloadFields } = useRefData();
  const [form, setForm] = useState(emptyKind);
  const [codeTouched, setCodeTouched] = useState(false);
  const { invalid, setInvalid, error, errorField, setErrorField, busy, submit: run, cls } = useCreateForm();

  const edit = (key: keyof typeof emptyKind, value: string) => {
    setForm((f) => ({ ...f, [key]: value, ...(key === 'name' && !codeTouched ? { code: codeFrom(value) } : {}) }));
    if (key === 'code') setCodeTouched(value !== '');
    setInvalid((s) => ({ ...s, [key]: '', ...(key === 'name' && !codeTouched ? { code: '' } : {}) }));
    if (errorField === key || (key === 'name' && errorField === 'code' && !codeTouched)) setErrorField(null);
  };

  const submit = (e: FormEvent) => {
    const code = form.code.trim();
    return run(
      e,
      () => {
        const bad: Record<string, string> = {};
        if (!form.name.trim()) bad.name = t('error.requiredField');
        if (!code) bad.code = t('error.requiredField');
        else if (!CODE.test(code)) bad.code = t('kinds.codeHint');
        return bad;
      },
      async () => {
        const ru = form.nameRu.trim();
        const k = await api.post<DocumentKind>('/document-kinds', {
          code,
          name: form.name.trim(),
          ...(ru ? { translations: { ru: { name: ru } } } : {}),
        });
        setForm(emptyKind);
        setCodeTouched(false);
        toast('ok', t('kinds.created', { name: pick(k.name, k.translations?.ru?.name) }));
        await reloadFields();
      },
    );
  };

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
      <form
        className="form-grid admin-form"
        noValidate
        onSubmit={(e) => void submit(e)}
        data-testid="document-kind-form"
      >
        <h4 className="section-label">{t('kinds.addTitle')}</h4>
        <div className="form-grid form-grid-2">
          <Field label={t('kinds.nameEn')} htmlFor="dk-name" error={invalid.name} required>
            <input
              id="dk-name"
              className={cls('name')}
              value={form.name}
              maxLength={200}
              onChange={(e) => edit('name', e.target.value)}
              placeholder={t('kinds.namePlaceholder')}
              data-testid="kind-name"
            />
          </Field>
          <Field label={t('kinds.nameRu')} htmlFor="dk-name-ru" error={invalid.nameRu}>
            <input
              id="dk-name-ru"
              className={cls('nameRu')}
              value={form.nameRu}
              maxLength={200}
              lang="ru"
              onChange={(e) => edit('nameRu', e.target.value)}
              data-testid="kind-name-ru"
            />
          </Field>
          <Field
            label={t('kinds.code')}
            htmlFor="dk-code"
            error={invalid.code}
            hint={t('kinds.codeHint')}
            required
            className="span-2"
          >
            <input
              id="dk-code"
              className={`${cls('code')} input-mono`}
              value={form.code}
              maxLength={63}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => edit('code', e.target.value)}
              data-testid="kind-code"
            />
          </Field>
        </div>
        <ErrorBox error={error} testId="document-kind-error" />
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
  const { dealFields, reloadFields } = useRefData();
  const [form, setForm] = useState(emptyField);
  const [keyTouched, setKeyTouched] = useState(false);
  const { invalid, setInvalid, error, errorField, setErrorField, busy, submit: run, cls } = useCreateForm();

  const edit = <K extends keyof typeof emptyField>(key: K, value: (typeof emptyField)[K]) => {
    const derive = key === 'label' && !keyTouched;
    setForm((f) => ({ ...f, [key]: value, ...(derive ? { key: keyFrom(value) } : {}) }));
    if (key === 'key') setKeyTouched(value !== '');
    setInvalid((s) => ({
      ...s,
      [key]: '',
      ...(derive ? { key: '' } : {}),
      ...(key === 'type' ? { options: '' } : {}),
    }));
    if (errorField === key || (derive && errorField === 'key') || (key === 'type' && errorField === 'options'))
      setErrorField(null);
  };

  const submit = (e: FormEvent) => {
    const key = form.key.trim();
    const options = optionsOf(form.options);
    return run(
      e,
      () => {
        const bad: Record<string, string> = {};
        if (!form.label.trim()) bad.label = t('error.requiredField');
        if (!key) bad.key = t('error.requiredField');
        else if (!KEY.test(key)) bad.key = t('fields.keyHint');
        if (form.type === 'select') {
          const repeated = options.find((o, i) => options.indexOf(o) !== i);
          if (!options.length) bad.options = t('fields.optionsRequired');
          else if (repeated) bad.options = t('fields.optionsRepeated', { option: repeated });
        }
        return bad;
      },
      async () => {
        const f = await api.post<DealField>('/deal-fields', {
          key,
          label: form.label.trim(),
          type: form.type,
          ...(form.labelRu.trim() ? { translations: { ru: { label: form.labelRu.trim() } } } : {}),
          ...(form.type === 'select' ? { options } : {}),
        });
        setForm(emptyField);
        setKeyTouched(false);
        toast('ok', t('fields.created', { label: pick(f.label, f.translations?.ru?.label) }));
        await reloadFields();
      },
    );
  };

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
      <form className="form-grid admin-form" noValidate onSubmit={(e) => void submit(e)} data-testid="deal-field-form">
        <h4 className="section-label">{t('fields.addTitle')}</h4>
        <div className="form-grid form-grid-2">
          <Field label={t('fields.labelEn')} htmlFor="df-label" error={invalid.label} required>
            <input
              id="df-label"
              className={cls('label')}
              value={form.label}
              maxLength={200}
              onChange={(e) => edit('label', e.target.value)}
              placeholder={t('fields.labelPlaceholder')}
              data-testid="field-label"
            />
          </Field>
          <Field label={t('fields.labelRu')} htmlFor="df-label-ru" error={invalid.labelRu}>
            <input
              id="df-label-ru"
              className={cls('labelRu')}
              value={form.labelRu}
              maxLength={200}
              lang="ru"
              onChange={(e) => edit('labelRu', e.target.value)}
              data-testid="field-label-ru"
            />
          </Field>
          <Field label={t('fields.key')} htmlFor="df-key" error={invalid.key} hint={t('fields.keyHint')} required>
            <input
              id="df-key"
              className={`${cls('key')} input-mono`}
              value={form.key}
              maxLength={63}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => edit('key', e.target.value)}
              data-testid="field-key"
            />
          </Field>
          <Field label={t('fields.type')} htmlFor="df-type" required>
            <select
              id="df-type"
              className={cls('type')}
              value={form.type}
              onChange={(e) => edit('type', e.target.value as FieldType)}
              data-testid="field-type"
            >
              {FIELD_TYPES.map((x) => (
                <option key={x} value={x}>
                  {t(TYPE_MSG[x])}
                </option>
              ))}
            </select>
          </Field>
          {form.type === 'select' ? (
            <Field
              label={t('fields.options')}
              htmlFor="df-options"
              error={invalid.options}
              hint={t('fields.optionsHint')}
              required
              className="span-2"
            >
              <textarea
                id="df-options"
                className={cls('options')}
                rows={4}
                value={form.options}
                onChange={(e) => edit('options', e.target.value)}
                data-testid="field-options"
              />
            </Field>
          ) : null}
        </div>
        <ErrorBox error={error} testId="deal-field-error" />
        <div className="form-actions">
          <Button variant="primary" icon="plus" type="submit" busy={busy} data-testid="field-submit">
            {busy ? t('common.creating') : t('fields.add')}
          </Button>
        </div>
      </form>
    </Section>
  );
}
