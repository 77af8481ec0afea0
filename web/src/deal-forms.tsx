import { useEffect, useId, useRef, useState } from 'react';
import {
  api,
  newIdempotencyKey,
  qs,
  type Client,
  type ClientDetail,
  type Contact,
  type Deal,
  type Page,
} from './api.js';
import { useDebounced } from './hooks.js';
import { useI18n } from './i18n/index.js';
import { CURRENCIES, DECIMAL, normalizeAmount } from './labels.js';
import { useRefData } from './session.js';
import { Button, Dialog, ErrorBox, Field, Icon, Spinner } from './ui.js';

export interface ClientRef {
  id: string;
  name: string;
}

/** A searchable client combobox: type to search GET /clients?q=, arrows + Enter or click to choose. */
export function ClientPicker({
  value,
  onChange,
  id,
  invalid,
}: {
  value: ClientRef | null;
  onChange: (c: ClientRef | null) => void;
  id?: string;
  invalid?: boolean;
}) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Client[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [active, setActive] = useState(0);
  const debounced = useDebounced(q, 200);
  const listId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const wrap = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the spinner shows while this search is answered
    setLoading(true);
    api
      .get<Page<Client>>(`/clients${qs({ q: debounced.trim() || undefined, limit: 20 })}`)
      .then((r) => {
        if (!cancelled) {
          setItems(r.items);
          setError(null);
          setActive(0);
        }
      })
      .catch((e) => {
        if (!cancelled) setError(e);
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [debounced, open]);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  if (value) {
    return (
      <div className="picked" data-testid="client-picked">
        <Icon name="building" size={16} />
        <span className="picked-name">{value.name}</span>
        <button
          type="button"
          className="icon-btn icon-btn-sm"
          aria-label={t('common.edit')}
          onClick={() => {
            onChange(null);
            setOpen(true);
            setTimeout(() => inputRef.current?.focus(), 0);
          }}
        >
          <Icon name="x" size={14} />
        </button>
      </div>
    );
  }

  const choose = (c: Client) => {
    onChange({ id: c.id, name: c.name });
    setOpen(false);
    setQ('');
  };
  return (
    <div className="combo" ref={wrap}>
      <div className="input-icon">
        <Icon name="search" size={16} />
        <input
          ref={inputRef}
          id={id}
          className={`input ${invalid ? 'input-invalid' : ''}`}
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          autoComplete="off"
          placeholder={t('newDeal.clientSearch')}
          value={q}
          data-testid="client-search"
          onFocus={() => setOpen(true)}
          onChange={(e) => {
            setQ(e.target.value);
            setOpen(true);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setOpen(true);
              setActive((a) => Math.min(a + 1, items.length - 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => Math.max(a - 1, 0));
            } else if (e.key === 'Enter' && open && items[active]) {
              e.preventDefault();
              choose(items[active]);
            } else if (e.key === 'Escape' && open) {
              e.stopPropagation();
              e.preventDefault();
              setOpen(false);
            }
          }}
        />
        {loading ? <Spinner /> : null}
      </div>
      {open ? (
        <ul className="combo-list" role="listbox" id={listId}>
          {error ? (
            <li className="combo-empty">
              <ErrorBox error={error} />
            </li>
          ) : items.length === 0 && !loading ? (
            <li className="combo-empty">{t('newDeal.noClients')}</li>
          ) : (
            items.map((c, i) => (
              <li
                key={c.id}
                role="option"
                aria-selected={i === active}
                className={`combo-option ${i === active ? 'active' : ''}`}
                onMouseEnter={() => setActive(i)}
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(c);
                }}
                data-testid="client-option"
              >
                <span>{c.name}</span>
                {c.taxId || c.email ? <span className="muted small">{c.taxId ?? c.email}</span> : null}
              </li>
            ))
          )}
        </ul>
      ) : null}
    </div>
  );
}

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
  const [picked, setPicked] = useState<ClientRef | null>(client ?? null);
  const [pipeline, setPipeline] = useState(pipelineId ?? active[0]?.id ?? '');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState(locale === 'ru' ? 'RUB' : 'EUR');
  const [date, setDate] = useState('');
  const [contactId, setContactId] = useState('');
  /** a client and a contact created here, in the same step as the deal */
  const [newClient, setNewClient] = useState<NewClient | null>(null);
  const [newContact, setNewContact] = useState<NewContact | null>(null);
  /** the chosen client's contacts; null while loading or with no client chosen */
  const [contacts, setContacts] = useState<Contact[] | null>(null);
  const [contactsError, setContactsError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // one key per opening of the dialog, sent again when Create is pressed after an error: if the first attempt did
  // create the deal (its answer lost, or a 503 after the write), the retry gets that deal instead of a second one
  const [idempotencyKey] = useState(newIdempotencyKey);

  if (!pipeline && active[0]) setPipeline(active[0].id);

  // a new deal enters the pipeline's first stage: what that stage requires is marked as required here
  const firstStage = active.find((p) => p.id === pipeline)?.stages[0] ?? null;
  const firstRequires = (key: string) => !!firstStage?.requiredFields.includes(key);
  const contactRequired = firstRequires('contactId');

  const pickedId = picked?.id ?? null;
  // another client: its contacts are read again, the contact chosen from the last one's is dropped
  const [contactsOf, setContactsOf] = useState(pickedId);
  if (contactsOf !== pickedId) {
    setContactsOf(pickedId);
    setContactId('');
    setContacts(null);
    setContactsError(null);
  }
  useEffect(() => {
    if (!pickedId) return;
    let cancelled = false;
    api
      .get<ClientDetail>(`/clients/${pickedId}`)
      .then((c) => {
        if (!cancelled) setContacts(c.contacts ?? []);
      })
      .catch((e) => {
        if (!cancelled) {
          setContacts([]);
          setContactsError(e);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [pickedId]);
  // the first stage needs a contact and the client has exactly one: take it
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- only when the contacts arrive
    if (contactRequired && contacts?.length === 1) setContactId((c) => c || contacts[0].id);
  }, [contactRequired, contacts]);

  async function submit() {
    const bad: Record<string, string> = {};
    if (!title.trim()) bad.title = t('error.requiredField');
    if (!picked && !newClient) bad.client = t('error.chooseClient');
    if (newClient && !newClient.name.trim()) bad.newClientName = t('error.requiredField');
    if (newContact && !newContact.name.trim()) bad.newContactName = t('error.requiredField');
    if (!pipeline) bad.pipeline = t('error.requiredField');
    const a = normalizeAmount(amount);
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
        setContacts((cs) => [...(cs ?? []), c]);
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
            <div className="input-group">
              <input
                id="nd-amount"
                className="input"
                inputMode="decimal"
                placeholder="0.00"
                value={amount}
                onChange={(e) => setAmount(e.target.value)}
                data-testid="new-deal-amount"
              />
              <select
                className="input input-currency"
                aria-label={t('field.currency')}
                value={currency}
                onChange={(e) => setCurrency(e.target.value)}
              >
                {CURRENCIES.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            </div>
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

interface NewClient {
  name: string;
  taxId: string;
  email: string;
  phone: string;
}
interface NewContact {
  name: string;
  email: string;
  phone: string;
}
const EMPTY_CLIENT: NewClient = { name: '', taxId: '', email: '', phone: '' };
const EMPTY_CONTACT: NewContact = { name: '', email: '', phone: '' };
/** the trimmed, non-empty values only */
const compact = (o: object) =>
  Object.fromEntries(
    Object.entries(o)
      .map(([k, v]): [string, string] => [k, String(v).trim()])
      .filter(([, v]) => v),
  );

interface Duplicate {
  id: string;
  name: string;
  taxId: string | null;
  matchedOn: ('name' | 'taxId' | 'email' | 'phone')[];
}

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
  const probe = useDebounced(value, 300);
  const [duplicates, setDuplicates] = useState<Duplicate[]>([]);
  useEffect(() => {
    const params = compact(probe);
    if (!params.name && !params.taxId && !params.email && !params.phone) {
      // eslint-disable-next-line react-hooks/set-state-in-effect -- emptied fields drop the last search's duplicates
      setDuplicates([]);
      return;
    }
    let cancelled = false;
    api
      .get<{ items: Duplicate[] }>(`/clients/duplicates${qs(params)}`)
      .then((r) => {
        if (!cancelled) setDuplicates(r.items);
      })
      // no duplicate check on this server (yet): creating is still allowed
      .catch(() => {
        if (!cancelled) setDuplicates([]);
      });
    return () => {
      cancelled = true;
    };
  }, [probe]);
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
