import { Button as MButton, Group, NativeSelect, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Suspense, lazy, useEffect, useMemo, useState } from 'react';
import { api, type SavedFilter, type User } from '../../api.js';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate, useLocation } from '../../router.js';
import { useRefData, useSession } from '../../session.js';
import { qk } from '../../query.js';
import { chunk, useChunk } from '../../chunk.js';
import { useAfterFirstPaint } from '../../after-paint.js';
import { Empty, ErrorBox, Icon, Loading, useErrorText, usePageTitle, useToast } from '../../ui.js';
import { Board } from './board.js';
import { ViewSwitch } from '../list/view-switch.js';
import {
  EMPTY_FILTER,
  LAST_PIPELINE,
  filterOf,
  isEmptyFilter,
  lastFilter,
  savedFiltersQuery,
  storeFilter,
  type BoardFilter,
} from './board-query.js';

/* drawn after the board's first paint, or when asked for: each its own chunk */
const ManagerPanel = lazy(() => import('./manager-panel.js').then((m) => ({ default: m.ManagerPanel })));
const filterControls = chunk(() => import('./filter-controls.js'));

/** What a filter control looks like while its chunk loads: an input of its size, not yet usable. */
function Placeholder({ w, text }: { w: number; text: string }) {
  return <TextInput w={w} readOnly tabIndex={-1} aria-hidden="true" value="" placeholder={text} />;
}

export function BoardPage() {
  const { t, name } = useI18n();
  const { query } = useLocation();
  const { pipelines, pipelinesError, pipelinesLoading, reloadPipelines } = useRefData();
  const { user } = useSession();
  usePageTitle(t('board.title'));
  /** a lead's (and an administrator's) figures per manager, above the board */
  const lead = user?.role === 'lead' || user?.role === 'admin';
  const [byManager, setByManager] = useState(false);
  const active = pipelines.filter((p) => !p.archived);
  let wanted = query.get('pipeline');
  try {
    wanted ??= localStorage.getItem(LAST_PIPELINE);
  } catch {
    /* private mode */
  }
  const pipeline = pipelines.find((p) => p.id === wanted) ?? active[0] ?? null;
  const [filter, setFilter] = useState<BoardFilter>(lastFilter);
  const [q] = useDebouncedValue(filter.q, 300);
  const applied = useMemo(() => ({ ...filter, q: q.trim() }), [filter, q]);

  useEffect(() => {
    if (pipeline)
      try {
        localStorage.setItem(LAST_PIPELINE, pipeline.id);
      } catch {
        /* private mode */
      }
  }, [pipeline]);
  useEffect(() => {
    storeFilter(applied);
  }, [applied]);

  return (
    <div className="page page-board">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('board.title')}</h1>
          {pipelines.length > 0 ? (
            <NativeSelect
              aria-label={t('board.pipeline')}
              value={pipeline?.id ?? ''}
              data-testid="pipeline-picker"
              leftSection={<Icon name="flow" size={16} />}
              onChange={(e) => navigate(`/deals?pipeline=${e.currentTarget.value}`)}
              data={pipelines.map((p) => ({
                value: p.id,
                label: `${name(p)}${p.archived ? ` (${t('pipelines.archived')})` : ''}`,
              }))}
            />
          ) : null}
          <ViewSwitch pipelineId={pipeline?.id ?? null} current="board" />
          {lead && pipeline ? (
            <MButton
              variant={byManager ? 'filled' : 'default'}
              size="sm"
              leftSection={<Icon name="users" size={16} />}
              aria-pressed={byManager}
              onClick={() => setByManager((v) => !v)}
              data-testid="by-manager-toggle"
            >
              {t('board.byManager')}
            </MButton>
          ) : null}
        </div>
        <Link to="/import" className="link" data-testid="board-import">
          {t('import.link')}
        </Link>
      </header>
      <Filters filter={filter} onChange={setFilter} />
      {lead && pipeline && byManager ? (
        <Suspense fallback={<Loading />}>
          <ManagerPanel pipeline={pipeline} filter={applied} />
        </Suspense>
      ) : null}
      {pipelinesLoading ? (
        <Loading />
      ) : pipelinesError ? (
        <ErrorBox error={pipelinesError} onRetry={() => void reloadPipelines()} />
      ) : !pipeline ? (
        <Empty icon="flow">{t('board.noPipelines')}</Empty>
      ) : (
        <Board key={pipeline.id} pipeline={pipeline} filter={applied} />
      )}
    </div>
  );
}

/**
 * Owner (everyone, mine, my group, a colleague), the expected close period, overdue and stuck deals, and a search
 * across the deal's title, client, contact, tax id, email and phone; saved filters (on the server: mine, and those my
 * sales group shares).
 */
