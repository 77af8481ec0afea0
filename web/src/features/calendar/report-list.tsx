/** Interaction reports as a list: kind, when, who, the outcome, how a call went, the summary and the next step. */
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { Empty } from '../../ui.js';
import { KIND_COLORS, KIND_GLYPH } from './calendar-labels.js';
import type { Report } from './calendar-query.js';

export function ReportList({ reports, showRecords = true }: { reports: Report[]; showRecords?: boolean }) {
  const { t, dateTime } = useI18n();
  if (!reports.length) return <Empty icon="file">{t('reports.empty')}</Empty>;
  return (
    <ul className="list cal-reports" data-testid="report-list">
      {reports.map((r) => (
        <li key={r.id} className="cal-report" data-testid="report-item" data-kind={r.kind}>
          <div className="cal-report-head">
            <span
              className="cal-kind-chip"
              style={{ background: r.kind === 'negotiation' ? '#334155' : KIND_COLORS[r.kind].bg }}
              aria-hidden="true"
            >
              {r.kind === 'negotiation' ? '⇄' : KIND_GLYPH[r.kind]}
            </span>
            <strong>{t(`reports.kind.${r.kind}`)}</strong>
            <span className="muted small">
              {dateTime(r.occurredAt)} · {r.authorName}
            </span>
          </div>
          <div className="cal-report-outcome" data-testid="report-outcome-text">
            {r.outcome}
            {r.disposition ? <span className="chip">{t(`cal.disposition.${r.disposition}`)}</span> : null}
          </div>
          {r.summary ? (
            <p className="cal-report-summary" data-testid="report-summary-text">
              {r.summary}
            </p>
          ) : null}
          {r.nextStep ? <div className="muted small">{t('reports.nextStepIs', { step: r.nextStep })}</div> : null}
          {showRecords && (r.dealId || r.clientId) ? (
            <div className="small">
              {r.dealId ? (
                <Link to={`/deals/${r.dealId}`} className="link">
                  {r.dealTitle}
                </Link>
              ) : r.clientId ? (
                <Link to={`/clients/${r.clientId}`} className="link">
                  {r.clientName}
                </Link>
              ) : null}
            </div>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
