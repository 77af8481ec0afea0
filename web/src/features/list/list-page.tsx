/**
 * The deal list: the board's filters (the same state, remembered the same way) as a table with the columns the user
 * chose, ordered by the last change either way, a page at a time ("Load more"), the archive, and a CSV export of
 * exactly what is listed.
 */
import { Button as MButton, Checkbox, NativeSelect, Popover, Stack } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import type { Deal } from '../../api.js';
import { useDebouncedValue } from '@mantine/hooks';
import { useI18n } from '../../i18n/index.js';
import { useLabels } from '../../labels.js';
import { Link, navigate, useLocation } from '../../router.js';
import { useRefData, useSession } from '../../session.js';
import { Button, Empty, ErrorBox, Icon, Loading, Spinner, usePageTitle } from '../../ui.js';
import { LAST_PIPELINE, lastFilter, storeFilter, type BoardFilter } from '../board/board-query.js';
import { Filters } from '../board/board-page.js';
import {
  BUILT_IN_COLUMNS,
  exportUrl,
  listQuery,
  storeColumns,
  storedColumns,
  type BuiltInColumn,
  type ListColumn,
  type ListSort,
} from './list-query.js';
import { ViewSwitch } from './view-switch.js';

export function ListPage() {
  const { t, name, locale } = useI18n();
  const { user } = useSession();
  const { query } = useLocation();
  const { pipelines } = useRefData();
  usePageTitle(t('board.title'));
  const active = pipelines.filter((p) => !p.archived);
  let wanted = query.get('pipeline');
  try {
    wanted ??= localStorage.getItem(LAST_PIPELINE);
  } catch {
    /* private mode */
  }
  const pipeline = pipelines.find((p) => p.id === wanted) ?? active[0] ?? null;
  const archived = query.get('archived') === 'true';
  const [filter, setFilter] = useState<BoardFilter>(lastFilter);
  const [q] = useDebouncedValue(filter.q, 300);
  const applied = useMemo(() => ({ ...filter, q: q.trim() }), [filter, q]);
  useEffect(() => {
    storeFilter(applied);
  }, [applied]);
  const [sort, setSort] = useState<ListSort>('-updatedAt');
  const [columns, setColumnsState] = useState<ListColumn[]>(() => storedColumns(user?.id ?? ''));
  const setColumns = (next: ListColumn[]) => {
    setColumnsState(next);
    storeColumns(user?.id ?? '', next);
  };
  const params = { pipelineId: pipeline?.id ?? null, filter: applied, archived, sort };
  const list = useInfiniteQuery({ ...listQuery(params), enabled: !!pipeline });
  const deals = list.data?.pages.flatMap((p) => p.items) ?? [];
  const at = (archive: boolean) =>
    `/deals/list?${new URLSearchParams({ ...(pipeline ? { pipeline: pipeline.id } : {}), ...(archive ? { archived: 'true' } : {}) }).toString()}`;

  return (
    <div className="page page-list">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('board.title')}</h1>
          {pipelines.length > 0 ? (
            <NativeSelect
              aria-label={t('board.pipeline')}
              value={pipeline?.id ?? ''}
              data-testid="pipeline-picker"
              leftSection={<Icon name="flow" size={16} />}
              onChange={(e) =>
                navigate(`/deals/list?pipeline=${e.currentTarget.value}${archived ? '&archived=true' : ''}`)
              }
              data={pipelines.map((p) => ({
                value: p.id,
                label: `${name(p)}${p.archived ? ` (${t('pipelines.archived')})` : ''}`,
              }))}
            />
          ) : null}
          <ViewSwitch pipelineId={pipeline?.id ?? null} current="list" />
        </div>
      </header>
      <Filters filter={filter} onChange={setFilter} />
      <div className="toolbar list-toolbar">
        <Checkbox
          label={t('list.archived')}
          checked={archived}
          onChange={(e) => navigate(at(e.currentTarget.checked), { replace: true })}
          data-testid="filter-archived"
        />
        <div className="list-actions">
          {list.isFetching && deals.length ? <Spinner /> : null}
          <ColumnPicker columns={columns} onChange={setColumns} />
          <MButton
            component="a"
            href={exportUrl(params, columns, locale)}
            download
            variant="default"
            size="sm"
            leftSection={<Icon name="download" size={16} />}
            data-testid="list-export"
          >
            {t('list.export')}
          </MButton>
        </div>
      </div>
      <ErrorBox error={list.error} onRetry={() => void list.refetch()} />
      {!pipeline ? (
        <Empty icon="flow">{t('board.noPipelines')}</Empty>
      ) : list.isPending ? (
        <Loading />
      ) : deals.length === 0 && !list.error ? (
        <Empty icon="board">{archived ? t('list.noArchived') : t('board.noMatches')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table table-click" data-testid="deal-list">
            <thead>
              <tr>
                {columns.map((c) => (
                  <ColumnHead key={c} column={c} sort={sort} onSort={setSort} />
                ))}
              </tr>
            </thead>
            <tbody>
              {deals.map((d) => (
                <tr
                  key={d.id}
                  data-testid="deal-row"
                  data-deal-id={d.id}
                  onClick={(e) => {
                    if (!(e.target as HTMLElement).closest('a, button')) navigate(`/deals/${d.id}`);
                  }}
                >
                  {columns.map((c) => (
                    <Cell key={c} deal={d} column={c} />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage ? (
        <div className="center mt-4">
          <Button onClick={() => void list.fetchNextPage()} busy={list.isFetchingNextPage} data-testid="list-more">
            {t('common.loadMore')}
          </Button>
        </div>
      ) : null}
    </div>
  );
}

const NUMERIC: ListColumn[] = ['amount'];

function useColumnLabel() {
  const { t } = useI18n();
  const { fieldLabel } = useLabels();
  return (c: ListColumn) =>
    c.startsWith('custom.') ? fieldLabel(c.slice('custom.'.length)) : t(`list.col.${c as BuiltInColumn}`);
}

function ColumnHead({ column, sort, onSort }: { column: ListColumn; sort: ListSort; onSort: (s: ListSort) => void }) {
  const { t } = useI18n();
  const label = useColumnLabel()(column);
  const cls = NUMERIC.includes(column) ? 'num' : undefined;
  // only the last change has an index for every filter: the one column the list sorts by
  if (column !== 'updatedAt') return <th className={cls}>{label}</th>;
  const newest = sort === '-updatedAt';
  return (
    <th aria-sort={newest ? 'descending' : 'ascending'}>
      <button
        type="button"
        className="th-sort"
        onClick={() => onSort(newest ? 'updatedAt' : '-updatedAt')}
        title={newest ? t('list.sortOldest') : t('list.sortNewest')}
        data-testid="sort-updated"
      >
        {label}
        <Icon name={newest ? 'chevronDown' : 'chevronUp'} size={12} />
      </button>
    </th>
  );
}

function Cell({ deal: d, column }: { deal: Deal; column: ListColumn }) {
  const { t, money, date, dateTime, name } = useI18n();
  const { stageById, dealFields } = useRefData();
  const { optionName } = useLabels();
  const none = <span className="muted">{t('common.none')}</span>;
  switch (column) {
    case 'title':
      return (
        <td>
          <Link to={`/deals/${d.id}`} className="link" data-testid="deal-row-title">
            {d.title}
          </Link>
        </td>
      );
    case 'client':
      return <td>{d.clientName}</td>;
    case 'contact':
      return <td>{d.contactName ?? none}</td>;
    case 'stage': {
      const s = stageById(d.stageId)?.stage;
      return <td>{s ? <span className={`stage-chip stage-chip-${s.kind}`}>{name(s)}</span> : none}</td>;
    }
    case 'owner':
      return <td>{d.ownerName}</td>;
    case 'amount':
      return <td className="num nowrap">{d.amount !== null ? money(d.amount, d.currency) : none}</td>;
    case 'currency':
      return <td>{d.currency ?? none}</td>;
    case 'expectedCloseDate':
      return <td className="nowrap">{d.expectedCloseDate ? date(d.expectedCloseDate) : none}</td>;
    case 'createdAt':
      return <td className="nowrap">{dateTime(d.createdAt)}</td>;
    case 'updatedAt':
      return <td className="nowrap">{dateTime(d.updatedAt)}</td>;
  }
  const key = column.slice('custom.'.length);
  const v = d.custom[key];
  const field = dealFields.find((f) => f.key === key);
  if (v === null || v === undefined || v === '') return <td>{none}</td>;
  if (typeof v === 'object') {
    const m = v as { amount?: string; currency?: string };
    return <td className="nowrap">{money(m.amount ?? '', m.currency ?? null)}</td>;
  }
  if (field?.type === 'date' && typeof v === 'string') return <td className="nowrap">{date(v)}</td>;
  if (field?.type === 'select' && typeof v === 'string') return <td>{optionName(field, v)}</td>;
  return <td>{typeof v === 'number' || typeof v === 'string' ? String(v) : JSON.stringify(v)}</td>;
}

/** Which columns the list shows, in the order offered; remembered per user in this browser. */
function ColumnPicker({ columns, onChange }: { columns: ListColumn[]; onChange: (c: ListColumn[]) => void }) {
  const { t } = useI18n();
  const { dealFields } = useRefData();
  const label = useColumnLabel();
  const offered: ListColumn[] = [...BUILT_IN_COLUMNS, ...dealFields.map((f) => `custom.${f.key}` as const)];
  const toggle = (c: ListColumn, on: boolean) => {
    const next = offered.filter((x) => (x === c ? on : columns.includes(x)));
    if (next.length) onChange(next);
  };
  return (
    <Popover position="bottom-end" withinPortal shadow="md" trapFocus>
      <Popover.Target>
        <MButton variant="default" size="sm" leftSection={<Icon name="menu" size={16} />} data-testid="list-columns">
          {t('list.columns')}
        </MButton>
      </Popover.Target>
      <Popover.Dropdown data-testid="list-columns-menu">
        <Stack gap={8}>
          {offered.map((c) => (
            <Checkbox
              key={c}
              label={label(c)}
              checked={columns.includes(c)}
              disabled={columns.length === 1 && columns.includes(c)}
              onChange={(e) => toggle(c, e.currentTarget.checked)}
              data-testid="list-column"
              data-column={c}
            />
          ))}
          <span className="muted small">{t('list.columnsRemembered')}</span>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
