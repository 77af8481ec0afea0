/* eslint-disable react-hooks/refs -- the grid calls the column callbacks (values, classes, setters) when it draws or
   edits a cell, never during React's render: they read the latest rows and problems through refs */
/**
 * /plans: a manager plans a period. The lines are a spreadsheet-like grid (AG Grid): type into a cell to replace it,
 * Tab and Enter move on, a range pasted from a spreadsheet fills the cells from the focused one (rows added as
 * needed). A client or deal is typed by name, an amount as the user's language writes it, a date as a date or just
 * the day. Lines can be copied from the previous period or made from open deals (amount and expected close filled).
 * Below, the running totals: clients × the parts of the period (weeks of a month, days of a week), with a total per
 * row and per column. Save, then submit with a note when the company confirms plans.
 */
import { Alert, Checkbox, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  CellClassParams,
  CellClassRules,
  CellValueChangedEvent,
  ColDef,
  GridApi,
  GridReadyEvent,
  ValueFormatterParams,
  ValueSetterParams,
} from 'ag-grid-community';
import { AgGridReact } from 'ag-grid-react';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ClipboardEvent } from 'react';
import { ApiError, allPages, api, type Client, type CurrencySettings } from '../../api.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { qk } from '../../query.js';
import { navigate, useLocation } from '../../router.js';
import { useSession } from '../../session.js';
import { Button, Dialog, ErrorBox, Loading, useErrorText, usePageTitle, useToast } from '../../ui.js';
import { defaultColDef, gridTheme, parseRange, redrawBesideFocus } from './plan-grid.js';
import {
  EDITABLE,
  baseOf,
  blankRow,
  clampDate,
  isBlank,
  linesOf,
  newKey,
  rowProblems,
  setCell,
  type EditField,
  type EditRow,
  type RowProblem,
} from './plan-rows.js';
import { openDealsOf, planQuery, showPlan, savePlan, submitPlan, type OpenDeal, type Plan } from './plans-query.js';
import { PeriodPicker, parsePeriod, partOf, partsOf, periodOf, shiftPeriod, usePartLabel } from './period.js';
import { PlanFigures, StatusBadge } from './plan-parts.js';
import './plans.css';

interface PivotRow {
  id: string;
  client: string;
  cells: number[];
  total: number;
}

const rowIdOf = (p: { data: EditRow }) => p.data.key;
const pivotIdOf = (p: { data: PivotRow }) => p.data.id;

const rowsOfPlan = (plan: Plan | null): EditRow[] =>
  (plan?.lines ?? []).map((l) => ({
    key: l.id,
    id: l.id,
    client: l.clientName,
    clientId: l.clientId,
    deal: l.dealTitle ?? '',
    dealId: l.dealId,
    amount: l.amount,
    currency: l.currency,
    expectedOn: l.expectedOn,
    comment: l.comment,
    status: l.status,
    decisionComment: l.decisionComment,
  }));

export function PlanEditorPage() {
  const { t } = useI18n();
  const { user } = useSession();
  const { query } = useLocation();
  usePageTitle(t('plans.title'));
  const period = parsePeriod(query.get('period') ?? '') ? query.get('period')! : periodOf('month');
  const managerId = query.get('manager') ?? user!.id;
  const go = (p: string) =>
    navigate(`/plans?period=${p}${managerId !== user!.id ? `&manager=${managerId}` : ''}`, { replace: true });
  const plan = useQuery(planQuery(managerId, period));
  const currency = useQuery({ queryKey: qk.currency, queryFn: () => api.get<CurrencySettings>('/currency-rates') });
  const clients = useQuery({
    queryKey: [...qk.clients, 'all-for-plans'],
    queryFn: () => allPages<Client>('/clients', {}, 20),
    staleTime: 60_000,
  });
  const deals = useQuery({
    queryKey: ['plans', 'open-deals', managerId],
    queryFn: () => openDealsOf(managerId),
    staleTime: 60_000,
  });
  return (
    <div className="page plans-page" data-testid="plan-editor-page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('plans.title')}</h1>
          <PeriodPicker period={period} onChange={go} />
        </div>
      </header>
      <ErrorBox error={plan.error ?? currency.error ?? clients.error} onRetry={() => void plan.refetch()} />
      {plan.isPending || currency.isPending || clients.isPending ? (
        <Loading />
      ) : plan.isError || !currency.data || !clients.data ? null : (
        <PlanEditor
          key={`${managerId}|${period}`}
          managerId={managerId}
          period={period}
          plan={plan.data}
          currency={currency.data}
          clients={clients.data}
          deals={deals.data ?? []}
        />
      )}
    </div>
  );
}

