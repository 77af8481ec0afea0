import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  ApiError,
  api,
  qs,
  uploadAttachment,
  type Attachment,
  type ClientDetail,
  type CommandResult,
  type Contact,
  type Deal,
  type DealDetail,
  type DealEvent,
  type DealField,
  type Missing,
  type Page,
  type Stage,
} from '../api.js';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useAsync, useDocumentTitle } from '../hooks.js';
import { qk } from '../query.js';
import { useI18n } from '../i18n/index.js';
import { CURRENCIES, DECIMAL, normalizeAmount, useLabels } from '../labels.js';
import { Link } from '../router.js';
import { useRefData } from '../session.js';
import { useStageMove } from '../stage-move.js';
import { ReferenceInput, isReferenceType, useReferenceText } from '../features/fields/reference-inputs.js';
import { Avatar, Button, Card, Dialog, Empty, ErrorBox, Field, Icon, Loading, formatSize, useToast } from '../ui.js';
import { ArchiveActions, archiveEventText } from '../features/archive/archive-actions.js';

type Form = Record<string, string>;

/** A value from a record's JSON as text: a string as it is, a number or a boolean printed, anything else as JSON. */
const asText = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);

function formOf(deal: Deal, fields: DealField[]): Form {
  const f: Form = {
    title: deal.title,
    amount: deal.amount ?? '',
    currency: deal.currency ?? '',
    expectedCloseDate: deal.expectedCloseDate ?? '',
    contactId: deal.contactId ?? '',
  };
  for (const d of fields) {
    const v = deal.custom?.[d.key];
    if (d.type === 'money') {
      const m: { amount?: string; currency?: string } | null = v ?? null;
      f[`custom.${d.key}`] = m?.amount ?? '';
      f[`custom.${d.key}.currency`] = m?.currency ?? '';
    } else f[`custom.${d.key}`] = v === null || v === undefined ? '' : asText(v);
  }
  return f;
}

/**
 * The stages a deal has been in, from its history: where it was created and both ends of every move. `history` is
 * every event loaded so far; `hasOlder` says whether older ones remain unloaded (a cursor is left). `complete` is false
 * while the loaded history does not reach back to the creation, so absent stages are unknown rather than skipped.
 */
export function stagesReached(history: DealEvent[], hasOlder: boolean): { ids: Set<string>; complete: boolean } {
  const ids = new Set<string>();
  let complete = !hasOlder;
  for (const e of history) {
    if (e.kind === 'created') {
      complete = true;
      if (e.toStageId) ids.add(e.toStageId);
    } else if (e.kind === 'stage_changed') {
      if (e.fromStageId) ids.add(e.fromStageId);
      if (e.toStageId) ids.add(e.toStageId);
    }
  }
  return { ids, complete };
}

/** Older history pages loaded with "Show older": every event shown at that moment plus the page, and where to go on. */
interface OlderHistory {
  dealId: string;
  events: DealEvent[];
  cursor: string | null;
}

/**
 * The history as far as it is loaded: the latest page that comes with the deal, then the older pages, as long as the
 * latest page still reaches them. A reload brings a new latest page; after more than a page of new events it no longer
 * joins the older pages, and the history starts again from the latest page and its own cursor.
 */
export function joinHistory(
  latest: DealEvent[],
  latestCursor: string | null,
  older: Omit<OlderHistory, 'dealId'> | null,
): { events: DealEvent[]; cursor: string | null } {
  if (!older || latestCursor === null || !latest.length) return { events: latest, cursor: latestCursor };
  const at = older.events.findIndex((e) => e.id === latest[latest.length - 1].id);
  if (at < 0) return { events: latest, cursor: latestCursor };
  return { events: [...latest, ...older.events.slice(at + 1)], cursor: older.cursor };
}

function useDealHistory(deal: DealDetail | undefined) {
  const [older, setOlder] = useState<OlderHistory | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const latest = deal?.history;
  const latestCursor = deal?.historyNextCursor ?? null;
  const dealId = deal?.id;
  const joined = useMemo(
    () => joinHistory(latest ?? [], latestCursor, older && older.dealId === dealId ? older : null),
    [latest, latestCursor, older, dealId],
  );
  const busy = useRef(false);
  const loadOlder = useCallback(async () => {
    if (!dealId || !joined.cursor || busy.current) return;
    busy.current = true;
    setLoading(true);
    setError(null);
    try {
      const page = await api.get<Page<DealEvent>>(
        `/deals/${dealId}/history${qs({ limit: HISTORY_PAGE, cursor: joined.cursor })}`,
      );
      const known = new Set(joined.events.map((e) => e.id));
      setOlder({
        dealId,
        events: [...joined.events, ...page.items.filter((e) => !known.has(e.id))],
        cursor: page.nextCursor,
      });
    } catch (e) {
      setError(e);
    } finally {
      busy.current = false;
      setLoading(false);
    }
  }, [dealId, joined]);
  return { events: joined.events, hasOlder: joined.cursor !== null, loadOlder, loading, error };
}

