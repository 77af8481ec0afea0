/** One client: its details (edited in place), its deals, its contacts, and "New deal" for it. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.js';
import { useRefData } from '../../session.js';
import { Avatar, Button, Card, Empty, ErrorBox, Icon, Loading, usePageTitle } from '../../ui.js';
import { NewDealDialog } from '../deal/new-deal-dialog.js';
import { ActivityCard } from '../calendar/activity-card.js';
import { ClientContactsCard } from './client-contacts.js';
import { ClientDetailsForm } from './client-form.js';
import { clientDealsQuery, clientQuery } from './clients-query.js';

export function ClientPage({ id }: { id: string }) {
  const { t, money } = useI18n();
  const { stageById } = useRefData();
  const client = useQuery(clientQuery(id));
  const deals = useQuery(clientDealsQuery(id));
  const [creatingDeal, setCreatingDeal] = useState(false);
  usePageTitle(client.data?.name ?? t('nav.clients'));

  if (client.isPending)
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
          <ErrorBox error={client.error} onRetry={() => void client.refetch()} />
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
          <ClientDetailsForm client={c} />
          <Card
            title={
              <>
                {t('client.deals')} <span className="count">{deals.data?.length ?? 0}</span>
              </>
            }
            testId="client-deals"
          >
            <ErrorBox error={deals.error} onRetry={() => void deals.refetch()} />
            {deals.isPending ? (
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
          <ClientContactsCard client={c} />
          <ActivityCard client={{ id: c.id, name: c.name }} />
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
