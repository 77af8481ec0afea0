/**
 * /payments: payments received, against which plans are measured. One payment through a form (client, optional deal,
 * amount, currency, date, comment), or many from a CSV file: the preview shows each row with its errors and nothing
 * is written until the user confirms (then only the valid rows are).
 */
import { Alert, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type ChangeEvent, type FormEvent } from 'react';
import { allPages, type Deal } from '../../api.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { qk } from '../../query.js';
import { Button, ErrorBox, Field, usePageTitle, useToast } from '../../ui.js';
import { ClientPicker } from '../clients/client-picker.js';
import { MoneyInput } from '../fields/money-input.js';
import { useCompanyCurrency } from './plan-parts.js';
import { importPayments, planKeys, recordPayment, type PaymentImport } from './plans-query.js';
import './plans.css';

const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export function PaymentsPage() {
  const { t } = useI18n();
  usePageTitle(t('payments.title'));
  return (
    <div className="page plans-page" data-testid="payments-page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('payments.title')}</h1>
        </div>
      </header>
      <div className="payments-layout">
        <PaymentForm />
        <PaymentImportCard />
      </div>
    </div>
  );
}

function PaymentForm() {
  const { t, money, date } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  const company = useCompanyCurrency();
  const [client, setClient] = useState<{ id: string; name: string } | null>(null);
  const [dealId, setDealId] = useState('');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('');
  const [paidOn, setPaidOn] = useState(today());
  const [comment, setComment] = useState('');
  const [tried, setTried] = useState(false);
  const deals = useQuery({
    queryKey: [...qk.deals, 'client', client?.id ?? ''],
    queryFn: () => allPages<Deal>('/deals', { clientId: client!.id }, 5),
    enabled: !!client,
  });
  const save = useMutation({
    mutationFn: () =>
      recordPayment({
        clientId: client!.id,
        dealId: dealId || null,
        amount,
        currency: (currency || company || '').toUpperCase(),
        paidOn,
        comment,
      }),
    onSuccess: (p) => {
      void qc.invalidateQueries({ queryKey: planKeys.all });
      toast('ok', t('payments.recorded', { amount: money(p.amount, p.currency), date: date(p.paidOn) }));
      setAmount('');
      setComment('');
      setDealId('');
      setTried(false);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!client || !amount || !paidOn) return;
    save.mutate();
  };
  return (
    <form className="card payments-card" onSubmit={submit} data-testid="payment-form" noValidate>
      <h2>{t('payments.one')}</h2>
      <Field label={t('plans.col.client')} required error={tried && !client ? t('error.chooseClient') : null}>
        <ClientPicker
          value={client}
          onChange={(c) => {
            setClient(c);
            setDealId('');
          }}
        />
      </Field>
      <Field label={t('plans.col.deal')}>
        <select
          className="input"
          value={dealId}
          onChange={(e) => setDealId(e.target.value)}
          disabled={!client}
          data-testid="payment-deal"
          aria-label={t('plans.col.deal')}
        >
          <option value="">{t('common.noneOption')}</option>
          {(deals.data ?? []).map((d) => (
            <option key={d.id} value={d.id}>
              {d.title}
            </option>
          ))}
        </select>
      </Field>
      <div className="payments-row">
        <Field label={t('plans.col.amount')} required error={tried && !amount ? t('error.requiredField') : null}>
          <MoneyInput
            value={amount}
            onChange={setAmount}
            data-testid="payment-amount"
            aria-label={t('plans.col.amount')}
          />
        </Field>
        <Field label={t('plans.col.currency')}>
          <TextInput
            value={currency}
            placeholder={company ?? ''}
            onChange={(e) => setCurrency(e.currentTarget.value.toUpperCase())}
            maxLength={3}
            data-testid="payment-currency"
            aria-label={t('plans.col.currency')}
          />
        </Field>
        <Field label={t('payments.paidOn')} required>
          <input
            type="date"
            className="input"
            value={paidOn}
            onChange={(e) => setPaidOn(e.target.value)}
            data-testid="payment-date"
            aria-label={t('payments.paidOn')}
          />
        </Field>
      </div>
      <Textarea
        label={t('plans.col.comment')}
        value={comment}
        onChange={(e) => setComment(e.currentTarget.value)}
        autosize
        minRows={1}
      />
      <ErrorBox error={save.error} />
      <div className="mt-2">
        <Button type="submit" variant="primary" busy={save.isPending} data-testid="payment-save">
          {t('payments.record')}
        </Button>
      </div>
    </form>
  );
}

const FIELD_LABEL: Record<string, MessageKey> = {
  clientId: 'plans.col.client',
  dealId: 'plans.col.deal',
  amount: 'plans.col.amount',
  currency: 'plans.col.currency',
  paidOn: 'payments.paidOn',
  comment: 'plans.col.comment',
};
const FIELD_PROBLEM: Record<string, MessageKey> = {
  clientId: 'payments.rowError.clientId',
  dealId: 'payments.rowError.dealId',
  amount: 'payments.rowError.amount',
  currency: 'payments.rowError.currency',
  paidOn: 'payments.rowError.paidOn',
};

function PaymentImportCard() {
  const { t, money, date } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  const inputId = useId();
  const company = useCompanyCurrency();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<PaymentImport | null>(null);
  const check = useMutation({
    mutationFn: (f: File) => importPayments(f, false),
    onSuccess: setPreview,
  });
  const confirm = useMutation({
    mutationFn: () => importPayments(file!, true),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: planKeys.all });
      toast('ok', t('payments.imported', { count: r.written }));
      setPreview(null);
      setFile(null);
    },
  });
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (!f) return;
    setFile(f);
    setPreview(null);
    check.mutate(f);
  };
  return (
    <section className="card payments-card" data-testid="payment-import">
      <h2>{t('payments.importTitle')}</h2>
      <p className="muted">{t('payments.importHint')}</p>
      <label htmlFor={inputId} className="sr-only">
        {t('import.chooseFile')}
      </label>
      <input id={inputId} type="file" accept=".csv,.txt,text/csv" onChange={onFile} data-testid="payment-file" />
      <ErrorBox error={check.error ?? confirm.error} />
      {preview ? (
        <>
          <Alert color={preview.invalid ? 'orange' : 'green'} mt="sm" data-testid="payment-preview-summary">
            {t('payments.previewSummary', { valid: preview.valid, invalid: preview.invalid })}
          </Alert>
          <div className="table-wrap mt-2">
            <table className="table" data-testid="payment-preview">
              <thead>
                <tr>
                  <th className="num">{t('payments.row')}</th>
                  <th>{t('plans.col.amount')}</th>
                  <th>{t('payments.paidOn')}</th>
                  <th>{t('plans.col.comment')}</th>
                  <th>{t('payments.errors')}</th>
                </tr>
              </thead>
              <tbody>
                {preview.rows.map((r) => (
                  <tr
                    key={r.row}
                    className={r.errors.length ? 'row-invalid' : ''}
                    data-testid="payment-preview-row"
                    data-valid={r.errors.length ? 'false' : 'true'}
                  >
                    <td className="num">{r.row}</td>
                    <td>
                      {/^\d+(\.\d+)?$/.test(r.amount)
                        ? money(r.amount, r.currency || company, { exact: true })
                        : r.amount}
                    </td>
                    <td>{/^\d{4}-\d{2}-\d{2}$/.test(r.paidOn) ? date(r.paidOn) : r.paidOn}</td>
                    <td>{r.comment}</td>
                    <td>
                      {r.errors.map((e, i) => (
                        <div key={i} className="field-error" data-field={e.field}>
                          {t(FIELD_PROBLEM[e.field] ?? 'payments.rowError.other', {
                            field: FIELD_LABEL[e.field] ? t(FIELD_LABEL[e.field]) : e.field,
                          })}
                        </div>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="toolbar mt-2">
            <Button
              variant="primary"
              onClick={() => confirm.mutate()}
              disabled={!preview.valid}
              busy={confirm.isPending}
              data-testid="payment-import-confirm"
            >
              {t('payments.importConfirm', { count: preview.valid })}
            </Button>
            <Button
              onClick={() => {
                setPreview(null);
                setFile(null);
              }}
            >
              {t('common.cancel')}
            </Button>
          </div>
        </>
      ) : null}
    </section>
  );
}