export function Filters({ filter, onChange }: { filter: BoardFilter; onChange: (f: BoardFilter) => void }) {
  const { t } = useI18n();
  const { user } = useSession();
  const set = (patch: Partial<BoardFilter>) => onChange({ ...filter, ...patch });
  // the lists and controls of the filters are not needed for the first cards: they come after the first paint
  const painted = useAfterFirstPaint();
  const users = useQuery({
    queryKey: ['users', 'directory'],
    queryFn: () => api.get<{ items: User[] }>('/users?limit=100').then((r) => r.items),
    staleTime: 5 * 60_000,
    enabled: painted,
  });
  const owners = [
    { value: '', label: t('filter.ownerAll') },
    { value: 'me', label: t('filter.ownerMe') },
    ...(user?.departmentId ? [{ value: 'group', label: t('filter.ownerGroup') }] : []),
    ...(users.data ?? []).filter((u) => u.id !== user?.id && !u.disabled).map((u) => ({ value: u.id, label: u.name })),
  ];
  const qc = useQueryClient();
  const toast = useToast();
  const errorText = useErrorText();
  const savedQuery = useQuery({ ...savedFiltersQuery, enabled: painted });
  const saved: SavedFilter[] = savedQuery.data ?? [];
  // filters this browser kept before they moved to the server are uploaded by the list's read (savedFiltersQuery)
  /** on a phone only the search shows; the other filters open on demand */
  const narrow = useMediaQuery('(max-width: 800px)', undefined, { getInitialValueInEffect: false });
  const [open, setOpen] = useState(false);
  const more = !narrow || open;
  const active = [filter.owner, filter.closeFrom || filter.closeTo, filter.overdue, filter.stuck].filter(
    Boolean,
  ).length;
  /** the select, the date picker and the saved filters' menu: drawn once their chunk is there (stand-ins before) */
  const controls = useChunk(filterControls, { afterFirstPaint: true });
  const save = async (shared: boolean) => {
    const label = window.prompt(t('filter.saveName'))?.trim();
    if (!label) return;
    try {
      const mine = saved.find((s) => s.mine && s.name === label);
      if (mine) await api.put(`/saved-filters/${mine.id}`, { name: label, filter, shared, version: mine.version });
      else await api.post('/saved-filters', { name: label, filter, shared });
      toast('ok', t('filter.savedOk', { name: label }));
    } catch (e) {
      toast('error', errorText(e));
    }
    void qc.invalidateQueries({ queryKey: qk.savedFilters });
  };
  const remove = async (s: SavedFilter) => {
    try {
      await api.del(`/saved-filters/${s.id}`);
    } catch (e) {
      toast('error', errorText(e));
    }
    void qc.invalidateQueries({ queryKey: qk.savedFilters });
  };
  const savedTrigger = (waiting = false) => (
    <MButton
      variant="default"
      size="sm"
      leftSection={<Icon name="file" size={16} />}
      data-testid="saved-filters"
      disabled={waiting}
    >
      {t('filter.saved')}
    </MButton>
  );
  return (
    <Group
      className="filters"
      gap="xs"
      wrap="wrap"
      data-testid="board-filters"
      role="search"
      aria-label={t('filter.title')}
    >
      <TextInput
        className="filter-search"
        type="search"
        value={filter.q}
        onChange={(e) => set({ q: e.currentTarget.value })}
        placeholder={t('filter.search')}
        aria-label={t('filter.search')}
        leftSection={<Icon name="search" size={16} />}
        data-testid="board-filter"
      />
      {narrow ? (
        <MButton
          variant="default"
          size="sm"
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
          data-testid="filters-toggle"
        >
          {t('filter.more', { count: active })}
        </MButton>
      ) : null}
      {more ? (
        <>
          {controls ? (
            <>
              <controls.OwnerSelect data={owners} value={filter.owner} onChange={(owner) => set({ owner })} />
              <controls.ClosePeriod
                from={filter.closeFrom}
                to={filter.closeTo}
                onChange={(closeFrom, closeTo) => set({ closeFrom, closeTo })}
              />
            </>
          ) : (
            <>
              <Placeholder w={190} text={owners.find((o) => o.value === filter.owner)?.label ?? ''} />
              <Placeholder w={230} text={t('filter.closePeriod')} />
            </>
          )}
          {(
            [
              ['overdue', t('filter.overdue')],
              ['stuck', t('filter.stuck')],
            ] as const
          ).map(([k, label]) =>
            controls ? (
              <controls.FilterCheckbox
                key={k}
                label={label}
                checked={filter[k]}
                onChange={(on) => set({ [k]: on })}
                testId={`filter-${k}`}
              />
            ) : (
              // the browser's own checkbox until Mantine's is there: usable at once (the filter holds the state)
              <label key={k} className="filter-check">
                <input
                  type="checkbox"
                  checked={filter[k]}
                  onChange={(e) => set({ [k]: e.currentTarget.checked })}
                  data-testid={`filter-${k}`}
                />
                {label}
              </label>
            ),
          )}
          {controls ? (
            <controls.SavedFiltersMenu
              trigger={savedTrigger()}
              saved={saved}
              canSave={!isEmptyFilter(filter)}
              canShare={!!user?.departmentId || user?.role === 'lead'}
              onApply={(s) => onChange(filterOf(s.filter))}
              onRemove={(s) => void remove(s)}
              onSave={(shared) => void save(shared)}
            />
          ) : (
            // not usable until the menu is there (a click on it would be lost when the menu takes its place)
            savedTrigger(true)
          )}
        </>
      ) : null}
      {!isEmptyFilter(filter) ? (
        <MButton variant="subtle" size="sm" onClick={() => onChange(EMPTY_FILTER)} data-testid="filter-reset">
          {t('filter.reset')}
        </MButton>
      ) : null}
    </Group>
  );
}
