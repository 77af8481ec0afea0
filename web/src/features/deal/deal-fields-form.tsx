/**
 * The deal's fields: title, amount, close date, contact and the custom fields, edited in place. Colleagues' changes to
 * untouched fields are adopted as they arrive; a save sends only what changed, from the version editing started at.
 */
import { useMemo, useRef, useState } from 'react';
import { ApiError, type Contact, type Deal, type DealDetail, type DealField, type Missing } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { DECIMAL, useLabels } from '../../labels.js';
import { useRefData } from '../../session.js';
import { Button, Card, ErrorBox, Field, useToast } from '../../ui.js';
import { MoneyWithCurrency, NumberField } from '../fields/money-input.js';
import { ReferenceInput, isReferenceType } from '../fields/reference-inputs.js';
import { decimalOf } from '../fields/number-format.js';
import { useSaveDeal, type DealChanges } from './deal-query.js';

type Form = Record<string, string>;

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
      const m = v && typeof v === 'object' ? (v as { amount?: string; currency?: string }) : null;
      f[`custom.${d.key}`] = m?.amount ?? '';
      f[`custom.${d.key}.currency`] = m?.currency ?? '';
    } else f[`custom.${d.key}`] = typeof v === 'string' || typeof v === 'number' ? String(v) : '';
  }
  return f;
}

/** Where the edit form shows a problem with a field the server names ('custom.x', 'currency', …). */
const formKeyOf = (field: string) =>
  field === 'currency'
    ? 'amount'
    : BUILT_IN_FORM_KEYS.has(field) || field.startsWith('custom.')
      ? field
      : `custom.${field}`;
const BUILT_IN_FORM_KEYS = new Set(['title', 'amount', 'expectedCloseDate', 'contactId']);

export function DealFieldsForm({
  deal,
  contacts,
  onStale,
}: {
  deal: DealDetail;
  contacts: Contact[] | undefined;
  /** a save refused because the deal changed meanwhile (409): read it again */
  onStale: () => void;
}) {
  const { t, date, dateTime, locale } = useI18n();
  const toast = useToast();
  const { dealFields, stageById } = useRefData();
  const { fieldLabel, optionName } = useLabels();
  const base = useMemo(() => formOf(deal, dealFields), [deal, dealFields]);
  const [form, setForm] = useState<Form>(base);
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  const saving = useSaveDeal(deal.id);
  const [error, setError] = useState<unknown>(null);
  const busy = saving.isPending;
  const dirtyKeys = Object.keys(form).filter((k) => (form[k] ?? '') !== (base[k] ?? ''));
  const dirty = dirtyKeys.length > 0;
  const [shownBase, setShownBase] = useState(base);
  /** the deal as it was when the user started editing: a colleague's change to a field they edit is a conflict */
  const editFrom = useRef<{ version: number; base: Form } | null>(null);

  // adopt new server values for the fields the user has not touched
  if (shownBase !== base) {
    setShownBase(base);
    setForm((f) => {
      const next: Form = { ...base };
      for (const k of Object.keys(f)) if ((f[k] ?? '') !== (shownBase[k] ?? '')) next[k] = f[k];
      return next;
    });
  }

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
    const changes: DealChanges = {};
    const custom: NonNullable<DealChanges['custom']> = {};
    const changed = (k: string) => (form[k] ?? '') !== (base[k] ?? '');
    if (changed('title')) {
      if (!form.title.trim()) bad.title = t('error.requiredField');
      else changes.title = form.title.trim();
    }
    if (changed('amount') || changed('currency')) {
      const a = decimalOf(form.amount ?? '');
      if (!a) {
        changes.amount = null;
        changes.currency = null;
      } else if (!DECIMAL.test(a)) bad.amount = t('error.invalidAmount');
      else if (!/^[A-Z]{3}$/.test(form.currency ?? '')) bad.amount = t('error.invalidCurrency');
      else {
        changes.amount = a;
        changes.currency = form.currency ?? null;
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
        const n = Number(decimalOf(raw));
        if (!Number.isFinite(n)) bad[k] = t('error.requiredField');
        else custom[d.key] = n;
      } else if (d.type === 'money') {
        const a = decimalOf(raw);
        const c = form[`${k}.currency`] || 'EUR';
        if (!DECIMAL.test(a)) bad[k] = t('error.invalidAmount');
        else custom[d.key] = { amount: a, currency: c };
      } else custom[d.key] = raw;
    }
    if (Object.keys(custom).length) changes.custom = custom;
    setInvalid(bad);
    if (Object.keys(bad).length || !Object.keys(changes).length) return;
    setError(null);
    try {
      // the live page adopts colleagues' changes to untouched fields; one to a field the user edited must not be
      // overwritten silently, so the save is sent from the version editing started at and the server says conflict
      const start = editFrom.current;
      const clash = !!start && dirtyKeys.some((k) => (start.base[k] ?? '') !== (base[k] ?? ''));
      const sent = dirtyKeys;
      const r = await saving.mutateAsync({ version: clash ? start.version : deal.version, changes });
      editFrom.current = null;
      // the fields saved show as the server keeps them ("1234.5" typed is "1234.50"), so nothing reads as unsaved
      const saved = formOf({ ...deal, ...r.deal }, dealFields);
      setForm((f) => ({ ...f, ...Object.fromEntries(sent.map((k) => [k, saved[k] ?? ''])) }));
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
            <MoneyWithCurrency
              id="df-amount"
              amount={form.amount ?? ''}
              currency={form.currency ?? ''}
              onAmount={(v) => set('amount', v)}
              onCurrency={(v) => set('currency', v)}
              invalid={!!invalid.amount}
              testId="deal-amount-input"
              allowNoCurrency
            />
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
                <MoneyWithCurrency
                  id={id}
                  amount={form[k] ?? ''}
                  currency={form[`${k}.currency`] || 'EUR'}
                  onAmount={(v) => set(k, v)}
                  onCurrency={(v) => set(`${k}.currency`, v)}
                  invalid={!!invalid[k]}
                />
              ) : d.type === 'number' ? (
                <NumberField
                  id={id}
                  value={form[k] ?? ''}
                  onChange={(v) => set(k, v)}
                  invalid={!!invalid[k]}
                  allowNegative
                />
              ) : (
                <input id={id} className="input" value={form[k] ?? ''} onChange={(e) => set(k, e.target.value)} />
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
