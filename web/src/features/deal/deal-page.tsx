/**
 * One deal: its header, the stage ribbon, its fields, documents and history. This component only puts the parts
 * together; each lives in its own file of this folder (deal-header, stage-bar, deal-fields-form, deal-documents,
 * deal-history, deal-regulations, stage-move) with the server state in deal-query.ts.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import { ApiError } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { qk } from '../../query.js';
import { Link } from '../../router.js';
import { useRefData } from '../../session.js';
import { Empty, ErrorBox, Icon, Loading, usePageTitle } from '../../ui.js';
import { ActivityCard } from '../calendar/activity-card.js';
import { DealDocumentsCard } from './deal-documents.js';
import { DealFieldsForm } from './deal-fields-form.js';
import { DealHeader } from './deal-header.js';
import { DealHistoryCard } from './deal-history.js';
import { DealRegulationsCard } from './deal-regulations.js';
import { useDealHistory } from './deal-history-query.js';
import { dealQuery, useClientContacts } from './deal-query.js';
import { StageBar } from './stage-bar.js';
import { useStageMove } from './stage-move.js';

export function DealPage({ id }: { id: string }) {
  const { t } = useI18n();
  const { stageById, pipelines } = useRefData();
  const qc = useQueryClient();
  // cached by id: a colleague's change (live event) or a move on the board invalidates it, and it is read again
  const detail = useQuery(dealQuery(id));
  const deal = detail.data;
  usePageTitle(deal?.title ?? t('nav.deals'));
  const { refetch } = detail;
  const reload = useCallback(() => void refetch(), [refetch]);

  const contacts = useClientContacts(deal?.clientId);
  const contactList = contacts.data;
  const contactId = deal?.contactId;
  const { refetch: refetchContacts } = contacts;
  // a contact added elsewhere meanwhile (e.g. in the stage dialog): take the client's contacts again
  useEffect(() => {
    if (contactId && contactList && !contactList.some((c) => c.id === contactId)) void refetchContacts();
  }, [contactId, contactList, refetchContacts]);

  const onMoved = useCallback(() => {
    reload();
    void qc.invalidateQueries({ queryKey: qk.boards });
  }, [reload, qc]);
  const { requestMove, dialog, pending } = useStageMove({ onMoved, onStale: reload });
  const history = useDealHistory(deal);

  if (detail.isFetching && !deal)
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
          <ErrorBox error={detail.error} onRetry={reload} />
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
  const closed = !!current && current.stage.kind !== 'open';

  return (
    <div className="page page-deal" data-testid="deal-page">
      <DealHeader deal={deal} pipeline={pipeline} />
      <StageBar
        deal={deal}
        stages={stages}
        history={history}
        closed={closed}
        pending={!!pending}
        onMove={(s) => void requestMove(deal, s)}
      />
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
      <ErrorBox error={detail.error} onRetry={reload} />

      <div className="deal-grid">
        <div className="deal-main">
          <DealFieldsForm deal={deal} contacts={contactList} onStale={reload} />
          <DealDocumentsCard deal={deal} stages={stages} onStale={reload} />
        </div>
        <aside className="deal-side">
          <ActivityCard client={{ id: deal.clientId, name: deal.clientName }} dealId={deal.id} />
          <DealRegulationsCard deal={deal} />
          <DealHistoryCard history={history} contacts={contactList} />
        </aside>
      </div>
      {dialog}
    </div>
  );
}
