/** The clients the user can see, searched by name, a page at a time; and "New client". */
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.js';
import { Avatar, Button, Empty, ErrorBox, Icon, Loading, Spinner, usePageTitle } from '../../ui.js';
import { NewClientDialog } from './client-form.js';
import { clientListQuery } from './clients-query.js';

export function ClientsPage() {
  const { t } = useI18n();
  usePageTitle(t('clients.title'));
  const [q, setQ] = useState('');
  const [query] = useDebouncedValue(q.trim(), 250);
  const [creating, setCreating] = useState(false);
  const list = useInfiniteQuery({ ...clientListQuery(query), placeholderData: keepPreviousData });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const loading = list.isPending;

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
          {list.isFetching && !list.isFetchingNextPage && items.length ? <Spinner /> : null}
        </div>
        <div className="toolbar-spacer" />
        <Link to="/import" className="link" data-testid="clients-import">
          {t('import.link')}
        </Link>
        <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="new-client">
          {t('clients.new')}
        </Button>
      </div>
      <ErrorBox error={list.error} onRetry={() => void list.refetch()} />
      {loading ? (
        <Loading />
      ) : items.length === 0 && !list.error ? (
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
      {list.hasNextPage ? (
        <div className="center mt-4">
          <Button onClick={() => void list.fetchNextPage()} busy={list.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        </div>
      ) : null}
      {creating ? (
        <NewClientDialog
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
