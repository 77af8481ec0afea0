/** The top of the deal page: the way back to its board, the title, client, owner and amount. */
import type { Deal, Pipeline } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { Avatar, Icon } from '../../ui.js';
import { ArchiveActions } from '../archive/archive-actions.js';

export function DealHeader({ deal, pipeline }: { deal: Deal; pipeline: Pipeline | null }) {
  const { t } = useI18n();
  return (
    <>
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
    </>
  );
}

function DealAmount({ deal }: { deal: Deal }) {
  const { money, t } = useI18n();
  return (
    <>
      <div className="deal-amount-value" data-testid="deal-amount">
        {deal.amount !== null ? money(deal.amount, deal.currency) : t('common.none')}
      </div>
      <div className="muted small">{t('field.amount')}</div>
    </>
  );
}
