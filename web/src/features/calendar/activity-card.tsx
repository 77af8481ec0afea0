/**
 * A deal's or a client's activities: upcoming and past events (six weeks either side), the interaction reports, and
 * "Plan an activity" pre-filled with the deal and its client. On the deal and client pages.
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { Button, Card, Empty, ErrorBox, Loading } from '../../ui.js';
import type { ClientRef } from '../clients/client-picker.js';
import { KIND_COLORS, KIND_GLYPH } from './calendar-labels.js';
import { occurrencesQuery, reportsQuery, type Occurrence } from './calendar-query.js';
import { EventDialog } from './event-dialog.js';
import { ReportDialog } from './report-dialog.js';
import { ReportList } from './report-list.js';

const WINDOW_DAYS = 45;

function OccurrenceRow({ o }: { o: Occurrence }) {
  const { t, dateTime } = useI18n();
  const q = new URLSearchParams({ event: o.eventId, occurrence: o.occurrence });
  if (o.resultDue) q.set('result', '1');
  return (
    <li
      className={`list-row cal-activity ${o.cancelled ? 'cal-ev-cancelled' : ''}`}
      data-testid="activity-item"
      data-event-id={o.eventId}
      data-result-due={o.resultDue || undefined}
    >
      <span className="cal-kind-chip" style={{ background: KIND_COLORS[o.kind].bg }} title={t(`cal.kind.${o.kind}`)}>
        {KIND_GLYPH[o.kind]}
      </span>
      <Link to={`/calendar?${q.toString()}`} className="strong-link grow">
        {o.title}
      </Link>
      {o.resultDue ? (
        <span className="chip chip-red" data-testid="activity-result-due">
          {t('cal.resultDue')}
        </span>
      ) : o.reported ? (
        <span className="chip">{t('cal.reported')}</span>
      ) : null}
      <time className="muted small" dateTime={o.start}>
        {dateTime(o.start)}
      </time>
    </li>
  );
}

export function ActivityCard({
  client,
  dealId,
}: {
  /** the client (of the deal) */
  client: ClientRef;
  dealId?: string;
}) {
  const { t } = useI18n();
  const [planning, setPlanning] = useState(false);
  const [writing, setWriting] = useState(false);
  // the window and "now" of when the page was opened
  const [now] = useState(() => Date.now());
  const window = useMemo(() => {
    return {
      from: new Date(now - WINDOW_DAYS * 86_400_000).toISOString().slice(0, 13) + ':00:00.000Z',
      to: new Date(now + WINDOW_DAYS * 86_400_000).toISOString().slice(0, 13) + ':00:00.000Z',
    };
  }, [now]);
  const scope = dealId ? { dealId } : { clientId: client.id };
  const occ = useQuery(occurrencesQuery({ ...window, ...scope }));
  const reports = useQuery(reportsQuery(scope));
  const items = occ.data ?? [];
  const upcoming = items.filter((o) => Date.parse(o.end) >= now && !o.cancelled).slice(0, 10);
  const past = items
    .filter((o) => Date.parse(o.end) < now || o.cancelled)
    .reverse()
    .slice(0, 10);
  return (
    <Card
      title={t('activity.title')}
      testId="activity-card"
      actions={
        <>
          <Button size="sm" onClick={() => setWriting(true)} data-testid="activity-report">
            {t('reports.write')}
          </Button>
          <Button size="sm" variant="primary" icon="plus" onClick={() => setPlanning(true)} data-testid="activity-plan">
            {t('activity.plan')}
          </Button>
        </>
      }
    >
      <ErrorBox error={occ.error ?? reports.error} onRetry={() => void (occ.refetch(), reports.refetch())} />
      {occ.isPending ? (
        <Loading />
      ) : (
        <>
          <h4 className="cal-subhead">{t('activity.upcoming')}</h4>
          {upcoming.length ? (
            <ul className="list" data-testid="activity-upcoming">
              {upcoming.map((o) => (
                <OccurrenceRow key={`${o.eventId}|${o.occurrence}`} o={o} />
              ))}
            </ul>
          ) : (
            <Empty icon="clock">{t('activity.noUpcoming')}</Empty>
          )}
          {past.length ? (
            <>
              <h4 className="cal-subhead">{t('activity.past')}</h4>
              <ul className="list" data-testid="activity-past">
                {past.map((o) => (
                  <OccurrenceRow key={`${o.eventId}|${o.occurrence}`} o={o} />
                ))}
              </ul>
            </>
          ) : null}
        </>
      )}
      <h4 className="cal-subhead">{t('reports.title')}</h4>
      {reports.isPending ? <Loading /> : <ReportList reports={reports.data?.items ?? []} showRecords={!dealId} />}
      {planning ? (
        <EventDialog
          defaults={{ client, dealId: dealId ?? null, kind: 'meeting' }}
          onClose={() => setPlanning(false)}
        />
      ) : null}
      {writing ? <ReportDialog client={client} dealId={dealId} onClose={() => setWriting(false)} /> : null}
    </Card>
  );
}