/** The grid's columns by id: the editable ones, then the line in the company currency and its status. */
const COLUMN_IDS: string[] = [...EDITABLE, 'base', 'status'];

function PlanEditor({
  managerId,
  period,
  plan,
  currency,
  clients,
  deals,
}: {
  managerId: string;
  period: string;
  plan: Plan | null;
  currency: CurrencySettings;
  clients: Client[];
  deals: OpenDeal[];
}) {
  const { t, locale, money, date } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  const errorText = useErrorText();
  const partLabel = usePartLabel();
  const company = currency.currency ?? '';
  const rates = useMemo(() => Object.fromEntries(currency.rates.map((r) => [r.currency, r.rate])), [currency]);
  const currencies = useMemo(() => (company ? [company, ...Object.keys(rates)] : []), [company, rates]);
  const [rows, setRows] = useState<EditRow[]>(() => [...rowsOfPlan(plan), blankRow(company)]);
  const [dirty, setDirty] = useState(false);
  /** bumped when the rows are replaced by the plan as read (not typed): the grid is given them anew */
  const [gen, setGen] = useState(0);
  const replaceRows = (p: Plan | null) => {
    setRows([...rowsOfPlan(p), blankRow(company)]);
    setGen((g) => g + 1);
  };
  // the plan changed elsewhere (a save, the lead's decisions, live): shown at once unless the user is editing (has
  // changed a line, or has a cell's editor open: new rows would close it and lose what is typed there)
  const [synced, setSynced] = useState(plan?.version ?? 0);
  const [editorOpen, setEditorOpen] = useState(false);
  if ((plan?.version ?? 0) > synced && !dirty && !editorOpen) {
    setSynced(plan?.version ?? 0);
    replaceRows(plan);
  }
  const [serverProblems, setServerProblems] = useState<Record<string, RowProblem>>({});
  const [showProblems, setShowProblems] = useState(false);
  const [note, setNote] = useState('');
  const [fromDeals, setFromDeals] = useState(false);
  const apiRef = useRef<GridApi<EditRow> | null>(null);
  const ctx = useMemo(
    () => ({ clients, deals: deals.map((d) => ({ id: d.id, title: d.title, clientId: d.clientId })), period, locale }),
    [clients, deals, period, locale],
  );
  const underReview = plan?.status === 'submitted' && plan.confirmation;
  const editableRow = useCallback((r: EditRow) => !underReview || !r.id || r.status === 'doubtful', [underReview]);

  /** rows changed: a blank row always ends the grid, so typing on goes on */
  const update = (next: EditRow[]) => {
    const body = next.filter((r, i) => !isBlank(r) || i === next.length - 1);
    if (!body.length || !isBlank(body[body.length - 1])) body.push(blankRow(company));
    setRows(body);
    setDirty(true);
    setServerProblems({});
  };

  const problems = useMemo(() => {
    const out: Record<string, RowProblem> = { ...serverProblems };
    for (const r of rows) {
      for (const [f, p] of Object.entries(rowProblems(r, period, currencies))) out[`${r.key}.${f}`] = p;
    }
    return out;
  }, [rows, period, currencies, serverProblems]);
  const problemCount = Object.keys(problems).length;

  /**
   * A cell typed into: the grid's row is changed in place by the column's valueSetter (so an editor opened meanwhile
   * by Tab or Enter stays open), then the rows are taken over and the row's other cells redrawn.
   */
  const setter = (f: EditField) => (p: ValueSetterParams<EditRow>) => {
    const text = p.newValue === null || p.newValue === undefined ? '' : String(p.newValue);
    Object.assign(p.data, setCell(p.data, f, text, live.current.ctx));
    return true;
  };
  const onChanged = (e: CellValueChangedEvent<EditRow>) => {
    update([...rowsRef.current]);
    redrawBesideFocus(e.api, COLUMN_IDS, [e.node]);
  };

  /** a range pasted from a spreadsheet: from the focused cell right and down, rows added as needed */
  const onPaste = (e: ClipboardEvent<HTMLDivElement>) => {
    const grid = apiRef.current;
    if (!grid || grid.getEditingCells().length) return;
    const focused = grid.getFocusedCell();
    const text = e.clipboardData.getData('text/plain');
    if (!focused || !text) return;
    const startCol = EDITABLE.indexOf(focused.column.getColDef().field as EditField);
    if (startCol < 0 || focused.rowPinned) return;
    e.preventDefault();
    const range = parseRange(text);
    const next = [...rows];
    range.forEach((cells, i) => {
      const at = focused.rowIndex + i;
      while (next.length <= at) next.push(blankRow(company));
      if (!editableRow(next[at])) return;
      let row = next[at];
      cells.forEach((cell, j) => {
        const field = EDITABLE[startCol + j];
        if (field) row = setCell(row, field, cell, ctx);
      });
      Object.assign(next[at], row);
    });
    update(next);
  };

  const save = useMutation({
    mutationFn: () => savePlan(managerId, period, { lines: linesOf(rows), ...(plan ? { version: plan.version } : {}) }),
    onSuccess: (saved) => {
      replaceRows(saved);
      setSynced(saved.version);
      setDirty(false);
      void showPlan(qc, saved);
      toast('ok', t('plans.saved'));
    },
    onError: (e) => {
      // the server names the line and field (lines.2.amount): the cell is marked
      if (e instanceof ApiError && Array.isArray(e.body.errors)) {
        const sent = rows.filter((r) => !isBlank(r));
        const marked: Record<string, RowProblem> = {};
        for (const x of e.body.errors as { field?: string }[]) {
          const m = /^lines\.(\d+)\.(\w+)$/.exec(x.field ?? '');
          const row = m && sent[Number(m[1])];
          if (!row) continue;
          const f = m[2] === 'clientId' ? 'client' : m[2] === 'dealId' ? 'deal' : m[2];
          marked[`${row.key}.${f}`] = SERVER_PROBLEM[f] ?? 'amountInvalid';
        }
        setServerProblems(marked);
        setShowProblems(true);
      }
    },
  });
  const submit = useMutation({
    mutationFn: async () => {
      let version = plan?.version;
      if (dirty || !plan) {
        const saved = await savePlan(managerId, period, { lines: linesOf(rows), ...(plan ? { version } : {}) });
        version = saved.version;
      }
      return submitPlan(managerId, period, note, version);
    },
    onSuccess: (submitted) => {
      replaceRows(submitted);
      setSynced(submitted.version);
      setDirty(false);
      setNote('');
      void showPlan(qc, submitted);
      toast('ok', t('plans.submittedToast'));
    },
  });
  const trySave = (then: () => void) => {
    if (problemCount) {
      setShowProblems(true);
      return;
    }
    then();
  };

  const copyPrevious = useMutation({
    mutationFn: () => qc.fetchQuery(planQuery(managerId, shiftPeriod(period, -1))),
    onSuccess: (prev) => {
      if (!prev?.lines.length) {
        toast('ok', t('plans.nothingToCopy'));
        return;
      }
      const from = parsePeriod(prev.period)!;
      const to = parsePeriod(period)!;
      const shift = (d: string) => {
        const days = Math.round((Date.parse(d) - Date.parse(from.start)) / 86_400_000);
        return clampDate(new Date(Date.parse(to.start) + days * 86_400_000).toISOString().slice(0, 10), period);
      };
      const copied: EditRow[] = prev.lines.map((l) => ({
        key: newKey(),
        client: l.clientName,
        clientId: l.clientId,
        deal: l.dealTitle ?? '',
        dealId: l.dealId,
        amount: l.amount,
        currency: l.currency,
        expectedOn: shift(l.expectedOn),
        comment: l.comment,
      }));
      update([...rows.filter((r) => !isBlank(r)), ...copied]);
      toast('ok', t('plans.copied', { count: copied.length }));
    },
  });

  const addDeals = (picked: OpenDeal[]) => {
    const made: EditRow[] = picked.map((d) => ({
      key: newKey(),
      client: d.clientName,
      clientId: d.clientId,
      deal: d.title,
      dealId: d.id,
      amount: d.amount ? Number(d.amount).toFixed(2) : '',
      currency: d.currency ?? company,
      expectedOn: clampDate(d.expectedCloseDate, period),
      comment: '',
    }));
    update([...rows.filter((r) => !isBlank(r)), ...made]);
    setFromDeals(false);
  };

  // the columns are made once (new column definitions would close an open editor): what changes is read through refs
  const live = useRef({ problems, showProblems, totalBase: 0, ctx });
  const rowsRef = useRef(rows);
  const problemOf = (r: EditRow | undefined, f: EditField) => (r ? live.current.problems[`${r.key}.${f}`] : undefined);
  /** a cell's state as classes the grid sets and clears on every redraw: locked, invalid, the total row */
  const cellClass = (f: EditField): ColDef<EditRow>['cellClassRules'] => ({
    'plan-cell-total': (p) => !!p.node.rowPinned,
    'plan-cell-locked': (p) => !p.node.rowPinned && !!p.data && !editableRow(p.data),
    'plan-cell-invalid': (p) => {
      if (p.node.rowPinned || !p.data || !problemOf(p.data, f)) return false;
      // a line being typed is not marked before the user asks to save, but for what is wrong with typed values
      return live.current.showProblems || (!isBlank(p.data) && (f !== 'client' || !!p.data.client));
    },
  });
  const tooltip = (f: EditField) => (p: { data?: EditRow }) => {
    const pr = problemOf(p.data, f);
    return pr ? t(`plans.problem.${pr}` as MessageKey) : undefined;
  };

  const totalBase = rows.reduce((a, r) => a + baseOf(r, company, rates), 0);
  useLayoutEffect(() => {
    live.current = { problems, showProblems, totalBase, ctx };
    rowsRef.current = rows;
  });
  useEffect(() => {
    // cell states (marked invalid) and the total follow the rows; the cell being typed into is left alone
    if (apiRef.current) redrawBesideFocus(apiRef.current, COLUMN_IDS);
  }, [problems, showProblems, totalBase]);
  const columns = useMemo<ColDef<EditRow>[]>(
    () => [
      {
        field: 'client',
        valueSetter: setter('client'),
        headerName: t('plans.col.client'),
        flex: 2,
        minWidth: 160,
        editable: (p) => !!p.data && editableRow(p.data),
        cellClassRules: cellClass('client'),
        tooltipValueGetter: tooltip('client'),
      },
      {
        field: 'deal',
        valueSetter: setter('deal'),
        headerName: t('plans.col.deal'),
        flex: 2,
        minWidth: 140,
        editable: (p) => !!p.data && editableRow(p.data),
        cellClassRules: cellClass('deal'),
        tooltipValueGetter: tooltip('deal'),
      },
      {
        field: 'amount',
        valueSetter: setter('amount'),
        headerName: t('plans.col.amount'),
        width: 140,
        type: 'rightAligned',
        editable: (p) => !!p.data && editableRow(p.data),
        valueFormatter: (p: ValueFormatterParams<EditRow>) =>
          p.node?.rowPinned
            ? ''
            : /^\d+\.\d{2}$/.test(String(p.value ?? ''))
              ? money(p.value as string, null, { exact: true })
              : String(p.value ?? ''),
        cellClassRules: cellClass('amount'),
        tooltipValueGetter: tooltip('amount'),
      },
      {
        field: 'currency',
        valueSetter: setter('currency'),
        headerName: t('plans.col.currency'),
        width: 112,
        editable: (p) => !!p.data && editableRow(p.data),
        cellClassRules: cellClass('currency'),
        tooltipValueGetter: tooltip('currency'),
      },
      {
        field: 'expectedOn',
        valueSetter: setter('expectedOn'),
        headerName: t('plans.col.expectedOn'),
        width: 140,
        editable: (p) => !!p.data && editableRow(p.data),
        valueFormatter: (p: ValueFormatterParams<EditRow>) =>
          /^\d{4}-\d{2}-\d{2}$/.test(String(p.value ?? '')) ? date(p.value as string) : String(p.value ?? ''),
        cellClassRules: cellClass('expectedOn'),
        tooltipValueGetter: tooltip('expectedOn'),
      },
      {
        field: 'comment',
        valueSetter: setter('comment'),
        headerName: t('plans.col.comment'),
        flex: 2,
        minWidth: 140,
        editable: (p) => !!p.data && editableRow(p.data),
        cellClassRules: cellClass('comment'),
      },
      {
        colId: 'base',
        headerName: t('plans.col.base', { currency: company }),
        width: 150,
        type: 'rightAligned',
        valueGetter: (p) =>
          p.node?.rowPinned
            ? live.current.totalBase
            : p.data && !isBlank(p.data)
              ? baseOf(p.data, company, rates)
              : null,
        valueFormatter: (p) => (p.value === null || p.value === undefined ? '' : money(p.value as number, company)),
        cellClassRules: {
          'plan-cell-total': (p: CellClassParams<EditRow>) => !!p.node.rowPinned,
          'plan-cell-muted': (p: CellClassParams<EditRow>) => !p.node.rowPinned,
        } as CellClassRules<EditRow>,
      },
      {
        colId: 'status',
        headerName: t('plans.col.status'),
        width: 130,
        valueGetter: (p) => (p.data?.status ? t(`plans.line.${p.data.status}`) : ''),
        tooltipValueGetter: (p) => p.data?.decisionComment || undefined,
        cellClassRules: {
          'plan-status-approved': (p: CellClassParams<EditRow>) => p.data?.status === 'approved',
          'plan-status-doubtful': (p: CellClassParams<EditRow>) => p.data?.status === 'doubtful',
        } as CellClassRules<EditRow>,
      },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, company, rates, editableRow],
  );

  const parts = partsOf(period);
  const pivot = useMemo(() => {
    const byClient = new Map<string, PivotRow>();
    const cols = parts.map(() => 0);
    for (const r of rows) {
      if (isBlank(r) || !r.clientId) continue;
      const base = baseOf(r, company, rates);
      const idx = parts.findIndex((x) => x === partOf(parts, r.expectedOn));
      const row = byClient.get(r.clientId) ?? { id: r.clientId, client: r.client, cells: parts.map(() => 0), total: 0 };
      if (idx >= 0) {
        row.cells[idx] += base;
        cols[idx] += base;
      }
      row.total += base;
      byClient.set(r.clientId, row);
    }
    return { rows: [...byClient.values()], cols, total: cols.reduce((a, b) => a + b, 0) };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rows, company, rates, period]);
  const pivotCols = useMemo<ColDef<PivotRow>[]>(
    () => [
      { field: 'client', headerName: t('plans.col.client'), flex: 2, minWidth: 160 },
      ...parts.map((p, i): ColDef<PivotRow> => ({
        colId: `p${i}`,
        headerName: partLabel(p),
        flex: 1,
        minWidth: 100,
        type: 'rightAligned',
        valueGetter: (x) => x.data?.cells[i] ?? 0,
        valueFormatter: (x) => (x.value ? money(x.value as number, company) : '—'),
      })),
      {
        colId: 'total',
        headerName: t('plans.total'),
        flex: 1,
        minWidth: 120,
        type: 'rightAligned',
        valueGetter: (x) => x.data?.total ?? 0,
        valueFormatter: (x) => money(x.value as number, company),
        cellClass: 'plan-cell-total',
      },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, period, company, locale],
  );

  // what the grid is given changes only when it must: new inputs make it redraw, which would close an open editor
  const rowKeys = rows.map((r) => r.key).join();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const gridRows = useMemo(() => rows, [rowKeys, gen]);
  const totalRow = useMemo(() => [{ key: 'total', client: t('plans.total') } as EditRow], [t]);
  const localeText = useMemo(() => ({ noRowsToShow: t('plans.noLines') }), [t]);
  const pivotTotal = useMemo(
    () => [{ id: 'total', client: t('plans.total'), cells: pivot.cols, total: pivot.total }],
    [t, pivot],
  );
  const lineCount = rows.filter((r) => !isBlank(r)).length;
  const canSubmit = !!plan?.confirmation && lineCount > 0 && (plan?.status !== 'final' || dirty);
  const onReady = (e: GridReadyEvent<EditRow>) => {
    apiRef.current = e.api;
  };
  useEffect(() => () => void (apiRef.current = null), []);

  return (
    <>
      <div className="plan-status-bar" data-testid="plan-status" data-status={plan?.status ?? 'none'}>
        <StatusBadge status={plan?.status ?? null} />
        {plan ? <PlanFigures plan={plan} /> : <span className="muted">{t('plans.noPlanYet')}</span>}
      </div>
      {underReview ? <Alert color="blue">{t('plans.underReviewHint')}</Alert> : null}
      {plan?.status === 'final' && plan.confirmation ? <Alert color="gray">{t('plans.finalHint')}</Alert> : null}
      <div className="toolbar plan-toolbar">
        <Button onClick={() => copyPrevious.mutate()} disabled={copyPrevious.isPending || !!underReview}>
          {t('plans.copyPrevious')}
        </Button>
        <Button onClick={() => setFromDeals(true)} disabled={!!underReview} data-testid="plan-from-deals">
          {t('plans.fromDeals')}
        </Button>
        <span className="muted plan-keys-hint">{t('plans.keysHint')}</span>
        <div className="toolbar-spacer" />
        <Button
          variant="primary"
          onClick={() => trySave(() => save.mutate())}
          disabled={!dirty || save.isPending}
          data-testid="plan-save"
        >
          {save.isPending ? t('common.saving') : t('common.save')}
        </Button>
      </div>
      {showProblems && problemCount ? (
        <Alert color="red" data-testid="plan-problems">
          {t('plans.problems', { count: problemCount })}
        </Alert>
      ) : null}
      <ErrorBox error={save.error} />
      <div className="plan-grid" onPasteCapture={onPaste} data-testid="plan-grid">
        <AgGridReact<EditRow>
          theme={gridTheme}
          defaultColDef={defaultColDef}
          rowData={gridRows}
          columnDefs={columns}
          getRowId={rowIdOf}
          onCellValueChanged={onChanged}
          onCellEditingStarted={() => setEditorOpen(true)}
          onCellEditingStopped={() => setEditorOpen(false)}
          onGridReady={onReady}
          enterNavigatesVerticallyAfterEdit
          enterNavigatesVertically
          stopEditingWhenCellsLoseFocus
          pinnedBottomRowData={totalRow}
          domLayout="autoHeight"
          tooltipShowDelay={300}
          localeText={localeText}
        />
      </div>
      <section className="mt-4">
        <h2>{t('plans.byClient')}</h2>
        <div className="plan-grid" data-testid="plan-pivot">
          <AgGridReact
            theme={gridTheme}
            defaultColDef={defaultColDef}
            rowData={pivot.rows}
            columnDefs={pivotCols}
            getRowId={pivotIdOf}
            pinnedBottomRowData={pivotTotal}
            domLayout="autoHeight"
            localeText={localeText}
          />
        </div>
      </section>
      {plan?.confirmation ? (
        <section className="card plan-submit mt-4" data-testid="plan-submit-card">
          <h2>{t('plans.submitTitle')}</h2>
          {plan?.submission ? (
            <p className="muted">
              {t('plans.lastSubmission', {
                number: plan.submission.number,
                total: money(plan.submission.total, company),
              })}
            </p>
          ) : null}
          <Textarea
            label={t('plans.note')}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            autosize
            minRows={2}
            data-testid="plan-note"
          />
          <ErrorBox error={submit.error} />
          <div className="mt-2">
            <Button
              variant="primary"
              onClick={() => trySave(() => submit.mutate())}
              disabled={!canSubmit || submit.isPending}
              data-testid="plan-submit"
            >
              {t('plans.submit')}
            </Button>
          </div>
        </section>
      ) : null}
      {fromDeals ? (
        <DealsDialog
          deals={deals}
          period={period}
          taken={new Set(rows.map((r) => r.dealId).filter(Boolean) as string[])}
          onAdd={addDeals}
          onClose={() => setFromDeals(false)}
        />
      ) : null}
      {copyPrevious.error ? <p className="field-error">{errorText(copyPrevious.error)}</p> : null}
    </>
  );
}

