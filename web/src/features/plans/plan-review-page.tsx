/**
 * /plan-review: a lead confirms the plans of their group line by line. The plans of the period (status and figures)
 * on top; one plan's submitted lines in a grid with both figures side by side (as submitted, as confirmed). From the
 * keyboard: ↑/↓ move, Space selects, A approves, D doubts (a doubt asks for a comment) the focused line or the selected
 * ones; or with the buttons, one by one or in bulk. Finalise when no line awaits a decision.
 */
import { Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CellKeyDownEvent, ColDef, GridApi, SelectionChangedEvent } from 'ag-grid-community';
import { AgGridReact } from 'ag-grid-react';
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate, useLocation } from '../../router.js';
import { Button, Card, Dialog, Empty, ErrorBox, Loading, usePageTitle, useToast } from '../../ui.js';
import { defaultColDef, gridTheme } from './plan-grid.js';
import { FigureCards, StatusBadge, useCompanyCurrency } from './plan-parts.js';
import {
  decideLines,
  finalisePlan,
  overdueQuery,
  planListQuery,
  planQuery,
  showPlan,
  type Decision,
  type Plan,
  type PlanLine,
} from './plans-query.js';
import { PeriodPicker, parsePeriod, periodOf } from './period.js';
import './plans.css';

export function PlanReviewPage() {
  const { t, money } = useI18n();
  const { query } = useLocation();
  usePageTitle(t('plans.reviewTitle'));
  const currency = useCompanyCurrency();
  const period = parsePeriod(query.get('period') ?? '') ? query.get('period')! : periodOf('month');
  const managerId = query.get('manager');
  const list = useQuery(planListQuery(period));
  const open = (p: string, m?: string | null) =>
    navigate(`/plan-review?period=${p}${m ? `&manager=${m}` : ''}`, { replace: true });
  return (
    <div className="page plans-page" data-testid="plan-review-page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('plans.reviewTitle')}</h1>
          <PeriodPicker period={period} onChange={(p) => open(p, managerId)} />
        </div>
      </header>
      <OverdueCard />
      <ErrorBox error={list.error} onRetry={() => void list.refetch()} />
      {list.isPending || currency === undefined ? (
        <Loading />
      ) : list.data?.items.length ? (
        <div className="table-wrap">
          <table className="table" data-testid="plan-list">
            <thead>
              <tr>
                <th>{t('plans.col.manager')}</th>
                <th>{t('plans.col.status')}</th>
                <th className="num">{t('plans.fig.submitted')}</th>
                <th className="num">{t('plans.fig.confirmed')}</th>
                <th className="num">{t('plans.fig.doubtful')}</th>
                <th className="num">{t('plans.fig.pending')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((p) => (
                <tr
                  key={p.id}
                  className={p.managerId === managerId ? 'selected' : ''}
                  data-testid="plan-list-row"
                  data-manager={p.managerId}
                >
                  <td>
                    <Link
                      to={`/plan-review?period=${period}&manager=${p.managerId}`}
                      className="link"
                      data-testid="plan-list-open"
                    >
                      {p.managerName}
                    </Link>
                  </td>
                  <td>
                    <StatusBadge status={p.status} />
                  </td>
                  <td className="num">{money(p.submitted, currency)}</td>
                  <td className="num">{money(p.approved, currency)}</td>
                  <td className="num">{money(p.doubtful, currency)}</td>
                  <td className="num">{money(p.pending, currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty>{t('plans.noPlans')}</Empty>
      )}
      {managerId ? <ReviewPlan key={`${managerId}|${period}`} managerId={managerId} period={period} /> : null}
    </div>
  );
}

/** Confirmations overdue: plans submitted whose lines still await the lead past the review day, each opening its review. */
function OverdueCard() {
  const { t, money, date, dateTime } = useI18n();
  const currency = useCompanyCurrency();
  const q = useQuery(overdueQuery);
  if (!q.error && !q.data?.items.length) return null;
  return (
    <Card title={t('plans.overdue.title')} testId="overdue-card" className="plans-overdue">
      <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
      {q.data?.items.length ? (
        <div className="table-wrap">
          <table className="table" data-testid="overdue-list">
            <thead>
              <tr>
                <th>{t('plans.col.manager')}</th>
                <th>{t('plans.periodKind')}</th>
                <th>{t('plans.overdue.lead')}</th>
                <th>{t('plans.overdue.since')}</th>
                <th className="num">{t('plans.overdue.open')}</th>
              </tr>
            </thead>
            <tbody>
              {q.data.items.map((o) => (
                <tr key={o.planId} data-testid="overdue-row">
                  <td>
                    <Link
                      to={`/plan-review?period=${o.period}&manager=${o.managerId}`}
                      className="link"
                      data-testid="overdue-open"
                    >
                      {o.managerName}
                    </Link>
                  </td>
                  <td>{o.period}</td>
                  <td>{o.leadName ?? t('plans.overdue.noLead')}</td>
                  <td title={dateTime(o.dueAt)}>{date(o.dueAt)}</td>
                  <td className="num">
                    {t('plans.overdue.lines', { count: o.openLines })} · {money(o.openAmount, currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Card>
  );
}

interface ReviewRow extends PlanLine {
  submittedBase: string | null;
}

function ReviewPlan({ managerId, period }: { managerId: string; period: string }) {
  const { t, money, date } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  const currency = useCompanyCurrency();
  const q = useQuery(planQuery(managerId, period));
  const apiRef = useRef<GridApi<ReviewRow> | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [doubting, setDoubting] = useState<string[] | null>(null);
  const plan = q.data;
  /** lines whose decision is on its way: a key repeated on them meanwhile does nothing */
  const deciding = useRef(new Set<string>());
  const decide = useMutation({
    mutationFn: (decisions: Decision[]) => decideLines(managerId, period, decisions),
    onMutate: (decisions) => decisions.forEach((d) => deciding.current.add(d.lineId)),
    onSuccess: (p) => {
      void showPlan(qc, p);
      apiRef.current?.deselectAll();
    },
    onSettled: (_p, _e, decisions) => decisions.forEach((d) => deciding.current.delete(d.lineId)),
  });
  const finalise = useMutation({
    mutationFn: () => finalisePlan(managerId, period, plan?.version),
    onSuccess: (p) => {
      void showPlan(qc, p);
      toast('ok', t('plans.finalisedToast'));
    },
  });
  const rows = useMemo<ReviewRow[]>(() => {
    if (!plan) return [];
    const snap = new Map(
      (plan.submission?.lines ?? []).map((l) => [String(l.id), typeof l.amountBase === 'string' ? l.amountBase : null]),
    );
    return plan.lines.map((l) => ({ ...l, submittedBase: snap.get(l.id) ?? null }));
  }, [plan]);

  // the grid calls its key handler as given at its last props update, which may be a render behind: the keys read
  // the latest lines and selection here, so a key pressed right after a decision shows is never dropped
  const latest = useRef({ rows, selected, canReview: !!plan?.canReview });
  useLayoutEffect(() => {
    latest.current = { rows, selected, canReview: !!plan?.canReview };
  });
  /** the lines a key or button acts on: the selected ones, else the focused one; only those awaiting a decision */
  const targets = (): string[] => {
    const grid = apiRef.current;
    const { rows, selected } = latest.current;
    const chosen = selected.length
      ? selected
      : (() => {
          const f = grid?.getFocusedCell();
          const row = f ? grid?.getDisplayedRowAtIndex(f.rowIndex)?.data : undefined;
          return row ? [row.id] : [];
        })();
    return chosen.filter((id) => !deciding.current.has(id) && rows.find((r) => r.id === id)?.status === 'open');
  };
  const approve = (ids: string[]) => {
    if (ids.length) decide.mutate(ids.map((lineId) => ({ lineId, decision: 'approved' as const, comment: '' })));
  };
  const onKey = (e: CellKeyDownEvent<ReviewRow>) => {
    const ev = e.event as KeyboardEvent | null | undefined;
    if (!ev || ev.ctrlKey || ev.metaKey || ev.altKey || !latest.current.canReview) return;
    const key = ev.key.toLowerCase();
    if (key === 'a') {
      ev.preventDefault();
      approve(targets());
    } else if (key === 'd') {
      ev.preventDefault();
      const ids = targets();
      if (ids.length) setDoubting(ids);
    }
  };

  const columns = useMemo<ColDef<ReviewRow>[]>(
    () => [
      { field: 'clientName', headerName: t('plans.col.client'), flex: 2, minWidth: 150 },
      {
        field: 'dealTitle',
        headerName: t('plans.col.deal'),
        flex: 2,
        minWidth: 130,
        valueFormatter: (p) => (p.value as string | null) ?? '—',
      },
      {
        field: 'expectedOn',
        headerName: t('plans.col.expectedOn'),
        width: 130,
        valueFormatter: (p) => date(p.value as string),
      },
      {
        field: 'amount',
        headerName: t('plans.col.amount'),
        width: 160,
        type: 'rightAligned',
        valueFormatter: (p) => (p.data ? money(p.data.amount, p.data.currency, { exact: true }) : ''),
      },
      {
        colId: 'asSubmitted',
        headerName: t('plans.fig.submitted'),
        width: 150,
        type: 'rightAligned',
        valueGetter: (p) => p.data?.submittedBase ?? p.data?.amountBase,
        valueFormatter: (p) => money(p.value as string, currency),
      },
      {
        colId: 'asConfirmed',
        headerName: t('plans.fig.confirmed'),
        width: 150,
        type: 'rightAligned',
        valueGetter: (p) =>
          p.data?.status === 'approved' ? p.data.amountBase : p.data?.status === 'doubtful' ? '0' : null,
        valueFormatter: (p) => (p.value === null ? '—' : money(p.value as string, currency)),
      },
      {
        field: 'status',
        headerName: t('plans.col.status'),
        width: 130,
        valueFormatter: (p) => t(`plans.line.${p.value as 'open' | 'approved' | 'doubtful'}`),
        cellClassRules: {
          'plan-status-approved': (p) => p.value === 'approved',
          'plan-status-doubtful': (p) => p.value === 'doubtful',
        },
      },
      {
        field: 'decisionComment',
        headerName: t('plans.col.decisionComment'),
        flex: 2,
        minWidth: 140,
        tooltipField: 'decisionComment',
      },
      { field: 'comment', headerName: t('plans.col.comment'), flex: 2, minWidth: 120, tooltipField: 'comment' },
    ],
    [t, money, date, currency],
  );

  if (q.isPending || currency === undefined) return <Loading />;
  if (!plan) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  const open = rows.filter((r) => r.status === 'open').length;
  const reviewing = plan.status === 'submitted' && plan.canReview;
  return (
    <section className="mt-4 plan-review" data-testid="plan-review" data-status={plan.status}>
      <div className="plan-status-bar">
        <h2>{t('plans.planOf', { name: plan.managerName })}</h2>
        <StatusBadge status={plan.status} />
        {plan.submission?.note ? (
          <span className="muted" data-testid="plan-note-shown">
            {t('common.quoted', { text: plan.submission.note })}
          </span>
        ) : null}
      </div>
      <FigureCards f={plan.totals} />
      {reviewing ? (
        <div className="toolbar">
          <Button
            variant="primary"
            onClick={() => approve(targets())}
            disabled={decide.isPending}
            data-testid="review-approve"
          >
            {t('plans.approve')}
          </Button>
          <Button
            onClick={() => {
              const ids = targets();
              if (ids.length) setDoubting(ids);
            }}
            disabled={decide.isPending}
            data-testid="review-doubt"
          >
            {t('plans.doubt')}
          </Button>
          <Button
            onClick={() => approve(rows.filter((r) => r.status === 'open').map((r) => r.id))}
            disabled={decide.isPending || !open}
            data-testid="review-approve-all"
          >
            {t('plans.approveAll', { count: open })}
          </Button>
          <span className="muted plan-keys-hint">{t('plans.reviewKeys')}</span>
          <div className="toolbar-spacer" />
          <Button
            variant="primary"
            onClick={() => finalise.mutate()}
            disabled={finalise.isPending || open > 0}
            data-testid="review-finalise"
          >
            {t('plans.finalise')}
          </Button>
        </div>
      ) : (
        <p className="muted">{t(plan.canReview ? `plans.reviewState.${plan.status}` : 'plans.notYourReview')}</p>
      )}
      <ErrorBox error={decide.error ?? finalise.error} />
      <div className="plan-grid" data-testid="review-grid">
        <AgGridReact<ReviewRow>
          theme={gridTheme}
          defaultColDef={defaultColDef}
          rowData={rows}
          columnDefs={columns}
          getRowId={(p) => p.data.id}
          rowSelection={
            reviewing
              ? {
                  mode: 'multiRow',
                  checkboxes: (p) => p.data?.status === 'open',
                  headerCheckbox: true,
                  isRowSelectable: (n) => n.data?.status === 'open',
                  enableClickSelection: false,
                }
              : undefined
          }
          onSelectionChanged={(e: SelectionChangedEvent<ReviewRow>) =>
            setSelected(e.api.getSelectedRows().map((r) => r.id))
          }
          onCellKeyDown={onKey}
          onGridReady={(e) => {
            apiRef.current = e.api;
          }}
          domLayout="autoHeight"
          tooltipShowDelay={300}
          localeText={{ noRowsToShow: t('plans.noLines') }}
        />
      </div>
      <p className="mt-2">
        <Link to={`/plans?period=${period}&manager=${managerId}`} className="link">
          {t('plans.openInEditor')}
        </Link>
      </p>
      {doubting ? (
        <DoubtDialog
          count={doubting.length}
          busy={decide.isPending}
          onClose={() => setDoubting(null)}
          onDoubt={(comment) =>
            decide.mutate(
              doubting.map((lineId) => ({ lineId, decision: 'doubtful' as const, comment })),
              { onSuccess: () => setDoubting(null) },
            )
          }
        />
      ) : null}
    </section>
  );
}

/** A doubt needs its reason. */
function DoubtDialog({
  count,
  busy,
  onClose,
  onDoubt,
}: {
  count: number;
  busy: boolean;
  onClose: () => void;
  onDoubt: (comment: string) => void;
}) {
  const { t } = useI18n();
  const [comment, setComment] = useState('');
  const [tried, setTried] = useState(false);
  const send = () => {
    setTried(true);
    if (comment.trim()) onDoubt(comment.trim());
  };
  return (
    <Dialog
      title={t('plans.doubtTitle', { count })}
      onClose={onClose}
      testId="doubt-dialog"
      busy={busy}
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" onClick={send} disabled={busy} data-testid="doubt-confirm">
            {t('plans.doubt')}
          </Button>
        </>
      }
    >
      <Textarea
        label={t('plans.doubtReason')}
        value={comment}
        onChange={(e) => setComment(e.currentTarget.value)}
        error={tried && !comment.trim() ? t('plans.doubtReasonRequired') : undefined}
        autosize
        minRows={2}
        data-autofocus
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send();
        }}
        data-testid="doubt-comment"
      />
    </Dialog>
  );
}

export type { Plan };
