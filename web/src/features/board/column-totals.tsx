/**
 * A column's (or a manager's) money: one total in the company currency, the weighted total beside it when the stage
 * has a win probability, and amounts in currencies without a rate shown apart and flagged. Without a company
 * currency, the totals per currency as before.
 */
import type { BoardData, CompanyTotal, MoneyTotal } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { formatTotals } from '../../labels.js';
import { Icon } from '../../ui.js';
import { companyTotal } from '../../../../modules/currency/rules.js';

export function ColumnTotals({
  totals,
  currency,
  probability,
}: {
  totals: MoneyTotal[];
  currency: BoardData['currency'];
  probability: number | null;
}) {
  const { money } = useI18n();
  // an empty column stays blank, as without a company currency
  if (!currency || !totals.length) return <>{formatTotals(totals, money) || '\u00a0'}</>;
  // computed here from the column's totals, so a move patched into them shows at once (the server's rule, same file)
  return <CompanyTotalView total={companyTotal(totals, currency.currency, currency.rates, probability)} />;
}

export function CompanyTotalView({ total, probability }: { total: CompanyTotal; probability?: number | null }) {
  const { t, money } = useI18n();
  return (
    <span className="company-total">
      <span data-testid="company-total" title={t('board.companyTotal', { currency: total.currency })}>
        {money(total.amount, total.currency)}
      </span>
      {total.weighted !== null ? (
        <span
          className="weighted-total"
          data-testid="weighted-total"
          title={probability != null ? t('board.weightedTitle', { p: probability }) : undefined}
        >
          {t('board.weighted', { amount: money(total.weighted, total.currency) })}
        </span>
      ) : null}
      {total.unconverted.map((u) => (
        <span
          key={u.currency}
          className="chip chip-amber no-rate"
          data-testid="no-rate"
          title={t('board.noRateTitle', { currency: u.currency })}
        >
          <Icon name="alert" size={12} /> {money(u.amount, u.currency)} · {t('board.noRate')}
        </span>
      ))}
    </span>
  );
}