const SERVER_PROBLEM: Record<string, RowProblem> = {
  client: 'clientUnknown',
  deal: 'dealUnknown',
  amount: 'amountInvalid',
  currency: 'currencyUnknown',
  expectedOn: 'dateOutside',
};

/** Open deals of the manager to make lines from: those closing in the period first, or all of them. */
function DealsDialog({
  deals,
  period,
  taken,
  onAdd,
  onClose,
}: {
  deals: OpenDeal[];
  period: string;
  taken: Set<string>;
  onAdd: (d: OpenDeal[]) => void;
  onClose: () => void;
}) {
  const { t, money, date } = useI18n();
  const p = parsePeriod(period)!;
  const [all, setAll] = useState(false);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const shown = deals.filter(
    (d) =>
      !taken.has(d.id) &&
      (all || (d.expectedCloseDate !== null && d.expectedCloseDate >= p.start && d.expectedCloseDate < p.end)),
  );
  return (
    <Dialog
      title={t('plans.fromDealsTitle')}
      onClose={onClose}
      wide
      testId="plan-deals-dialog"
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button
            variant="primary"
            disabled={!picked.size}
            onClick={() => onAdd(deals.filter((d) => picked.has(d.id)))}
            data-testid="plan-deals-add"
          >
            {t('plans.addDeals', { count: picked.size })}
          </Button>
        </>
      }
    >
      <Checkbox
        label={t('plans.allOpenDeals')}
        checked={all}
        onChange={(e) => setAll(e.currentTarget.checked)}
        mb="sm"
      />
      {shown.length ? (
        <ul className="plan-deal-list">
          {shown.map((d) => (
            <li key={d.id}>
              <Checkbox
                checked={picked.has(d.id)}
                onChange={(e) => {
                  const next = new Set(picked);
                  if (e.currentTarget.checked) next.add(d.id);
                  else next.delete(d.id);
                  setPicked(next);
                }}
                label={
                  <span>
                    <strong>{d.title}</strong> · {d.clientName} · {d.amount ? money(d.amount, d.currency) : '—'} ·{' '}
                    {d.expectedCloseDate ? date(d.expectedCloseDate) : t('plans.noCloseDate')}
                  </span>
                }
                data-testid="plan-deal-option"
              />
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t('plans.noOpenDeals')}</p>
      )}
    </Dialog>
  );
}
