/**
 * /plan-totals: the roll-up of a period, drilled down company → group → manager → client → line, each level split
 * into submitted, approved (the final plan), doubtful and pending beside the payments received, as a table and as
 * charts (ECharts, loaded with the first chart): the level's items, plan against actual over the last periods, and
 * for a month the daily cumulative payments against the plan. It follows every plan change live (live.ts).
 */
import { useQuery } from '@tanstack/react-query';
import { Suspense, lazy, useMemo } from 'react';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { Link, navigate, useLocation } from '../../router.js';
import { useSession } from '../../session.js';
import { Empty, ErrorBox, Loading, usePageTitle } from '../../ui.js';
import { FigureCards, useCompanyCurrency } from './plan-parts.js';
import { totalsQuery, vsActualQuery, type PlanTotals, type TotalsLevel, type TotalsQuery } from './plans-query.js';
import { PeriodPicker, kindOf, parsePeriod, periodOf, shiftPeriod, usePeriodLabel } from './period.js';
import type { Series } from './plan-charts.js';
import './plans.css';

const Chart = lazy(() => import('./plan-charts.js').then((m) => ({ default: m.Chart })));

const NEXT: Record<TotalsLevel, TotalsLevel | null> = {
  group: 'manager',
  manager: 'client',
  client: 'line',
  line: null,
};
const COLORS = { submitted: '#adb5bd', approved: '#1c7ed6', doubtful: '#f08c00', actual: '#2f9e44' };

interface Crumb {
  by: TotalsLevel;
  departmentId?: string;
  managerId?: string;
  clientId?: string;
  name: string;
}

