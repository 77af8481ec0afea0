/** "New deal", from the board or a client: the deal, and if need be its client and contact, created in one step. */
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, newIdempotencyKey, type Client, type Contact, type Deal } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { DECIMAL } from '../../labels.js';
import { qk } from '../../query.js';
import { useRefData } from '../../session.js';
import { Button, Dialog, ErrorBox, Field } from '../../ui.js';
import { ClientPicker, type ClientRef } from '../clients/client-picker.js';
import { duplicatesQuery } from '../clients/clients-query.js';
import { MoneyWithCurrency } from '../fields/money-input.js';
import { decimalOf } from '../fields/number-format.js';
import { clientQuery } from '../clients/clients-query.js';

/** "New deal": title, client, contact, pipeline, amount + currency, expected close date. Typed values survive errors. */
export function NewDealDialog({
  pipelineId,
  client,
  onClose,
  onCreated,
}: {
  pipelineId?: string;
  client?: ClientRef | null;
  onClose: () => void;
  onCreated: (d: Deal) => void;
}) {
  const { t, locale, name } = useI18n();
  const { pipelines } = useRefData();
  const active = pipelines.filter((p) => !p.archived);
  const [title, setTitle] = useState('');
  const [picked, setPickedClient] = useState<ClientRef | null>(client ?? null);
  const [chosenPipeline, setPipeline] = useState(pipelineId ?? '');
  /** the pipeline chosen, else the first active one (the pipelines may arrive after the dialog opened) */
  const pipeline = chosenPipeline || active[0]?.id || '';
  /** canonical ("1234.5"), typed in the user's number format */
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState(locale === 'ru' ? 'RUB' : 'EUR');
  const [date, setDate] = useState('');
  const [chosenContactId, setContactId] = useState('');
  /** another client: its contacts are offered afresh */
  const setPicked = (c: ClientRef | null) => {
    setPickedClient(c);
    setContactId('');
  };
  /** a client and a contact created here, in the same step as the deal */
  const [newClient, setNewClient] = useState<NewClient | null>(null);
  const [newContact, setNewContact] = useState<NewContact | null>(null);
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // one key per opening of the dialog, sent again when Create is pressed after an error: if the first attempt did
  // create the deal (its answer lost, or a 503 after the write), the retry gets that deal instead of a second one
  const [idempotencyKey] = useState(newIdempotencyKey);

  // a new deal enters the pipeline's first stage: what that stage requires is marked as required here
  const firstStage = active.find((p) => p.id === pipeline)?.stages[0] ?? null;
  const firstRequires = (key: string) => !!firstStage?.requiredFields.includes(key);
  const contactRequired = firstRequires('contactId');

  const pickedId = picked?.id ?? null;
  const qc = useQueryClient();
  const pickedClient = useQuery({ ...clientQuery(pickedId ?? ''), enabled: !!pickedId });
  const contactsError = pickedId ? pickedClient.error : null;
  /** the chosen client's contacts; null while loading or with no client chosen */
  const contacts: Contact[] | null = !pickedId
    ? null
    : pickedClient.data
      ? (pickedClient.data.contacts ?? [])
      : contactsError
        ? []
        : null;
  // the first stage needs a contact and the client has exactly one: that one, unless another is chosen
  const contactId = chosenContactId || (contactRequired && contacts?.length === 1 ? contacts[0].id : '');

  async function submit() {
    const bad: Record<string, string> = {};
    if (!title.trim()) bad.title = t('error.requiredField');
    if (!picked && !newClient) bad.client = t('error.chooseClient');
    if (newClient && !newClient.name.trim()) bad.newClientName = t('error.requiredField');
    if (newContact && !newContact.name.trim()) bad.newContactName = t('error.requiredField');
    if (!pipeline) bad.pipeline = t('error.requiredField');
    const a = decimalOf(amount);
    if (a && !DECIMAL.test(a)) bad.amount = t('error.invalidAmount');
    if (picked && !newClient && contactRequired && !contactId && !newContact && contacts?.length)
      bad.contact = t('error.requiredField');
    setInvalid(bad);
    if (Object.keys(bad).length) return;
    setBusy(true);
    setError(null);
    try {
      let clientId = picked?.id ?? '';
      if (newClient) {
        const c = await api.post<Client>('/clients', compact(newClient));
        // from now on the client exists: a retry after an error must not create it twice
        setPicked({ id: c.id, name: c.name });
        setNewClient(null);
        clientId = c.id;
      }
      let chosenContact = contactId;
      if (newContact) {
        const c = await api.post<Contact>(`/clients/${clientId}/contacts`, compact(newContact));
        void qc.invalidateQueries({ queryKey: qk.client(clientId) });
        setContactId(c.id);
        setNewContact(null);
        chosenContact = c.id;
      }
      const body: Record<string, unknown> = { title: title.trim(), clientId, pipelineId: pipeline };
      if (a) {
        body.amount = a;
        body.currency = currency;
      }
      if (date) body.expectedCloseDate = date;
      if (chosenContact) body.contactId = chosenContact;
      const d = await api.post<Deal>('/deals', body, { headers: { 'Idempotency-Key': idempotencyKey } });
      onCreated(d);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={t('newDeal.title')}
      onClose={onClose}
      busy={busy}
      testId="new-deal-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button variant="primary" busy={busy} onClick={() => void submit()} data-testid="new-deal-submit">
            {busy ? t('common.creating') : t('common.create')}
          </Button>
        </>
      }
    >
      <form
        className="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <ErrorBox error={error} />
        <Field label={t('field.title')} htmlFor="nd-title" required error={invalid.title}>
          <input
            id="nd-title"
            className="input"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            placeholder={t('newDeal.titlePlaceholder')}
            maxLength={300}
            data-testid="new-deal-title"
          />
        </Field>
        {newClient ? (
          <NewClientFields
            value={newClient}
            onChange={setNewClient}
            invalidName={invalid.newClientName}
            onUse={(c) => {
              setPicked(c);
              setNewClient(null);
            }}
            onCancel={() => setNewClient(null)}
          />
        ) : (
          <Field
            label={t('field.client')}
            htmlFor="nd-client"
            required
            error={invalid.client}
            hint={
              <button
                type="button"
                className="link-btn"
                onClick={() => {
                  setNewClient(EMPTY_CLIENT);
                  setPicked(null);
                }}
                data-testid="new-client-inline"
              >
                {t('newDeal.newClient')}
              </button>
            }
          >
            <ClientPicker id="nd-client" value={picked} onChange={setPicked} invalid={!!invalid.client} />
          </Field>
        )}
        {newContact ? (
          <fieldset className="inline-create" data-testid="new-contact-fields">
            <legend>{t('newDeal.newContactTitle')}</legend>
            <Field label={t('field.name')} htmlFor="nc-name" required error={invalid.newContactName}>
              <input
                id="nc-name"
                className="input"
                value={newContact.name}
                data-testid="new-contact-name"
                onChange={(e) => setNewContact({ ...newContact, name: e.target.value })}
              />
            </Field>
            <div className="form-row">
              <Field label={t('field.email')} htmlFor="nc-email" className="grow">
                <input
                  id="nc-email"
                  type="email"
                  className="input"
                  value={newContact.email}
                  onChange={(e) => setNewContact({ ...newContact, email: e.target.value })}
                />
              </Field>
              <Field label={t('field.phone')} htmlFor="nc-phone" className="grow">
                <input
                  id="nc-phone"
                  type="tel"
                  className="input"
                  value={newContact.phone}
                  onChange={(e) => setNewContact({ ...newContact, phone: e.target.value })}
                />
              </Field>
            </div>
            <button type="button" className="link-btn" onClick={() => setNewContact(null)}>
              {t('common.cancel')}
            </button>
          </fieldset>
        ) : picked || newClient ? (
          <p className="field-hint">
            <button
              type="button"
              className="link-btn"
              onClick={() => {
                setNewContact(EMPTY_CONTACT);
                setContactId('');
              }}
              data-testid="new-contact-inline"
            >
              {t('newDeal.newContact')}
            </button>
          </p>
        ) : null}
        {picked && !newContact ? (
          <Field
            label={t('field.contact')}
            htmlFor="nd-contact"
            required={contactRequired}
            error={invalid.contact}
            hint={contacts && contacts.length === 0 && !contactsError ? t('newDeal.noContactsInline') : null}
          >
            <select
              id="nd-contact"
              className="input"
              value={contactId}
              disabled={contacts === null || contacts.length === 0}
              onChange={(e) => {
                setContactId(e.target.value);
                setInvalid((s) => ({ ...s, contact: '' }));
              }}
              data-testid="new-deal-contact"
            >
              <option value="">{contacts === null ? t('app.loading') : t('common.noneOption')}</option>
              {(contacts ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                  {c.position ? ` · ${c.position}` : ''}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        {contactsError ? <ErrorBox error={contactsError} /> : null}
        {active.length > 1 || !pipelineId ? (
          <Field label={t('field.pipeline')} htmlFor="nd-pipeline" required error={invalid.pipeline}>
            <select id="nd-pipeline" className="input" value={pipeline} onChange={(e) => setPipeline(e.target.value)}>
              {active.map((p) => (
                <option key={p.id} value={p.id}>
                  {name(p)}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        <div className="form-row">
          <Field
            label={t('field.amount')}
            htmlFor="nd-amount"
            error={invalid.amount}
            className="grow"
            required={firstRequires('amount')}
          >
            <MoneyWithCurrency
              id="nd-amount"
              amount={amount}
              currency={currency}
              onAmount={setAmount}
              onCurrency={setCurrency}
              invalid={!!invalid.amount}
              testId="new-deal-amount"
            />
          </Field>
          <Field label={t('field.expectedCloseDate')} htmlFor="nd-date" required={firstRequires('expectedCloseDate')}>
            <input id="nd-date" type="date" className="input" value={date} onChange={(e) => setDate(e.target.value)} />
          </Field>
        </div>
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </form>
    </Dialog>
  );
}

type NewClient = {
  name: string;
  taxId: string;
  email: string;
  phone: string;
};
type NewContact = {
  name: string;
  email: string;
  phone: string;
};
const EMPTY_CLIENT: NewClient = { name: '', taxId: '', email: '', phone: '' };
const EMPTY_CONTACT: NewContact = { name: '', email: '', phone: '' };
/** the trimmed, non-empty values only */
const compact = (o: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(o)
      .map(([k, v]) => [k, v.trim()] as const)
      .filter(([, v]) => v),
  );

/**
 * A client created with the deal. While it is typed, GET /clients/duplicates looks for clients with the same name,
 * tax id, email or phone; each is offered to be used instead of creating a second one.
 */
function NewClientFields({
  value,
  onChange,
  onUse,
  onCancel,
  invalidName,
}: {
  value: NewClient;
  onChange: (v: NewClient) => void;
  onUse: (c: ClientRef) => void;
  onCancel: () => void;
  invalidName?: string;
}) {
  const { t } = useI18n();
  const [probe] = useDebouncedValue(value, 300);
  const params = compact(probe);
  const asked = !!(params.name || params.taxId || params.email || params.phone);
  const found = useQuery({ ...duplicatesQuery(params), enabled: asked, retry: false });
  // no duplicate check on this server (yet), or it failed: creating is still allowed
  const duplicates = asked && found.data ? found.data.items : [];
  const set = (k: keyof NewClient) => (e: React.ChangeEvent<HTMLInputElement>) =>
    onChange({ ...value, [k]: e.target.value });
  return (
    <fieldset className="inline-create" data-testid="new-client-fields">
      <legend>{t('newDeal.newClientTitle')}</legend>
      <Field label={t('field.name')} htmlFor="ncl-name" required error={invalidName}>
        <input
          id="ncl-name"
          className="input"
          value={value.name}
          onChange={set('name')}
          data-testid="new-client-name"
        />
      </Field>
      <div className="form-row">
        <Field label={t('field.taxId')} htmlFor="ncl-tax" className="grow">
          <input
            id="ncl-tax"
            className="input"
            value={value.taxId}
            onChange={set('taxId')}
            data-testid="new-client-tax"
          />
        </Field>
        <Field label={t('field.email')} htmlFor="ncl-email" className="grow">
          <input
            id="ncl-email"
            type="email"
            className="input"
            value={value.email}
            onChange={set('email')}
            data-testid="new-client-email"
          />
        </Field>
        <Field label={t('field.phone')} htmlFor="ncl-phone" className="grow">
          <input
            id="ncl-phone"
            type="tel"
            className="input"
            value={value.phone}
            onChange={set('phone')}
            data-testid="new-client-phone"
          />
        </Field>
      </div>
      {duplicates.length ? (
        <div className="duplicates" role="status" data-testid="client-duplicates">
          <strong>{t('newDeal.duplicatesTitle', { count: duplicates.length })}</strong>
          <ul>
            {duplicates.map((d) => (
              <li key={d.id} data-testid="client-duplicate">
                <span className="grow">
                  {d.name}
                  {d.taxId ? ` · ${d.taxId}` : ''}
                  <span className="muted small"> — {d.matchedOn.map((m) => t(`newDeal.matched.${m}`)).join(', ')}</span>
                </span>
                <Button size="sm" onClick={() => onUse({ id: d.id, name: d.name })} data-testid="use-duplicate">
                  {t('newDeal.useClient')}
                </Button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <button type="button" className="link-btn" onClick={onCancel}>
        {t('newDeal.chooseExisting')}
      </button>
    </fieldset>
  );
}
