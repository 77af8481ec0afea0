/**
 * For administrators: the company currency board totals are shown in, and the exchange rates other currencies are
 * converted at (one unit in the company currency). Saved as a whole, versioned, audited (GET/PUT /currency-rates).
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, type CurrencySettings } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { qk } from '../../query.js';
import { Button, Card, ErrorBox, Field, Icon, Loading, usePageTitle, useToast } from '../../ui.js';
import { CURRENCY_CODE, RATE } from '../../../../modules/currency/rules.js';

interface Row {
  key: number;
  currency: string;
  rate: string;
}
let seq = 0;
const rowsOf = (s: CurrencySettings): Row[] => s.rates.map((r) => ({ key: ++seq, currency: r.currency, rate: r.rate }));

export function CurrencyPage() {
  const { t } = useI18n();
  usePageTitle(t('currency.title'));
  const q = useQuery({
    queryKey: qk.currency,
    queryFn: () => api.get<CurrencySettings>('/currency-rates'),
  });
  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('currency.title')}</h1>
        </div>
      </header>
      <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
      {q.isPending ? <Loading /> : q.data ? <CurrencyEditor key={q.data.version} initial={q.data} /> : null}
    </div>
  );
}

function CurrencyEditor({ initial }: { initial: CurrencySettings }) {
  const { t } = useI18n();
  const toast = useToast();
  const qc = useQueryClient();
  const [currency, setCurrency] = useState(initial.currency ?? '');
  const [rows, setRows] = useState<Row[]>(() => rowsOf(initial));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [checked, setChecked] = useState(false);
  const code = currency.trim().toUpperCase();
  const badCurrency = !CURRENCY_CODE.test(code);
  const badRow = (r: Row) => ({
    currency: !CURRENCY_CODE.test(r.currency) || r.currency === code,
    rate: !RATE.test(r.rate) || Number(r.rate) <= 0,
  });
  const set = (key: number, patch: Partial<Row>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  async function save() {
    setChecked(true);
    const list = rows.filter((r) => r.currency || r.rate);
    if (badCurrency || list.some((r) => badRow(r).currency || badRow(r).rate)) return;
    setBusy(true);
    setError(null);
    try {
      await api.put<CurrencySettings>('/currency-rates', {
        currency: code,
        rates: list.map((r) => ({ currency: r.currency, rate: r.rate })),
        version: initial.version,
      });
      toast('ok', t('currency.saved'));
      await qc.invalidateQueries({ queryKey: qk.currency });
      // every board converts with the new rates
      void qc.invalidateQueries({ queryKey: qk.deals });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card testId="currency-editor">
      <form
        className="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {initial.currency ? null : <p className="muted">{t('currency.notSet')}</p>}
        <Field
          label={t('currency.company')}
          htmlFor="company-currency"
          hint={t('currency.companyHint')}
          error={checked && badCurrency ? t('error.invalidCurrency') : null}
          required
        >
          <input
            id="company-currency"
            className="input input-narrow"
            value={currency}
            maxLength={3}
            autoCapitalize="characters"
            data-testid="company-currency"
            onChange={(e) => setCurrency(e.target.value.toUpperCase())}
          />
        </Field>
        <h4 className="section-label">{t('currency.rates')}</h4>
        <p className="muted small">{t('currency.ratesHint', { currency: code || '…' })}</p>
        <div className="currency-rates">
          {rows.map((r) => {
            const bad = checked ? badRow(r) : { currency: false, rate: false };
            return (
              <div key={r.key} className="currency-rate-row" data-testid="rate-row">
                <Field
                  label={t('currency.code')}
                  htmlFor={`rate-cur-${r.key}`}
                  error={bad.currency ? t('currency.invalidCode') : null}
                >
                  <input
                    id={`rate-cur-${r.key}`}
                    className="input input-narrow"
                    value={r.currency}
                    maxLength={3}
                    data-testid="rate-currency"
                    onChange={(e) => set(r.key, { currency: e.target.value.toUpperCase().trim() })}
                  />
                </Field>
                <Field
                  label={t('currency.rate', { currency: code || '…' })}
                  htmlFor={`rate-val-${r.key}`}
                  error={bad.rate ? t('currency.invalidRate') : null}
                >
                  <input
                    id={`rate-val-${r.key}`}
                    className="input input-narrow"
                    inputMode="decimal"
                    value={r.rate}
                    data-testid="rate-value"
                    onChange={(e) => set(r.key, { rate: e.target.value.trim().replace(',', '.') })}
                  />
                </Field>
                <button
                  type="button"
                  className="icon-btn icon-btn-danger"
                  aria-label={t('currency.removeRate', { currency: r.currency || '…' })}
                  title={t('currency.removeRate', { currency: r.currency || '…' })}
                  onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
                >
                  <Icon name="trash" size={16} />
                </button>
              </div>
            );
          })}
        </div>
        <div>
          <Button
            icon="plus"
            onClick={() => setRows((rs) => [...rs, { key: ++seq, currency: '', rate: '' }])}
            data-testid="add-rate"
          >
            {t('currency.addRate')}
          </Button>
        </div>
        <ErrorBox
          error={error}
          onRetry={
            error instanceof ApiError && error.status === 409
              ? () => void qc.invalidateQueries({ queryKey: qk.currency })
              : undefined
          }
        />
        <div className="form-actions">
          <Button variant="primary" type="submit" busy={busy} data-testid="currency-save">
            {busy ? t('common.saving') : t('common.save')}
          </Button>
        </div>
      </form>
    </Card>
  );
}