export function PlanTotalsPage() {
  const { t, money, number } = useI18n();
  const { user } = useSession();
  const { query } = useLocation();
  usePageTitle(t('plans.totalsTitle'));
  const currency = useCompanyCurrency();
  const periodLabel = usePeriodLabel();
  const period = parsePeriod(query.get('period') ?? '') ? query.get('period')! : periodOf('month');
  const admin = user?.role === 'admin';
  const lead = user?.role === 'lead';
  // where the drill-down starts: the company for an administrator, the group for a lead, one's own clients otherwise
  const top: Crumb = admin
    ? { by: 'group', name: t('plans.company') }
    : lead
      ? { by: 'manager', name: t('plans.myGroup') }
      : { by: 'client', managerId: user!.id, name: user!.name };
  const trail: Crumb[] = useMemo(() => {
    try {
      const raw = query.get('at');
      return raw ? (JSON.parse(raw) as Crumb[]) : [];
    } catch {
      return [];
    }
  }, [query]);
  const crumbs = [top, ...trail];
  const here = crumbs[crumbs.length - 1];
  const url = (p: string, tr: Crumb[]) =>
    `/plan-totals?period=${p}${tr.length ? `&at=${encodeURIComponent(JSON.stringify(tr))}` : ''}`;
  const go = (tr: Crumb[]) => navigate(url(period, tr));
  const q: TotalsQuery = {
    period,
    by: here.by,
    ...(here.departmentId ? { departmentId: here.departmentId } : {}),
    ...(here.managerId ? { managerId: here.managerId } : {}),
    ...(here.clientId ? { clientId: here.clientId } : {}),
  };
  const totals = useQuery(totalsQuery(q));
  const scope = {
    ...(here.departmentId ? { departmentId: here.departmentId } : {}),
    ...(here.managerId ? { managerId: here.managerId } : {}),
  };
  const byPeriod = useQuery(vsActualQuery({ from: shiftPeriod(period, -5), to: period, ...scope }));
  const month = kindOf(period) === 'month' ? parsePeriod(period)! : null;
  const days = useQuery({
    ...vsActualQuery({
      from: month?.start ?? period,
      to: month ? new Date(Date.parse(month.end) - 86_400_000).toISOString().slice(0, 10) : period,
      ...scope,
    }),
    enabled: !!month,
  });

  const drill = (item: PlanTotals['items'][number]) => {
    const next = NEXT[here.by];
    if (!next || item.key === null) return;
    const c: Crumb = { by: next, name: item.name || t('plans.noGroup') };
    if (here.by === 'group') c.departmentId = item.key;
    if (here.by === 'manager') c.managerId = item.key;
    if (here.by === 'client') {
      c.managerId = here.managerId;
      c.clientId = item.key;
    }
    go([...trail, c]);
  };
  const compact = useMemo(
    () => (n: number) =>
      Math.abs(n) >= 1e6
        ? `${number(Math.round(n / 1e5) / 10)}M`
        : Math.abs(n) >= 1e3
          ? `${number(Math.round(n / 1e3))}k`
          : number(n),
    [number],
  );

  const items = useMemo(() => totals.data?.items ?? [], [totals.data]);
  const itemSeries = useMemo<Series[]>(
    () => [
      {
        name: t('plans.fig.submitted'),
        kind: 'bar',
        data: items.map((i) => Number(i.submitted)),
        color: COLORS.submitted,
      },
      {
        name: t('plans.fig.confirmed'),
        kind: 'bar',
        data: items.map((i) => Number(i.approved)),
        color: COLORS.approved,
      },
      { name: t('plans.fig.actual'), kind: 'bar', data: items.map((i) => Number(i.actual)), color: COLORS.actual },
    ],
    [items, t],
  );
  const periods = useMemo(() => byPeriod.data?.items ?? [], [byPeriod.data]);
  const periodSeries = useMemo<Series[]>(
    () => [
      {
        name: t('plans.fig.submitted'),
        kind: 'bar',
        data: periods.map((i) => Number(i.submitted)),
        color: COLORS.submitted,
      },
      {
        name: t('plans.fig.confirmed'),
        kind: 'bar',
        data: periods.map((i) => Number(i.approved)),
        color: COLORS.approved,
      },
      { name: t('plans.fig.actual'), kind: 'bar', data: periods.map((i) => Number(i.actual)), color: COLORS.actual },
    ],
    [periods, t],
  );
  const dayItems = useMemo(() => days.data?.items ?? [], [days.data]);
  const daySeries = useMemo<Series[]>(() => {
    const cumulative = dayItems.reduce<number[]>((acc, d) => [...acc, (acc.at(-1) ?? 0) + Number(d.actual)], []);
    const approved = Number(totals.data?.total.approved ?? 0);
    const submitted = Number(totals.data?.total.submitted ?? 0);
    return [
      { name: t('plans.fig.actualCumulative'), kind: 'line', data: cumulative, color: COLORS.actual },
      {
        name: t('plans.fig.confirmed'),
        kind: 'line',
        data: dayItems.map(() => approved),
        color: COLORS.approved,
        dashed: true,
      },
      {
        name: t('plans.fig.submitted'),
        kind: 'line',
        data: dayItems.map(() => submitted),
        color: COLORS.submitted,
        dashed: true,
      },
    ];
  }, [dayItems, totals.data, t]);

  const percent = (actual: string, approved: string) =>
    Number(approved) > 0 ? `${number(Math.round((Number(actual) / Number(approved)) * 1000) / 10)} %` : '—';
  const levelName = (by: TotalsLevel) => t(`plans.level.${by}` as MessageKey);

  return (
    <div className="page plans-page" data-testid="plan-totals-page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('plans.totalsTitle')}</h1>
          <PeriodPicker period={period} onChange={(p) => navigate(url(p, trail), { replace: true })} />
        </div>
      </header>
      <nav className="breadcrumb" aria-label={t('plans.drillPath')} data-testid="totals-trail">
        {crumbs.map((c, i) => (
          <span key={i}>
            {i ? <span className="sep">›</span> : null}{' '}
            {i < crumbs.length - 1 ? (
              <Link to={url(period, trail.slice(0, i))} className="link">
                {c.name}
              </Link>
            ) : (
              <strong>{c.name}</strong>
            )}
          </span>
        ))}
      </nav>
      <ErrorBox error={totals.error} onRetry={() => void totals.refetch()} />
      {totals.isPending || currency === undefined ? (
        <Loading />
      ) : totals.data ? (
        <>
          <FigureCards
            testId="totals-figures"
            f={{
              submitted: totals.data.total.submitted,
              confirmed: totals.data.total.approved,
              doubtful: totals.data.total.doubtful,
              pending: totals.data.total.pending,
              actual: totals.data.total.actual,
            }}
          />
          {items.length ? (
            <div className="table-wrap">
              <table className="table plan-totals-table" data-testid="totals-table" data-level={here.by}>
                <thead>
                  <tr>
                    <th>{levelName(here.by)}</th>
                    <th className="num">{t('plans.col.lines')}</th>
                    <th className="num">{t('plans.fig.submitted')}</th>
                    <th className="num">{t('plans.fig.confirmed')}</th>
                    <th className="num">{t('plans.fig.doubtful')}</th>
                    <th className="num">{t('plans.fig.pending')}</th>
                    <th className="num">{t('plans.fig.actual')}</th>
                    <th className="num">{t('plans.col.percent')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((i) => (
                    <tr key={i.key ?? 'none'} data-testid="totals-row" data-key={i.key ?? ''}>
                      <td>
                        {NEXT[here.by] && i.key ? (
                          <button
                            type="button"
                            className="link-button"
                            onClick={() => drill(i)}
                            data-testid="totals-drill"
                          >
                            {i.name || t('plans.noGroup')}
                          </button>
                        ) : (
                          i.name || t('plans.noGroup')
                        )}
                      </td>
                      <td className="num">{number(i.lines)}</td>
                      <td className="num" data-figure="submitted">
                        {money(i.submitted, currency)}
                      </td>
                      <td className="num" data-figure="approved">
                        {money(i.approved, currency)}
                      </td>
                      <td className="num" data-figure="doubtful">
                        {money(i.doubtful, currency)}
                      </td>
                      <td className="num" data-figure="pending">
                        {money(i.pending, currency)}
                      </td>
                      <td className="num" data-figure="actual">
                        {money(i.actual, currency)}
                      </td>
                      <td className="num">{percent(i.actual, i.approved)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr data-testid="totals-total">
                    <th>{t('plans.total')}</th>
                    <th className="num">{number(totals.data.total.lines)}</th>
                    <th className="num" data-figure="submitted">
                      {money(totals.data.total.submitted, currency)}
                    </th>
                    <th className="num" data-figure="approved">
                      {money(totals.data.total.approved, currency)}
                    </th>
                    <th className="num" data-figure="doubtful">
                      {money(totals.data.total.doubtful, currency)}
                    </th>
                    <th className="num" data-figure="pending">
                      {money(totals.data.total.pending, currency)}
                    </th>
                    <th className="num" data-figure="actual">
                      {money(totals.data.total.actual, currency)}
                    </th>
                    <th className="num">{percent(totals.data.total.actual, totals.data.total.approved)}</th>
                  </tr>
                </tfoot>
              </table>
            </div>
          ) : (
            <Empty>{t('plans.nothingPlanned')}</Empty>
          )}
          <div className="plan-charts">
            <Suspense fallback={<Loading />}>
              {items.length && here.by !== 'line' ? (
                <figure className="card plan-chart-card">
                  <figcaption>{t('plans.chart.byItem', { level: levelName(here.by) })}</figcaption>
                  <Chart
                    categories={items.map((i) => i.name || t('plans.noGroup'))}
                    series={itemSeries}
                    format={compact}
                    testId="chart-items"
                  />
                </figure>
              ) : null}
              {periods.length ? (
                <figure className="card plan-chart-card">
                  <figcaption>{t('plans.chart.byPeriod')}</figcaption>
                  <Chart
                    categories={periods.map((p) => periodLabel(p.period, true))}
                    series={periodSeries}
                    format={compact}
                    testId="chart-periods"
                  />
                </figure>
              ) : null}
              {month && dayItems.length ? (
                <figure className="card plan-chart-card">
                  <figcaption>{t('plans.chart.daily', { month: periodLabel(period) })}</figcaption>
                  <Chart
                    categories={dayItems.map((d) => String(Number(d.period.slice(8))))}
                    series={daySeries}
                    format={compact}
                    testId="chart-daily"
                  />
                </figure>
              ) : null}
            </Suspense>
          </div>
          {periods.length ? (
            <div className="table-wrap mt-4">
              <table className="table" data-testid="vs-actual-table">
                <thead>
                  <tr>
                    <th>{t('plans.col.period')}</th>
                    <th className="num">{t('plans.fig.submitted')}</th>
                    <th className="num">{t('plans.fig.confirmed')}</th>
                    <th className="num">{t('plans.fig.actual')}</th>
                    <th className="num">{t('plans.col.percent')}</th>
                  </tr>
                </thead>
                <tbody>
                  {periods.map((p) => (
                    <tr key={p.period} data-period={p.period}>
                      <td>{periodLabel(p.period)}</td>
                      <td className="num">{money(p.submitted, currency)}</td>
                      <td className="num">{money(p.approved, currency)}</td>
                      <td className="num">{money(p.actual, currency)}</td>
                      <td className="num">{p.percent === null ? '—' : `${number(p.percent)} %`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          <p className="muted mt-2">{t('plans.totalsHint')}</p>
        </>
      ) : null}
    </div>
  );
}
