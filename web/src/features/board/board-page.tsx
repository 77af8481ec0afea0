import { ActionIcon, Button as MButton, Checkbox, Group, Menu, NativeSelect, Select, TextInput } from '@mantine/core';
import { DatePickerInput, type DatesRangeValue } from '@mantine/dates';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { api, type User } from '../../api.js';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate, useLocation } from '../../router.js';
import { useRefData, useSession } from '../../session.js';
import { Empty, ErrorBox, Icon, Loading, usePageTitle } from '../../ui.js';
import { Board } from './board.js';
import { ViewSwitch } from '../list/view-switch.js';
import {
  EMPTY_FILTER,
  LAST_PIPELINE,
  isEmptyFilter,
  lastFilter,
  savedFilters,
  storeFilter,
  storeSavedFilters,
  type BoardFilter,
  type SavedFilter,
} from './board-query.js';

export function BoardPage() {
  const { t, name } = useI18n();
  const { query } = useLocation();
  const { pipelines, pipelinesError, pipelinesLoading, reloadPipelines } = useRefData();
  usePageTitle(t('board.title'));
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
        </div>
        <Link to="/import" className="link" data-testid="board-import">
          {t('import.link')}
        </Link>
      </header>
      <Filters filter={filter} onChange={setFilter} />
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
 * Owner (everyone, mine, my group, a colleague), the expected close period, overdue deals, and a search across the
 * deal's title, client, contact, tax id, email and phone; saved filters (in this browser only, for now).
 */
export function Filters({ filter, onChange }: { filter: BoardFilter; onChange: (f: BoardFilter) => void }) {
  const { t, locale } = useI18n();
  const { user } = useSession();
  const set = (patch: Partial<BoardFilter>) => onChange({ ...filter, ...patch });
  const users = useQuery({
    queryKey: ['users', 'directory'],
    queryFn: () => api.get<{ items: User[] }>('/users?limit=100').then((r) => r.items),
    staleTime: 5 * 60_000,
  });
  const owners = [
    { value: '', label: t('filter.ownerAll') },
    { value: 'me', label: t('filter.ownerMe') },
    ...(user?.departmentId ? [{ value: 'group', label: t('filter.ownerGroup') }] : []),
    ...(users.data ?? []).filter((u) => u.id !== user?.id && !u.disabled).map((u) => ({ value: u.id, label: u.name })),
  ];
  const [saved, setSaved] = useState<SavedFilter[]>(savedFilters);
  /** on a phone only the search shows; the other filters open on demand */
  const narrow = useMediaQuery('(max-width: 800px)', undefined, { getInitialValueInEffect: false });
  const [open, setOpen] = useState(false);
  const more = !narrow || open;
  const active = [filter.owner, filter.closeFrom || filter.closeTo, filter.overdue].filter(Boolean).length;
  const range: DatesRangeValue<string> = [filter.closeFrom || null, filter.closeTo || null];
  const save = () => {
    const label = window.prompt(t('filter.saveName'));
    if (!label?.trim()) return;
    const next = [...saved.filter((s) => s.name !== label.trim()), { name: label.trim(), filter }];
    setSaved(next);
    storeSavedFilters(next);
  };
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
          <Select
            data={owners}
            value={filter.owner}
            onChange={(v) => set({ owner: v ?? '' })}
            allowDeselect={false}
            searchable
            aria-label={t('filter.owner')}
            w={190}
            data-testid="filter-owner"
            comboboxProps={{ withinPortal: true }}
          />
          <DatePickerInput
            type="range"
            value={range}
            locale={locale}
            valueFormat="D MMM YYYY"
            clearable
            w={230}
            onChange={(v) => set({ closeFrom: v[0] ?? '', closeTo: v[1] ?? '' })}
            placeholder={t('filter.closePeriod')}
            aria-label={t('filter.closePeriod')}
            data-testid="filter-close"
          />
          <Checkbox
            label={t('filter.overdue')}
            checked={filter.overdue}
            onChange={(e) => set({ overdue: e.currentTarget.checked })}
            data-testid="filter-overdue"
          />
          <Menu withinPortal position="bottom-end">
            <Menu.Target>
              <MButton
                variant="default"
                size="sm"
                leftSection={<Icon name="file" size={16} />}
                data-testid="saved-filters"
              >
                {t('filter.saved')}
              </MButton>
            </Menu.Target>
            <Menu.Dropdown>
              {saved.length === 0 ? <Menu.Label>{t('filter.noneSaved')}</Menu.Label> : null}
              {saved.map((s) => (
                <Menu.Item
                  key={s.name}
                  onClick={() => onChange({ ...EMPTY_FILTER, ...s.filter })}
                  rightSection={
                    <ActionIcon
                      component="span"
                      size="sm"
                      variant="subtle"
                      aria-label={t('common.remove')}
                      onClick={(e: React.MouseEvent) => {
                        e.stopPropagation();
                        const next = saved.filter((x) => x.name !== s.name);
                        setSaved(next);
                        storeSavedFilters(next);
                      }}
                    >
                      <Icon name="x" size={14} />
                    </ActionIcon>
                  }
                >
                  {s.name}
                </Menu.Item>
              ))}
              <Menu.Divider />
              <Menu.Item onClick={save} disabled={isEmptyFilter(filter)}>
                {t('filter.save')}
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
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