const HISTORY_PAGE = 50;

type StepState = 'current' | 'done' | 'skipped' | 'todo';

export function DealPage({ id }: { id: string }) {
  const { t } = useI18n();
  const { stageById, pipelines } = useRefData();
  const qc = useQueryClient();
  // cached by id: a colleague's change (live event) or a move on the board invalidates it, and it is read again
  const detailQuery = useQuery({ queryKey: qk.deal(id), queryFn: () => api.get<DealDetail>(`/deals/${id}`) });
  const detail = { data: detailQuery.data, error: detailQuery.error, loading: detailQuery.isFetching };
  const deal = detail.data;
  useDocumentTitle(deal?.title ?? t('nav.deals'));
  const { refetch } = detailQuery;
  const reload = useCallback(() => refetch(), [refetch]);
  const setData = useCallback(
    (fn: (d: DealDetail | undefined) => DealDetail | undefined) => {
      qc.setQueryData<DealDetail>(qk.deal(id), fn);
    },
    [qc, id],
  );
  const clientId = deal?.clientId;
  /** the client's contacts: the contact picker and the history (which names contacts by id) share them */
  const contacts = useAsync<{ clientId: string; list: Contact[] } | null>(
    () =>
      clientId
        ? api.get<ClientDetail>(`/clients/${clientId}`).then((c) => ({ clientId, list: c.contacts ?? [] }))
        : Promise.resolve(null),
    [clientId],
  );
  const contactId = deal?.contactId;
  /** undefined until the contacts of this deal's client are in */
  const contactList = contacts.data && contacts.data.clientId === clientId ? contacts.data.list : undefined;
  const { reload: reloadContacts } = contacts;
  // a contact added elsewhere meanwhile (e.g. in the stage dialog): take the client's contacts again
  useEffect(() => {
    if (contactId && contactList && !contactList.some((c) => c.id === contactId)) void reloadContacts();
  }, [contactId, contactList, reloadContacts]);

  const onMoved = useCallback(() => {
    void reload();
    void qc.invalidateQueries({ queryKey: qk.boards });
  }, [reload, qc]);
  const { requestMove, dialog, pending } = useStageMove({ onMoved, onStale: () => void reload() });
  const history = useDealHistory(deal);

  if (detail.loading && !deal)
    return (
      <div className="page">
        <Loading />
      </div>
    );
  if (!deal) {
    const notFound = detail.error instanceof ApiError && detail.error.status === 404;
    return (
      <div className="page">
        {notFound ? (
          <Empty icon="board">{t('deal.notFound')}</Empty>
        ) : (
          <ErrorBox error={detail.error} onRetry={() => void reload()} />
        )}
        <p>
          <Link to="/deals" className="link">
            {t('notFound.back')}
          </Link>
        </p>
      </div>
    );
  }

  const current = stageById(deal.stageId);
  const pipeline = current?.pipeline ?? pipelines.find((p) => p.id === deal.pipelineId) ?? null;
  const stages = pipeline?.stages ?? [];
  const curIndex = stages.findIndex((s) => s.id === deal.stageId);
  const closed = !!current && current.stage.kind !== 'open';
  const reached = stagesReached(history.events, history.hasOlder);
  const stepState = (s: Stage, i: number): StepState => {
    if (s.id === deal.stageId) return 'current';
    if (s.kind !== 'open') return 'todo';
    if (!reached.complete) {
      // the history shown does not go back to the creation: what it shows, else the stages before the current one
      if (reached.ids.has(s.id) && (closed || i < curIndex)) return 'done';
      return !closed && curIndex >= 0 && i < curIndex ? 'done' : 'todo';
    }
    if (reached.ids.has(s.id)) return closed || i < curIndex ? 'done' : 'todo';
    return closed ? 'skipped' : 'todo';
  };
  // the saved fields show at once; the reload brings the history entry the save wrote
  const applyResult = (r: CommandResult) => {
    setData((d) => ({ ...(d as DealDetail), ...r.deal }));
    void reload();
  };

  return (
    <div className="page page-deal" data-testid="deal-page">
      <nav className="breadcrumb">
        <Link to={pipeline ? `/deals?pipeline=${pipeline.id}` : '/deals'}>
          <Icon name="chevronLeft" size={14} /> {t('deal.backToBoard')}
        </Link>
        {pipeline ? (
          <>
            <span className="sep">/</span>
            <span>{pipeline.name}</span>
          </>
        ) : null}
      </nav>
      <header className="deal-header">
        <div>
          <h1 data-testid="deal-title">{deal.title}</h1>
          <div className="deal-sub">
            <Link to={`/clients/${deal.clientId}`} className="link">
              <Icon name="building" size={14} /> {deal.clientName}
            </Link>
            <span className="dot-sep" />
            <span className="inline-flex">
              <Avatar name={deal.ownerName} size={20} /> {deal.ownerName}
            </span>
          </div>
        </div>
        <div className="deal-amount">
          <DealAmount deal={deal} />
        </div>
      </header>
      <ArchiveActions deal={deal} />

      {stages.length ? (
        <div className="stage-bar" role="group" aria-label={t('deal.stageBar')} data-testid="stage-bar">
          {stages.map((s, i) => {
            const state = stepState(s, i);
            const isCurrent = state === 'current';
            const done = state === 'done';
            const gated = s.requiredFields.length + s.requiredDocumentKinds.length > 0;
            const note = done ? t('deal.stagePassed') : state === 'skipped' ? t('deal.stageNotReached') : null;
            return (
              <button
                key={s.id}
                type="button"
                aria-current={isCurrent ? 'step' : undefined}
                className={`stage-step stage-step-${s.kind} ${isCurrent ? 'is-current' : ''} ${done ? 'is-done' : ''} ${state === 'skipped' ? 'is-skipped' : ''}`}
                disabled={isCurrent || !!pending}
                onClick={() => void requestMove(deal, s)}
                data-testid="stage-bar-item"
                data-stage-id={s.id}
                data-state={state}
                title={note ? `${s.name} — ${note}` : s.name}
              >
                {(isCurrent && s.kind !== 'lost') || done ? (
                  <Icon name="check" size={12} />
                ) : isCurrent ? (
                  <Icon name="ban" size={12} />
                ) : gated && state !== 'skipped' ? (
                  <Icon name="lock" size={12} />
                ) : null}
                <span>{s.name}</span>
                {note ? <span className="sr-only">{` (${note})`}</span> : null}
              </button>
            );
          })}
        </div>
      ) : null}
      {pending ? (
        <div className="muted small pending-line" role="status">
          {t('board.moving')}
        </div>
      ) : null}
      {deal.lostReason && current?.stage.kind === 'lost' ? (
        <div className="alert alert-warn" data-testid="lost-reason">
          <Icon name="ban" />
          <div>{t('deal.lost', { reason: deal.lostReason })}</div>
        </div>
      ) : null}
      <ErrorBox error={detail.error} onRetry={() => void reload()} />

      <div className="deal-grid">
        <div className="deal-main">
          <DealFieldsCard deal={deal} contacts={contactList} onSaved={applyResult} onStale={() => void reload()} />
          <AttachmentsCard deal={deal} onChanged={() => void reload()} stages={stages} />
        </div>
        <aside className="deal-side">
          <HistoryCard
            history={history.events}
            contacts={contactList}
            hasOlder={history.hasOlder}
            onShowOlder={() => void history.loadOlder()}
            loadingOlder={history.loading}
            olderError={history.error}
          />
        </aside>
      </div>
      {dialog}
    </div>
  );
}

