import { useEffect, useMemo, useRef, useState } from 'react';
import {
  ApiError,
  api,
  allPages,
  qs,
  type Client,
  type ClientDetail,
  type Contact,
  type Deal,
  type Page,
} from '../api.js';
import { NewDealDialog } from '../deal-forms.js';
import { useAsync, useDebounced, useDocumentTitle } from '../hooks.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { Link, navigate } from '../router.js';
import { useRefData } from '../session.js';
import { Avatar, Button, Card, Dialog, Empty, ErrorBox, Field, Icon, Loading, Spinner, useToast } from '../ui.js';

const CLIENT_FIELDS: { key: keyof Client; label: MessageKey; type?: string; wide?: boolean }[] = [
  { key: 'name', label: 'field.companyName' },
  { key: 'taxId', label: 'field.taxId' },
  { key: 'website', label: 'field.website', type: 'url' },
  { key: 'email', label: 'field.email', type: 'email' },
  { key: 'phone', label: 'field.phone', type: 'tel' },
  { key: 'address', label: 'field.address', wide: true },
  { key: 'notes', label: 'field.notes', type: 'textarea', wide: true },
];

export function ClientsPage() {
  const { t } = useI18n();
  useDocumentTitle(t('clients.title'));
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 250);
  const [items, setItems] = useState<Client[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const seq = useRef(0);

  async function load(reset: boolean) {
    const id = ++seq.current;
    if (reset) setLoading(true);
    else setMore(true);
    setError(null);
    try {
      const page = await api.get<Page<Client>>(
        `/clients${qs({ q: query || undefined, limit: 50, cursor: reset ? undefined : (cursor ?? undefined) })}`,
      );
      if (id !== seq.current) return;
      setItems((prev) => (reset ? page.items : [...prev, ...page.items]));
      setCursor(page.nextCursor);
    } catch (e) {
      if (id === seq.current) setError(e);
    } finally {
      if (id === seq.current) {
        setLoading(false);
        setMore(false);
      }
    }
  }
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => {
    void load(true);
  }, [query]);

  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('clients.title')}</h1>
        </div>
      </header>
      <div className="toolbar">
        <div className="input-icon toolbar-search">
          <Icon name="search" size={16} />
          <input
            className="input"
            type="search"
            placeholder={t('clients.search')}
            aria-label={t('common.search')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            data-testid="clients-search"
          />
          {loading && items.length ? <Spinner /> : null}
        </div>
        <div className="toolbar-spacer" />
        <Link to="/import" className="link" data-testid="clients-import">
          {t('import.link')}
        </Link>
        <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
          {t('clients.new')}
        </Button>
      </div>
      <ErrorBox error={error} onRetry={() => void load(items.length === 0)} />
      {loading && !items.length ? (
        <Loading />
      ) : items.length === 0 && !error ? (
        <Empty icon="building">{t('clients.empty')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table table-click" data-testid="clients-table">
            <thead>
              <tr>
                <th>{t('field.companyName')}</th>
                <th className="hide-sm">{t('field.taxId')}</th>
                <th className="hide-sm">{t('field.email')}</th>
                <th className="hide-md">{t('field.phone')}</th>
                <th className="hide-sm">{t('field.owner')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr
                  key={c.id}
                  onClick={(e) => {
                    if (!(e.target as HTMLElement).closest('a')) navigate(`/clients/${c.id}`);
                  }}
                >
                  <td>
                    <Link to={`/clients/${c.id}`} className="strong-link">
                      {c.name}
                    </Link>
                  </td>
                  <td className="hide-sm muted">{c.taxId ?? ''}</td>
                  <td className="hide-sm">{c.email ?? ''}</td>
                  <td className="hide-md">{c.phone ?? ''}</td>
                  <td className="hide-sm">
                    <span className="inline-flex">
                      <Avatar name={c.ownerName} size={20} /> {c.ownerName}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor ? (
        <div className="center mt-4">
          <Button onClick={() => void load(false)} busy={more}>
            {t('common.loadMore')}
          </Button>
        </div>
      ) : null}
      {creating ? (
        <ClientDialog
          onClose={() => setCreating(false)}
          onSaved={(c) => {
            setCreating(false);
            navigate(`/clients/${c.id}`);
          }}
        />
      ) : null}
    </div>
  );
}

function ClientDialog({ onClose, onSaved }: { onClose: () => void; onSaved: (c: Client) => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const [form, setForm] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState(false);
  async function submit() {
    if (!form.name?.trim()) {
      setInvalid(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = Object.fromEntries(
        Object.entries(form)
          .map(([k, v]) => [k, v.trim()])
          .filter(([, v]) => v),
      );
      const c = await api.post<Client>('/clients', body);
      toast('ok', t('clients.created', { name: c.name }));
      onSaved(c);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog
      title={t('clients.new')}
      onClose={onClose}
      busy={busy}
      wide
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button variant="primary" busy={busy} onClick={() => void submit()}>
            {t('common.create')}
          </Button>
        </>
      }
    >
      <form
        className="form-grid form-grid-2"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="span-2">
          <ErrorBox error={error} />
        </div>
        {CLIENT_FIELDS.map((f) => (
          <Field
            key={f.key}
            label={t(f.label)}
            htmlFor={`nc-${f.key}`}
            required={f.key === 'name'}
            error={f.key === 'name' && invalid ? t('error.requiredField') : null}
            className={f.wide ? 'span-2' : ''}
          >
            {f.type === 'textarea' ? (
              <textarea
                id={`nc-${f.key}`}
                className="input"
                rows={3}
                value={form[f.key] ?? ''}
                onChange={(e) => setForm((s) => ({ ...s, [f.key]: e.target.value }))}
              />
            ) : (
              <input
                id={`nc-${f.key}`}
                className="input"
                type={f.type ?? 'text'}
                value={form[f.key] ?? ''}
                onChange={(e) => {
                  setForm((s) => ({ ...s, [f.key]: e.target.value }));
                  if (f.key === 'name') setInvalid(false);
                }}
              />
            )}
          </Field>
        ))}
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </form>
    </Dialog>
  );
}

export function ClientPage({ id }: { id: string }) {
  const { t, money } = useI18n();
  const toast = useToast();
  const { stageById } = useRefData();
  const client = useAsync(() => api.get<ClientDetail>(`/clients/${id}`), [id]);
  const deals = useAsync(() => allPages<Deal>('/deals', { clientId: id }, 5), [id]);
  const [creatingDeal, setCreatingDeal] = useState(false);
  useDocumentTitle(client.data?.name ?? t('nav.clients'));

  if (client.loading && !client.data)
    return (
      <div className="page">
        <Loading />
      </div>
    );
  const c = client.data;
  if (!c) {
    return (
      <div className="page">
        {client.error instanceof ApiError && client.error.status === 404 ? (
          <Empty icon="building">{t('common.notFound')}</Empty>
        ) : (
          <ErrorBox error={client.error} onRetry={() => void client.reload()} />
        )}
        <p>
          <Link to="/clients" className="link">
            {t('clients.title')}
          </Link>
        </p>
      </div>
    );
  }
  return (
    <div className="page">
      <nav className="breadcrumb">
        <Link to="/clients">
          <Icon name="chevronLeft" size={14} /> {t('clients.title')}
        </Link>
      </nav>
      <header className="deal-header">
        <div>
          <h1 data-testid="client-name">{c.name}</h1>
          <div className="deal-sub">
            {c.website ? (
              <a
                className="link"
                href={/^https?:\/\//.test(c.website) ? c.website : `https://${c.website}`}
                target="_blank"
                rel="noreferrer"
              >
                <Icon name="globe" size={14} /> {c.website}
              </a>
            ) : null}
            <span className="inline-flex">
              <Avatar name={c.ownerName} size={20} /> {c.ownerName}
            </span>
          </div>
        </div>
        <Button variant="primary" icon="plus" onClick={() => setCreatingDeal(true)}>
          {t('client.newDeal')}
        </Button>
      </header>
      <div className="deal-grid">
        <div className="deal-main">
          <ClientDetailsCard
            client={c}
            onSaved={(x) => client.setData((prev) => ({ ...(prev as ClientDetail), ...x }))}
            onStale={() => void client.reload()}
          />
          <Card
            title={
              <>
                {t('client.deals')} <span className="count">{deals.data?.length ?? 0}</span>
              </>
            }
            testId="client-deals"
          >
            <ErrorBox error={deals.error} onRetry={() => void deals.reload()} />
            {deals.loading && !deals.data ? (
              <Loading />
            ) : !deals.data?.length ? (
              <Empty icon="board">{t('client.noDeals')}</Empty>
            ) : (
              <ul className="list">
                {deals.data.map((d) => {
                  const s = stageById(d.stageId)?.stage;
                  return (
                    <li key={d.id} className="list-row">
                      <Link to={`/deals/${d.id}`} className="strong-link grow">
                        {d.title}
                      </Link>
                      {s ? <span className={`stage-chip stage-chip-${s.kind}`}>{s.name}</span> : null}
                      <span className="amount">{d.amount !== null ? money(d.amount, d.currency) : ''}</span>
                    </li>
                  );
                })}
              </ul>
            )}
          </Card>
        </div>
        <aside className="deal-side">
          <ContactsCard
            client={c}
            onAdded={(ct) => {
              client.setData((prev) => ({ ...(prev as ClientDetail), contacts: [...(prev?.contacts ?? []), ct] }));
              toast('ok', t('client.contactAdded', { name: ct.name }));
            }}
          />
        </aside>
      </div>
      {creatingDeal ? (
        <NewDealDialog
          client={{ id: c.id, name: c.name }}
          onClose={() => setCreatingDeal(false)}
          onCreated={(d) => {
            setCreatingDeal(false);
            navigate(`/deals/${d.id}`);
          }}
        />
      ) : null}
    </div>
  );
}

function ClientDetailsCard({
  client,
  onSaved,
  onStale,
}: {
  client: ClientDetail;
  onSaved: (c: Client) => void;
  onStale: () => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const base = useMemo(
    () => Object.fromEntries(CLIENT_FIELDS.map((f) => [f.key, String(client[f.key] ?? '')])),
    [client],
  );
  const [form, setForm] = useState<Record<string, string>>(base);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const prevBase = useRef(base);
  useEffect(() => {
    const prev = prevBase.current;
    prevBase.current = base;
    setForm((f) => {
      const next = { ...base };
      for (const k of Object.keys(f)) if (f[k] !== prev[k]) next[k] = f[k];
      return next;
    });
  }, [base]);
  const dirty = CLIENT_FIELDS.some((f) => form[f.key] !== base[f.key]);
  async function save() {
    if (!form.name?.trim()) {
      setError(new Error(`${t('field.companyName')}: ${t('error.requiredField')}`));
      return;
    }
    const changes: Record<string, string | null> = {};
    for (const f of CLIENT_FIELDS)
      if (form[f.key] !== base[f.key]) changes[f.key] = form[f.key].trim() || (f.key === 'name' ? form[f.key] : null);
    setBusy(true);
    setError(null);
    try {
      const c = await api.patch<Client>(`/clients/${client.id}`, { version: client.version, ...changes });
      onSaved(c);
      toast('ok', t('client.saved'));
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.status === 409) onStale();
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card title={t('client.details')} actions={dirty ? <span className="muted small">{t('deal.unsaved')}</span> : null}>
      <form
        className="form-grid form-grid-2"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="span-2">
          <ErrorBox error={error} />
        </div>
        {CLIENT_FIELDS.map((f) => (
          <Field key={f.key} label={t(f.label)} htmlFor={`cl-${f.key}`} className={f.wide ? 'span-2' : ''}>
            {f.type === 'textarea' ? (
              <textarea
                id={`cl-${f.key}`}
                className="input"
                rows={3}
                value={form[f.key] ?? ''}
                onChange={(e) => setForm((s) => ({ ...s, [f.key]: e.target.value }))}
              />
            ) : (
              <input
                id={`cl-${f.key}`}
                className="input"
                type={f.type ?? 'text'}
                value={form[f.key] ?? ''}
                onChange={(e) => setForm((s) => ({ ...s, [f.key]: e.target.value }))}
              />
            )}
          </Field>
        ))}
        <div className="form-actions span-2">
          <Button
            onClick={() => {
              setForm(base);
              setError(null);
            }}
            disabled={!dirty || busy}
          >
            {t('common.reset')}
          </Button>
          <Button variant="primary" type="submit" busy={busy} disabled={!dirty}>
            {busy ? t('common.saving') : t('common.save')}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function ContactsCard({ client, onAdded }: { client: ClientDetail; onAdded: (c: Contact) => void }) {
  const { t } = useI18n();
  const [adding, setAdding] = useState(false);
  const [form, setForm] = useState({ name: '', position: '', email: '', phone: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState(false);
  async function add() {
    if (!form.name.trim()) {
      setInvalid(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = Object.fromEntries(
        Object.entries(form)
          .map(([k, v]) => [k, v.trim()])
          .filter(([, v]) => v),
      );
      const c = await api.post<Contact>(`/clients/${client.id}/contacts`, body);
      onAdded(c);
      setForm({ name: '', position: '', email: '', phone: '' });
      setAdding(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  const contacts = client.contacts ?? [];
  return (
    <Card
      title={
        <>
          {t('client.contacts')} <span className="count">{contacts.length}</span>
        </>
      }
      testId="client-contacts"
      actions={
        !adding ? (
          <Button size="sm" icon="plus" onClick={() => setAdding(true)}>
            {t('client.addContact')}
          </Button>
        ) : null
      }
    >
      {contacts.length === 0 && !adding ? (
        <Empty icon="users">{t('client.noContacts')}</Empty>
      ) : (
        <ul className="contacts">
          {contacts.map((c) => (
            <li key={c.id} className="contact">
              <Avatar name={c.name} size={32} />
              <div className="contact-main">
                <div className="strong">{c.name}</div>
                {c.position ? <div className="muted small">{c.position}</div> : null}
                <div className="small contact-links">
                  {c.email ? (
                    <a className="link" href={`mailto:${c.email}`}>
                      {c.email}
                    </a>
                  ) : null}
                  {c.phone ? (
                    <a className="link" href={`tel:${c.phone}`}>
                      {c.phone}
                    </a>
                  ) : null}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
      {adding ? (
        <form
          className="form-grid contact-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <ErrorBox error={error} />
          <Field label={t('field.name')} htmlFor="ct-name" required error={invalid ? t('error.requiredField') : null}>
            <input
              id="ct-name"
              className="input"
              value={form.name}
              onChange={(e) => {
                setForm({ ...form, name: e.target.value });
                setInvalid(false);
              }}
            />
          </Field>
          <Field label={t('field.position')} htmlFor="ct-pos">
            <input
              id="ct-pos"
              className="input"
              value={form.position}
              onChange={(e) => setForm({ ...form, position: e.target.value })}
            />
          </Field>
          <Field label={t('field.email')} htmlFor="ct-email">
            <input
              id="ct-email"
              type="email"
              className="input"
              value={form.email}
              onChange={(e) => setForm({ ...form, email: e.target.value })}
            />
          </Field>
          <Field label={t('field.phone')} htmlFor="ct-phone">
            <input
              id="ct-phone"
              type="tel"
              className="input"
              value={form.phone}
              onChange={(e) => setForm({ ...form, phone: e.target.value })}
            />
          </Field>
          <div className="form-actions">
            <Button
              onClick={() => {
                setAdding(false);
                setError(null);
              }}
              disabled={busy}
            >
              {t('common.cancel')}
            </Button>
            <Button variant="primary" type="submit" busy={busy}>
              {t('common.add')}
            </Button>
          </div>
        </form>
      ) : null}
    </Card>
  );
}
