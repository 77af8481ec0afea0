/** Results overdue, events due today and open deals with no planned activity: mine, and per manager for a lead. */
import { useQuery } from '@tanstack/react-query';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { ErrorBox } from '../../ui.js';
import { countersQuery, type Counters } from './calendar-query.js';

function Figures({ c }: { c: Counters }) {
  const { t } = useI18n();
  return (
    <>
      <span className={`cal-counter ${c.resultsOverdue ? 'cal-counter-alert' : ''}`} data-testid="counter-overdue">
        <strong>{c.resultsOverdue}</strong> {t('cal.counters.overdue', { count: c.resultsOverdue })}
      </span>
      <span className="cal-counter" data-testid="counter-today">
        <strong>{c.dueToday}</strong> {t('cal.counters.today', { count: c.dueToday })}
      </span>
      <span className="cal-counter" data-testid="counter-idle">
        <strong>{c.dealsWithoutActivity}</strong> {t('cal.counters.idle', { count: c.dealsWithoutActivity })}
      </span>
    </>
  );
}

export function CalendarCounters() {
  const { t } = useI18n();
  const { user } = useSession();
  const counters = useQuery(countersQuery);
  if (counters.error) return <ErrorBox error={counters.error} onRetry={() => void counters.refetch()} />;
  const rows = counters.data ?? [];
  const mine = rows.find((r) => r.userId === user?.id) ?? {
    userId: user?.id ?? '',
    name: user?.name ?? '',
    resultsOverdue: 0,
    dueToday: 0,
    dealsWithoutActivity: 0,
  };
  const others = rows.filter((r) => r.userId !== user?.id);
  return (
    <section className="cal-counters" data-testid="cal-counters" aria-label={t('cal.counters.title')}>
      <div className="cal-counter-row" data-testid="counters-mine">
        <Figures c={mine} />
      </div>
      {others.length ? (
        <table className="table cal-counter-table" data-testid="counters-managers">
          <thead>
            <tr>
              <th>{t('cal.counters.manager')}</th>
              <th>{t('cal.counters.overdueHead')}</th>
              <th>{t('cal.counters.todayHead')}</th>
              <th>{t('cal.counters.idleHead')}</th>
            </tr>
          </thead>
          <tbody>
            {others.map((r) => (
              <tr key={r.userId} data-testid="counter-manager" data-user-id={r.userId}>
                <td>{r.name}</td>
                <td className={r.resultsOverdue ? 'cal-counter-alert' : ''}>{r.resultsOverdue}</td>
                <td>{r.dueToday}</td>
                <td>{r.dealsWithoutActivity}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