function DealAmount({ deal }: { deal: Deal }) {
  const { money, t } = useI18n();
  return (
    <>
      <div className="deal-amount-value">
        {deal.amount !== null ? money(deal.amount, deal.currency) : t('common.none')}
      </div>
      <div className="muted small">{t('field.amount')}</div>
    </>
  );
}

/** Where the edit form shows a problem with a field the server names ('custom.x', 'currency', …). */
const formKeyOf = (field: string) =>
  field === 'currency'
    ? 'amount'
    : BUILT_IN_FORM_KEYS.has(field) || field.startsWith('custom.')
      ? field
      : `custom.${field}`;
const BUILT_IN_FORM_KEYS = new Set(['title', 'amount', 'expectedCloseDate', 'contactId']);

function DealFieldsCard({
  deal,
  contacts,
  onSaved,
  onStale,
}: {
  deal: DealDetail;
  contacts: Contact[] | undefined;
  onSaved: (r: CommandResult) => void;
  onStale: () => void;
}) {
  const { t, date, dateTime, locale } = useI18n();
  const toast = useToast();
  const { dealFields, stageById } = useRefData();
  const { fieldLabel, optionName } = useLabels();
  const base = useMemo(() => formOf(deal, dealFields), [deal, dealFields]);
  const [form, setForm] = useState<Form>(base);
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const dirtyKeys = Object.keys(form).filter((k) => (form[k] ?? '') !== (base[k] ?? ''));
  const dirty = dirtyKeys.length > 0;
  const lastBase = useRef(base);
  /** the deal as it was when the user started editing: a colleague's change to a field they edit is a conflict */
  const editFrom = useRef<{ version: number; base: Form } | null>(null);

  // adopt new server values for the fields the user has not touched
  useEffect(() => {
    const prev = lastBase.current;
    lastBase.current = base;
    setForm((f) => {
      const next: Form = { ...base };
      for (const k of Object.keys(f)) if ((f[k] ?? '') !== (prev[k] ?? '')) next[k] = f[k];
      return next;
    });
  }, [base]);

  const set = (k: string, v: string) => {
    if (!editFrom.current) editFrom.current = { version: deal.version, base };
    setForm((f) => {
      const next = { ...f, [k]: v };
      // typing an amount into a deal without one: start from the usual currency
      if (k === 'amount' && v && !f.currency) next.currency = deal.currency ?? (locale === 'ru' ? 'RUB' : 'EUR');
      return next;
    });
    setInvalid((s) => ({ ...s, [k]: '' }));
  };

  async function save() {
    const bad: Record<string, string> = {};
    const changes: Record<string, unknown> = {};
    const custom: Record<string, unknown> = {};
    const changed = (k: string) => (form[k] ?? '') !== (base[k] ?? '');
    if (changed('title')) {
      if (!form.title.trim()) bad.title = t('error.requiredField');
      else changes.title = form.title.trim();
    }
    if (changed('amount') || changed('currency')) {
      const a = normalizeAmount(form.amount ?? '');
      if (!a) {
        changes.amount = null;
        changes.currency = null;
      } else if (!DECIMAL.test(a)) bad.amount = t('error.invalidAmount');
      else if (!/^[A-Z]{3}$/.test(form.currency ?? '')) bad.amount = t('error.invalidCurrency');
      else {
        changes.amount = a;
        changes.currency = form.currency;
      }
    }
    if (changed('expectedCloseDate')) changes.expectedCloseDate = form.expectedCloseDate || null;
    if (changed('contactId')) changes.contactId = form.contactId || null;
    for (const d of dealFields) {
      const k = `custom.${d.key}`;
      if (!changed(k) && !changed(`${k}.currency`)) continue;
      const raw = (form[k] ?? '').trim();
      if (!raw) {
        custom[d.key] = null;
        continue;
      }
      if (d.type === 'number') {
        const n = Number(normalizeAmount(raw));
        if (!Number.isFinite(n)) bad[k] = t('error.requiredField');
        else custom[d.key] = n;
      } else if (d.type === 'money') {
        const a = normalizeAmount(raw);
        const c = form[`${k}.currency`] || 'EUR';
        if (!DECIMAL.test(a)) bad[k] = t('error.invalidAmount');
        else custom[d.key] = { amount: a, currency: c };
      } else custom[d.key] = raw;
    }
    if (Object.keys(custom).length) changes.custom = custom;
    setInvalid(bad);
    if (Object.keys(bad).length || !Object.keys(changes).length) return;
    setBusy(true);
    setError(null);
    try {
      // the live page adopts colleagues' changes to untouched fields; one to a field the user edited must not be
      // overwritten silently, so the save is sent from the version editing started at and the server says conflict
      const start = editFrom.current;
      const clash = !!start && dirtyKeys.some((k) => (start.base[k] ?? '') !== (base[k] ?? ''));
      const r = await api.patch<CommandResult>(`/deals/${deal.id}`, {
        version: clash ? start.version : deal.version,
        changes,
      });
      editFrom.current = null;
      onSaved(r);
      toast('ok', t('deal.saved'));
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.code === 'STAGE_REQUIREMENTS_UNMET' && e.body.missing) {
        // mark the fields the deal's stage will not let go of
        const stage = stageById(typeof e.body.stageId === 'string' ? e.body.stageId : deal.stageId)?.stage.name ?? '';
        const keep = stage ? t('deal.requiredByStage', { stage }) : t('error.requiredField');
        setInvalid((s) => ({
          ...s,
          ...Object.fromEntries((e.body.missing as Missing).fields.map((f) => [formKeyOf(f.key), keep])),
        }));
      } else if (e instanceof ApiError && e.code === 'INVALID_FIELD_VALUE' && typeof e.body.field === 'string') {
        setInvalid((s) => ({ ...s, [formKeyOf(e.body.field as string)]: t('error.invalidValue') }));
      }
      if (e instanceof ApiError && e.status === 409) onStale();
    } finally {
      setBusy(false);
    }
  }

  const contactList = contacts ?? [];
  const closedKind = stageById(deal.stageId)?.stage.kind;
  return (
    <Card
      title={t('deal.details')}
      testId="deal-fields"
      actions={dirty ? <span className="muted small">{t('deal.unsaved')}</span> : null}
    >
      <form
        className="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <ErrorBox error={error} testId="deal-save-error" />
        <Field label={t('field.title')} htmlFor="df-title" error={invalid.title}>
          <input
            id="df-title"
            className="input"
            value={form.title ?? ''}
            onChange={(e) => set('title', e.target.value)}
            maxLength={300}
          />
        </Field>
        <div className="form-row">
          <Field label={fieldLabel('amount')} htmlFor="df-amount" error={invalid.amount} className="grow">
            <div className="input-group">
              <input
                id="df-amount"
                className="input"
                inputMode="decimal"
                placeholder="0.00"
                value={form.amount ?? ''}
                onChange={(e) => set('amount', e.target.value)}
                data-testid="deal-amount-input"
              />
              <select
                className="input input-currency"
                aria-label={t('field.currency')}
                value={form.currency ?? ''}
                onChange={(e) => set('currency', e.target.value)}
              >
                <option value="">—</option>
                {[...new Set([form.currency, ...CURRENCIES].filter(Boolean))].map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            </div>
          </Field>
          <Field label={fieldLabel('expectedCloseDate')} htmlFor="df-date" error={invalid.expectedCloseDate}>
            <input
              id="df-date"
              type="date"
              className="input"
              value={form.expectedCloseDate ?? ''}
              onChange={(e) => set('expectedCloseDate', e.target.value)}
            />
          </Field>
        </div>
        <Field label={fieldLabel('contactId')} htmlFor="df-contact" error={invalid.contactId}>
          <select
            id="df-contact"
            className="input"
            value={form.contactId ?? ''}
            onChange={(e) => set('contactId', e.target.value)}
            data-testid="deal-contact-input"
          >
            <option value="">{t('common.noneOption')}</option>
            {contactList.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
                {c.position ? ` · ${c.position}` : ''}
              </option>
            ))}
            {form.contactId && !contactList.some((c) => c.id === form.contactId) ? (
              <option value={form.contactId}>…</option>
            ) : null}
          </select>
        </Field>
        {dealFields.length ? <h4 className="section-label">{t('deal.customFields')}</h4> : null}
        {dealFields.map((d) => {
          const k = `custom.${d.key}`;
          const id = `df-${d.key}`;
          return (
            <Field key={d.id} label={fieldLabel(d.key)} htmlFor={id} error={invalid[k]}>
              {isReferenceType(d.type) ? (
                <ReferenceInput
                  id={id}
                  type={d.type}
                  dealId={deal.id}
                  value={form[k] ?? ''}
                  onChange={(v) => set(k, v)}
                  current={deal.references[d.key]}
                  attachments={deal.attachments}
                  invalid={!!invalid[k]}
                />
              ) : d.type === 'select' ? (
                <select id={id} className="input" value={form[k] ?? ''} onChange={(e) => set(k, e.target.value)}>
                  <option value="">{t('common.noneOption')}</option>
                  {d.options.map((o) => (
                    <option key={o} value={o}>
                      {optionName(d, o)}
                    </option>
                  ))}
                </select>
              ) : d.type === 'date' ? (
                <input
                  id={id}
                  type="date"
                  className="input"
                  value={form[k] ?? ''}
                  onChange={(e) => set(k, e.target.value)}
                />
              ) : d.type === 'money' ? (
                <div className="input-group">
                  <input
                    id={id}
                    className="input"
                    inputMode="decimal"
                    value={form[k] ?? ''}
                    onChange={(e) => set(k, e.target.value)}
                  />
                  <select
                    className="input input-currency"
                    aria-label={t('field.currency')}
                    value={form[`${k}.currency`] || 'EUR'}
                    onChange={(e) => set(`${k}.currency`, e.target.value)}
                  >
                    {CURRENCIES.map((c) => (
                      <option key={c}>{c}</option>
                    ))}
                  </select>
                </div>
              ) : (
                <input
                  id={id}
                  className="input"
                  inputMode={d.type === 'number' ? 'decimal' : undefined}
                  value={form[k] ?? ''}
                  onChange={(e) => set(k, e.target.value)}
                />
              )}
            </Field>
          );
        })}
        <dl className="facts">
          <div>
            <dt>{t('field.owner')}</dt>
            <dd>{deal.ownerName}</dd>
          </div>
          <div>
            <dt>{t('field.created')}</dt>
            <dd>{dateTime(deal.createdAt)}</dd>
          </div>
          <div>
            <dt>{t('field.updated')}</dt>
            <dd>{dateTime(deal.updatedAt)}</dd>
          </div>
          {deal.closedAt ? (
            <div data-testid="deal-closed" data-kind={closedKind ?? ''}>
              <dt>
                {closedKind === 'won' ? t('deal.won') : closedKind === 'lost' ? t('deal.lostOn') : t('deal.closed')}
              </dt>
              <dd>{date(deal.closedAt)}</dd>
            </div>
          ) : null}
        </dl>
        <div className="form-actions">
          <Button
            onClick={() => {
              setForm(base);
              setInvalid({});
              setError(null);
            }}
            disabled={!dirty || busy}
          >
            {t('common.reset')}
          </Button>
          <Button variant="primary" type="submit" busy={busy} disabled={!dirty} data-testid="deal-save">
            {busy ? t('common.saving') : t('common.save')}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function AttachmentsCard({ deal, onChanged, stages }: { deal: DealDetail; onChanged: () => void; stages: Stage[] }) {
  const { t, dateTime } = useI18n();
  const toast = useToast();
  const { documentKinds } = useRefData();
  const { kindName } = useLabels();
  const [kind, setKind] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [removing, setRemoving] = useState<Attachment | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const currentRequired = new Set(stages.find((s) => s.id === deal.stageId)?.requiredDocumentKinds ?? []);

  async function upload() {
    if (!file) {
      setError(new Error(t('deal.chooseFile')));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await uploadAttachment(deal.id, file, kind || null, deal.version);
      toast('ok', t('deal.uploaded', { name: file.name }));
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
      onChanged();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.status === 409) onChanged();
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card
      title={
        <>
          {t('deal.attachments')} <span className="count">{deal.attachments.length}</span>
        </>
      }
      testId="deal-attachments"
    >
      {deal.attachments.length === 0 ? (
        <Empty icon="file">{t('deal.noAttachments')}</Empty>
      ) : (
        <ul className="attachments">
          {deal.attachments.map((a) => (
            <li key={a.id} className="attachment" data-testid="attachment">
              <span className="attachment-icon">
                <Icon name="file" />
              </span>
              <div className="attachment-main">
                <a
                  className="attachment-name"
                  href={`/api/v1/deals/${deal.id}/attachments/${a.id}/content`}
                  download={a.fileName}
                >
                  {a.fileName}
                </a>
                <div className="muted small">
                  {a.documentKindId ? (
                    <span className={`badge ${currentRequired.has(a.documentKindId) ? 'badge-blue' : ''}`}>
                      {kindName(a.documentKindId, '?')}
                    </span>
                  ) : null}{' '}
                  {formatSize(a.size)} · {dateTime(a.createdAt)}
                </div>
              </div>
              <a
                className="icon-btn"
                href={`/api/v1/deals/${deal.id}/attachments/${a.id}/content`}
                download={a.fileName}
                aria-label={t('deal.download')}
                title={t('deal.download')}
              >
                <Icon name="download" />
              </a>
              <button
                type="button"
                className="icon-btn icon-btn-danger"
                aria-label={t('common.remove')}
                title={t('common.remove')}
                onClick={() => setRemoving(a)}
                data-testid="attachment-remove"
              >
                <Icon name="trash" />
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="upload-row"
        onSubmit={(e) => {
          e.preventDefault();
          void upload();
        }}
      >
        <select
          className="input"
          aria-label={t('deal.documentKind')}
          value={kind}
          onChange={(e) => setKind(e.target.value)}
          data-testid="upload-kind"
        >
          <option value="">{t('deal.otherDocument')}</option>
          {documentKinds.map((k) => (
            <option key={k.id} value={k.id}>
              {kindName(k.id, k.name)}
            </option>
          ))}
        </select>
        <label className="file-pick">
          <Icon name="file" size={16} />
          <span className="file-pick-name">{file ? file.name : t('deal.chooseFile')}</span>
          <input
            ref={fileInput}
            type="file"
            className="sr-only"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            data-testid="upload-file"
          />
        </label>
        <Button variant="primary" type="submit" icon="upload" busy={busy} disabled={!file}>
          {busy ? t('deal.uploading') : t('deal.upload')}
        </Button>
      </form>
      <ErrorBox error={error} />
      {removing ? (
        <RemoveAttachment
          deal={deal}
          attachment={removing}
          onClose={() => setRemoving(null)}
          onDone={() => {
            setRemoving(null);
            toast('ok', t('deal.removed'));
            onChanged();
          }}
        />
      ) : null}
    </Card>
  );
}

function RemoveAttachment({
  deal,
  attachment,
  onClose,
  onDone,
}: {
  deal: DealDetail;
  attachment: Attachment;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function go() {
    setBusy(true);
    setError(null);
    try {
      await api.del(`/deals/${deal.id}/attachments/${attachment.id}`);
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog
      title={t('common.remove')}
      onClose={onClose}
      busy={busy}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button variant="danger" busy={busy} onClick={() => void go()} data-testid="attachment-remove-confirm">
            {t('common.remove')}
          </Button>
        </>
      }
    >
      <p>{t('deal.removeConfirm', { name: attachment.fileName })}</p>
      <ErrorBox error={error} />
    </Dialog>
  );
}

interface ChangeLine {
  key: string;
  label: string;
  value: string;
}
const BUILT_IN_ORDER = ['title', 'amount', 'currency', 'expectedCloseDate', 'contactId'];

/** The values an event's data.changes set, as "label: value" lines in the user's language. */
function useChangeLines(contacts: Contact[] | undefined) {
  const { t, date, money, number } = useI18n();
  const { dealFields } = useRefData();
  const { fieldLabel } = useLabels();
  const referenceText = useReferenceText();
  return (changes: Record<string, unknown>): ChangeLine[] => {
    const cleared = t('history.cleared');
    const contactName = (id: string) => {
      if (!contacts) return '…';
      return contacts.find((c) => c.id === id)?.name ?? t('history.unknownContact');
    };
    const plain = (v: unknown) => (typeof v === 'object' ? JSON.stringify(v) : asText(v));
    const customValue = (key: string, v: unknown): string => {
      if (v === null || v === undefined || v === '') return cleared;
      const def = dealFields.find((f) => f.key === key);
      if (typeof v === 'object') {
        const m = v as { amount?: unknown; currency?: unknown };
        if (m.amount !== undefined)
          return money(asText(m.amount), typeof m.currency === 'string' ? m.currency : null, { exact: true });
        return plain(v);
      }
      if (def && isReferenceType(def.type))
        return typeof v === 'string' ? referenceText(v, t('reference.unknown')) : cleared;
      if (def?.type === 'date') return date(asText(v));
      if (def?.type === 'number' && typeof v === 'number') return number(v);
      return asText(v);
    };
    const out: ChangeLine[] = [];
    for (const [k, v] of Object.entries(changes)) {
      if (k === 'custom') {
        for (const [ck, cv] of Object.entries((v ?? {}) as Record<string, unknown>)) {
          out.push({ key: `custom.${ck}`, label: fieldLabel(ck), value: customValue(ck, cv) });
        }
        continue;
      }
      // the currency goes with the amount
      if (k === 'currency' && 'amount' in changes) continue;
      let value: string;
      if (v === null || v === undefined || v === '') value = cleared;
      else if (k === 'amount')
        value = money(asText(v), typeof changes.currency === 'string' ? changes.currency : null, {
          exact: true,
        });
      else if (k === 'expectedCloseDate') value = date(asText(v));
      else if (k === 'contactId') value = contactName(asText(v));
      else if (k === 'title') value = t('common.quoted', { text: asText(v) });
      else value = plain(v);
      out.push({ key: k, label: fieldLabel(k), value });
    }
    // the order of the form (the stored changes come in no particular order)
    const rank = (key: string) => {
      const b = BUILT_IN_ORDER.indexOf(key);
      if (b >= 0) return b;
      const c = dealFields.findIndex((f) => `custom.${f.key}` === key);
      return BUILT_IN_ORDER.length + (c >= 0 ? c : dealFields.length);
    };
    return out.sort((x, y) => rank(x.key) - rank(y.key));
  };
}

function ChangeList({ lines }: { lines: ChangeLine[] }) {
  if (!lines.length) return null;
  return (
    <ul className="change-list" data-testid="history-changes">
      {lines.map((l) => (
        <li key={l.key} data-key={l.key} data-testid="history-change">
          <span className="change-label">{l.label}:</span> <span className="change-value">{l.value}</span>
        </li>
      ))}
    </ul>
  );
}

function HistoryCard({
  history,
  contacts,
  hasOlder,
  onShowOlder,
  loadingOlder,
  olderError,
}: {
  history: DealEvent[];
  contacts: Contact[] | undefined;
  hasOlder: boolean;
  onShowOlder: () => void;
  loadingOlder: boolean;
  olderError: unknown;
}) {
  const { t, dateTime } = useI18n();
  const { stageById } = useRefData();
  const changeLines = useChangeLines(contacts);
  const stageName = (id: string | null) => (id ? (stageById(id)?.stage.name ?? '?') : '');
  const stageKind = (id: string | null) => (id ? (stageById(id)?.stage.kind ?? 'open') : 'open');
  return (
    <Card title={t('deal.history')} testId="deal-history">
      {history.length === 0 ? (
        <Empty icon="clock">{t('history.empty')}</Empty>
      ) : (
        <ol className="timeline">
          {history.map((e) => {
            const changes = (e.data?.changes ?? {}) as Record<string, unknown>;
            const lines = changeLines(changes);
            const who = e.actorName ?? t('common.unknownUser');
            let what: string;
            switch (e.kind) {
              case 'created':
                what = t('history.created');
                break;
              case 'stage_changed':
                what = t('history.stage_changed');
                break;
              case 'attached':
                what = t('history.attached', { name: asText(e.data?.fileName ?? '') });
                break;
              case 'detached':
                what = t('history.detached');
                break;
              case 'updated':
                what = t('history.updatedPlain');
                break;
              default:
                what = archiveEventText(e.kind, t) ?? e.kind;
            }
            return (
              <li
                key={e.id}
                className={`timeline-item timeline-${e.kind}`}
                data-testid="history-item"
                data-kind={e.kind}
              >
                <span className="timeline-dot">
                  <Icon
                    name={
                      e.kind === 'stage_changed'
                        ? 'arrowRight'
                        : e.kind === 'attached' || e.kind === 'detached'
                          ? 'file'
                          : e.kind === 'created'
                            ? 'plus'
                            : 'edit'
                    }
                    size={12}
                  />
                </span>
                <div className="timeline-body">
                  <div>
                    <strong>{who}</strong> {what}
                  </div>
                  {e.kind === 'stage_changed' ? (
                    <div className="stage-move" data-testid="history-move">
                      <span className={`stage-chip stage-chip-${stageKind(e.fromStageId)}`}>
                        {stageName(e.fromStageId)}
                      </span>
                      <Icon name="arrowRight" size={14} className="muted" />
                      <span className={`stage-chip stage-chip-${stageKind(e.toStageId)}`}>
                        {stageName(e.toStageId)}
                      </span>
                    </div>
                  ) : null}
                  {e.kind === 'updated' || e.kind === 'stage_changed' ? <ChangeList lines={lines} /> : null}
                  {e.kind === 'stage_changed' && e.data?.lostReason ? (
                    <div className="muted small">{t('history.lostReason', { reason: asText(e.data.lostReason) })}</div>
                  ) : null}
                  <time className="muted small" dateTime={e.at}>
                    {dateTime(e.at)}
                  </time>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      {hasOlder ? (
        <div className="history-more">
          <ErrorBox error={olderError} testId="history-more-error" />
          <Button size="sm" icon="chevronDown" busy={loadingOlder} onClick={onShowOlder} data-testid="history-more">
            {t('history.showOlder')}
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
