/** Interaction reports (/reports): filtered by manager, client, deal, kind and period; and "Write a report". */
import { NativeSelect, Select, TextInput } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { Button, ErrorBox, Loading, usePageTitle } from '../../ui.js';
import { ClientPicker, type ClientRef } from '../clients/client-picker.js';
import { clientDealsQuery } from '../clients/clients-query.js';
import { REPORT_KINDS, reportsQuery, useUsers, type ReportKind } from './calendar-query.js';
import { browserTimeZone, nextDay, wallToIso } from './calendar-time.js';
import { ReportDialog } from './report-dialog.js';
import { ReportList } from './report-list.js';

export function ReportsPage() {
  const { t } = useI18n();
  usePageTitle(t('reports.title'));
  const [authorId, setAuthorId] = useState<string | null>(null);
  const [client, setClient] = useState<ClientRef | null>(null);
  const [dealId, setDealId] = useState('');
  const [kind, setKind] = useState<ReportKind | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [writing, setWriting] = useState(false);
  const users = useUsers();
  const deals = useQuery({ ...clientDealsQuery(client?.id ?? ''), enabled: !!client });
  const tz = browserTimeZone();
  const reports = useQuery({
    ...reportsQuery({
      authorId: authorId ?? undefined,
      clientId: client?.id,
      dealId: client && dealId ? dealId : undefined,
      kind: kind || undefined,
      from: from ? wallToIso(from, tz) : undefined,
      to: to ? wallToIso(nextDay(to), tz) : undefined,
    }),
    placeholderData: keepPreviousData,
  });
  return (
    <div className="page" data-testid="reports-page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('reports.title')}</h1>
        </div>
        <div className="cal-header-actions">
          <Link to="/calendar" className="link">
            {t('cal.title')}
          </Link>
          <Button variant="primary" icon="plus" onClick={() => setWriting(true)} data-testid="report-new">
            {t('reports.write')}
          </Button>
        </div>
      </header>
      <div className="toolbar cal-report-filters" data-testid="report-filters">
        <Select
          searchable
          clearable
          w={200}
          aria-label={t('reports.manager')}
          placeholder={t('reports.manager')}
          data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
          value={authorId}
          onChange={setAuthorId}
        />
        <div className="cal-filter-client">
          <ClientPicker value={client} onChange={(c) => (setClient(c), setDealId(''))} />
        </div>
        {client ? (
          <NativeSelect
            aria-label={t('cal.field.deal')}
            value={dealId}
            onChange={(e) => setDealId(e.currentTarget.value)}
            data={[
              { value: '', label: t('reports.anyDeal') },
              ...(deals.data ?? []).map((d) => ({ value: d.id, label: d.title })),
            ]}
          />
        ) : null}
        <NativeSelect
          aria-label={t('reports.kind')}
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value as ReportKind | '')}
          data={[
            { value: '', label: t('reports.anyKind') },
            ...REPORT_KINDS.map((k) => ({ value: k, label: t(`reports.kind.${k}`) })),
          ]}
          data-testid="report-filter-kind"
        />
        <TextInput
          type="date"
          aria-label={t('reports.from')}
          value={from}
          onChange={(e) => setFrom(e.currentTarget.value)}
        />
        <TextInput type="date" aria-label={t('reports.to')} value={to} onChange={(e) => setTo(e.currentTarget.value)} />
      </div>
      <ErrorBox error={reports.error} onRetry={() => void reports.refetch()} />
      {reports.isPending ? <Loading /> : <ReportList reports={reports.data?.items ?? []} />}
      {writing ? <ReportDialog client={client} dealId={dealId} onClose={() => setWriting(false)} /> : null}
    </div>
  );
}
