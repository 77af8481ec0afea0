/** A client's details as a form (Mantine form): creating a client, and editing one in place on its page. */
import { TextInput, Textarea } from '@mantine/core';
import { useForm, type UseFormReturnType } from '@mantine/form';
import { useEffect, useRef } from 'react';
import { ApiError, type Client, type ClientDetail } from '../../api.js';
import { useI18n, type MessageKey, type T } from '../../i18n/index.js';
import { Button, Card, Dialog, ErrorBox, useToast } from '../../ui.js';
import { markProblemField } from '../fields/problem-field.js';
import { useCreateClient, useUpdateClient, type ClientChanges } from './clients-query.js';

type Key = 'name' | 'taxId' | 'website' | 'email' | 'phone' | 'address' | 'notes';
export type ClientValues = Record<Key, string>;

export const CLIENT_FIELDS: {
  key: Key;
  label: MessageKey;
  type?: 'url' | 'email' | 'tel' | 'textarea';
  wide?: boolean;
}[] = [
  { key: 'name', label: 'field.companyName' },
  { key: 'taxId', label: 'field.taxId' },
  { key: 'website', label: 'field.website', type: 'url' },
  { key: 'email', label: 'field.email', type: 'email' },
  { key: 'phone', label: 'field.phone', type: 'tel' },
  { key: 'address', label: 'field.address', wide: true },
  { key: 'notes', label: 'field.notes', type: 'textarea', wide: true },
];

const EMPTY: ClientValues = { name: '', taxId: '', website: '', email: '', phone: '', address: '', notes: '' };
const valuesOf = (c: Client): ClientValues =>
  Object.fromEntries(CLIENT_FIELDS.map((f) => [f.key, String(c[f.key] ?? '')])) as ClientValues;
const validate = (t: T) => ({ name: (v: string) => (v.trim() ? null : t('error.requiredField')) });

function ClientInputs({ form, prefix }: { form: UseFormReturnType<ClientValues>; prefix: string }) {
  const { t } = useI18n();
  return (
    <>
      {CLIENT_FIELDS.map((f) =>
        f.type === 'textarea' ? (
          <Textarea
            key={f.key}
            id={`${prefix}-${f.key}`}
            label={t(f.label)}
            className={f.wide ? 'span-2' : ''}
            autosize
            minRows={3}
            {...form.getInputProps(f.key)}
          />
        ) : (
          <TextInput
            key={f.key}
            id={`${prefix}-${f.key}`}
            label={t(f.label)}
            type={f.type ?? 'text'}
            withAsterisk={f.key === 'name'}
            className={f.wide ? 'span-2' : ''}
            {...form.getInputProps(f.key)}
          />
        ),
      )}
    </>
  );
}

/** The trimmed values that are set: what a new client is created with. */
const filled = (v: ClientValues) => {
  const out: Partial<ClientValues> = {};
  for (const f of CLIENT_FIELDS) if (v[f.key].trim()) out[f.key] = v[f.key].trim();
  return out;
};

export function NewClientDialog({ onClose, onSaved }: { onClose: () => void; onSaved: (c: Client) => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const create = useCreateClient();
  const form = useForm<ClientValues>({ mode: 'controlled', initialValues: EMPTY, validate: validate(t) });
  const busy = create.isPending;
  const submit = form.onSubmit((v) =>
    create.mutate(
      { name: v.name.trim(), ...filled(v) },
      {
        onSuccess: (c) => {
          toast('ok', t('clients.created', { name: c.name }));
          onSaved(c);
        },
        onError: (e) => markProblemField(form, e),
      },
    ),
  );
  return (
    <Dialog
      title={t('clients.new')}
      onClose={onClose}
      busy={busy}
      wide
      testId="new-client-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button variant="primary" busy={busy} onClick={() => submit()} data-testid="new-client-submit">
            {t('common.create')}
          </Button>
        </>
      }
    >
      <form className="form-grid form-grid-2" noValidate onSubmit={submit}>
        <div className="span-2">
          <ErrorBox error={create.error} />
        </div>
        <ClientInputs form={form} prefix="nc" />
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </form>
    </Dialog>
  );
}

/**
 * The client's details, edited in place. A colleague's change that arrives meanwhile shows in the fields the user has
 * not touched; a save sends only what changed, from the version shown (a conflict reads the client again).
 */
export function ClientDetailsForm({ client }: { client: ClientDetail }) {
  const { t } = useI18n();
  const toast = useToast();
  const update = useUpdateClient(client.id);
  const base = valuesOf(client);
  const baseKey = JSON.stringify(base);
  const form = useForm<ClientValues>({ mode: 'controlled', initialValues: base, validate: validate(t) });
  const { getValues, setValues, setInitialValues } = form;
  const shown = useRef(baseKey);
  useEffect(() => {
    if (shown.current === baseKey) return;
    const before = JSON.parse(shown.current) as ClientValues;
    const after = JSON.parse(baseKey) as ClientValues;
    shown.current = baseKey;
    const now = getValues();
    const next = { ...after };
    for (const f of CLIENT_FIELDS) if (now[f.key] !== before[f.key]) next[f.key] = now[f.key];
    setInitialValues(after);
    setValues(next);
  }, [baseKey, getValues, setValues, setInitialValues]);
  const dirty = CLIENT_FIELDS.some((f) => form.values[f.key] !== base[f.key]);
  const busy = update.isPending;

  const submit = form.onSubmit((v) => {
    const changes: ClientChanges = { version: client.version };
    for (const f of CLIENT_FIELDS) {
      if (v[f.key] === base[f.key]) continue;
      if (f.key === 'name') changes.name = v.name.trim();
      else changes[f.key] = v[f.key].trim() || null;
    }
    update.mutate(changes, {
      onSuccess: () => toast('ok', t('client.saved')),
      onError: (e) => {
        if (!(e instanceof ApiError && e.status === 409)) markProblemField(form, e);
      },
    });
  });

  return (
    <Card title={t('client.details')} actions={dirty ? <span className="muted small">{t('deal.unsaved')}</span> : null}>
      <form className="form-grid form-grid-2" noValidate onSubmit={submit} data-testid="client-details">
        <div className="span-2">
          <ErrorBox error={update.error} testId="client-save-error" />
        </div>
        <ClientInputs form={form} prefix="cl" />
        <div className="form-actions span-2">
          <Button
            onClick={() => {
              form.setValues(base);
              form.clearErrors();
              update.reset();
            }}
            disabled={!dirty || busy}
          >
            {t('common.reset')}
          </Button>
          <Button variant="primary" type="submit" busy={busy} disabled={!dirty} data-testid="client-save">
            {busy ? t('common.saving') : t('common.save')}
          </Button>
        </div>
      </form>
    </Card>
  );
}
