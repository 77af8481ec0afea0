/** Small pieces the plans pages share: a plan's status, and its figures side by side (as submitted, as confirmed). */
import { useQuery } from '@tanstack/react-query';
import { api, type CurrencySettings } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { qk } from '../../query.js';
import type { Plan } from './plans-query.js';

export function StatusBadge({ status }: { status: Plan['status'] | null }) {
  const { t } = useI18n();
  const cls = status === 'final' ? 'badge-green' : status === 'submitted' ? 'badge-blue' : '';
  return (
    <span className={`badge ${cls}`} data-testid="plan-status-badge">
      {t(`plans.status.${status ?? 'none'}`)}
    </span>
  );
}

/**
 * The company currency (figures are in it): undefined while it is being read, so a page shows its figures once, with
 * it, rather than first without it.
 */
export function useCompanyCurrency(): string | null | undefined {
  const q = useQuery({ queryKey: qk.currency, queryFn: () => api.get<CurrencySettings>('/currency-rates') });
  return q.isPending ? undefined : (q.data?.currency ?? null);
}

export interface Figures {
  submitted: string;
  confirmed: string;
  doubtful: string;
  pending: string;
  actual?: string;
}

/** Both figures side by side, as submitted and as confirmed, with the doubtful and pending parts (and the actual). */
export function FigureCards({ f, testId = 'plan-figures' }: { f: Figures; testId?: string }) {
  const { t, money } = useI18n();
  const currency = useCompanyCurrency();
  const items: [string, string, string][] = [
    ['submitted', t('plans.fig.submitted'), f.submitted],
    ['confirmed', t('plans.fig.confirmed'), f.confirmed],
    ['doubtful', t('plans.fig.doubtful'), f.doubtful],
    ['pending', t('plans.fig.pending'), f.pending],
  ];
  if (f.actual !== undefined) items.push(['actual', t('plans.fig.actual'), f.actual]);
  return (
    <dl className="plan-figures" data-testid={testId}>
      {items.map(([k, label, v]) => (
        <div key={k} className={`plan-figure plan-figure-${k}`} data-figure={k} data-value={v}>
          <dt>{label}</dt>
          <dd>{money(v, currency)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function PlanFigures({ plan }: { plan: Plan }) {
  return <FigureCards f={plan.totals} />;
}
