/**
 * For administrators: the outcomes a result may name, per kind of event (add, rename, "closes the matter", archive),
 * and the company's cadence for asking results (GET/PUT /calendar/settings): how often, within which working hours
 * and days, and at which ask the lead is told.
 */
import { Chip, Group, NumberInput, Select, Stack, Switch, Table, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api } from '../../api.js';
import type { components } from '../../api/schema.js';
import { useI18n } from '../../i18n/index.js';
import { Button, Card, ErrorBox, Loading, usePageTitle, useToast } from '../../ui.js';

type Outcome = components['schemas']['EventOutcome'];
type Settings = components['schemas']['CalendarSettings'];
type Kind = Outcome['kind'];
const KINDS: Kind[] = ['call', 'meeting', 'email', 'task'];
const OUTCOMES = ['calendar-outcomes', 'all'] as const;
const SETTINGS = ['calendar-settings'] as const;

export function CalendarAdminPage() {
  const { t } = useI18n();
  usePageTitle(t('calendarAdmin.title'));
  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('calendarAdmin.title')}</h1>
        </div>
      </header>
      <Stack gap="lg">
        <OutcomesCard />
        <CadenceCard />
      </Stack>
    </div>
  );
}

function OutcomesCard() {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: OUTCOMES,
    queryFn: () => api.get<{ items: Outcome[] }>('/calendar/outcomes?archived=true'),
  });
  const [kind, setKind] = useState<Kind>('call');
  return (
    <Card title={t('calendarAdmin.outcomes')} testId="outcomes-card">
      <p className="muted small">{t('calendarAdmin.outcomesHint')}</p>
      <Chip.Group multiple={false} value={kind} onChange={(v) => setKind(v)}>
        <Group gap="xs" mb="sm">
          {KINDS.map((k) => (
            <Chip key={k} value={k} data-testid={`outcome-kind-${k}`}>
              {t(`calendarAdmin.kind.${k}`)}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
      <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
      {q.isPending ? <Loading /> : null}
      {q.data ? <OutcomeTable kind={kind} items={q.data.items.filter((o) => o.kind === kind)} /> : null}
    </Card>
  );
}

function OutcomeTable({ kind, items }: { kind: Kind; items: Outcome[] }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  const [label, setLabel] = useState('');
  const [closes, setCloses] = useState(false);
  const refresh = () => qc.invalidateQueries({ queryKey: ['calendar-outcomes'] });
  const update = useMutation({
    mutationFn: ({ id, ...body }: { id: string; label?: string; closes?: boolean; archived?: boolean }) =>
      api.patch<Outcome>(`/calendar/outcomes/${id}`, body),
    onSuccess: refresh,
  });
  const create = useMutation({
    mutationFn: () => api.post<Outcome>('/calendar/outcomes', { kind, label: label.trim(), closes }),
    onSuccess: async () => {
      setLabel('');
      setCloses(false);
      toast('ok', t('calendarAdmin.outcomeAdded'));
      await refresh();
    },
  });
  return (
    <>
      <Table data-testid="outcomes" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('calendarAdmin.label')}</Table.Th>
            <Table.Th>{t('calendarAdmin.closes')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((o) => (
            <Table.Tr key={o.id} data-testid="outcome-row" style={o.archived ? { opacity: 0.7 } : undefined}>
              <Table.Td>
                <TextInput
                  aria-label={t('calendarAdmin.label')}
                  defaultValue={o.label}
                  disabled={o.archived}
                  onBlur={(e) => {
                    const v = e.currentTarget.value.trim();
                    if (v && v !== o.label) update.mutate({ id: o.id, label: v });
                  }}
                />
              </Table.Td>
              <Table.Td>
                <Switch
                  aria-label={t('calendarAdmin.closes')}
                  checked={o.closes}
                  disabled={o.archived}
                  onChange={(e) => update.mutate({ id: o.id, closes: e.currentTarget.checked })}
                />
              </Table.Td>
              <Table.Td>
                <Button onClick={() => update.mutate({ id: o.id, archived: !o.archived })}>
                  {o.archived ? t('calendarAdmin.restore') : t('calendarAdmin.archive')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <ErrorBox error={update.error ?? create.error} />
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (label.trim()) create.mutate();
        }}
      >
        <Group align="end" gap="sm" mt="sm">
          <TextInput
            label={t('calendarAdmin.newOutcome')}
            value={label}
            maxLength={100}
            onChange={(e) => setLabel(e.currentTarget.value)}
            data-testid="new-outcome"
          />
          <Switch
            label={t('calendarAdmin.closes')}
            checked={closes}
            onChange={(e) => setCloses(e.currentTarget.checked)}
          />
          <Button type="submit" icon="plus" busy={create.isPending} data-testid="add-outcome">
            {t('common.add')}
          </Button>
        </Group>
      </form>
    </>
  );
}

function CadenceCard() {
  const { t } = useI18n();
  const q = useQuery({ queryKey: SETTINGS, queryFn: () => api.get<Settings>('/calendar/settings') });
  return (
    <Card title={t('calendarAdmin.cadence')} testId="cadence-card">
      <p className="muted small">{t('calendarAdmin.cadenceHint')}</p>
      <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
      {q.isPending ? <Loading /> : q.data ? <CadenceForm key={q.data.version} initial={q.data} /> : null}
    </Card>
  );
}

const DAYS = [1, 2, 3, 4, 5, 6, 7];

function CadenceForm({ initial }: { initial: Settings }) {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  // the runtime's list may leave out the aliases (e.g. UTC) a setting can hold
  const zones = useMemo(
    () => [...new Set([initial.timeZone, 'UTC', ...Intl.supportedValuesOf('timeZone')])],
    [initial.timeZone],
  );
  const dayName = useMemo(() => {
    // 2024-01-01 was a Monday
    const f = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
    return (d: number) => f.format(new Date(Date.UTC(2024, 0, d)));
  }, [locale]);
  const form = useForm({
    initialValues: { ...initial, workDays: initial.workDays.map(String) },
    validate: {
      workEnd: (v, all) => (v <= all.workStart ? t('calendarAdmin.endBeforeStart') : null),
      workDays: (v) => (v.length ? null : t('calendarAdmin.noDays')),
    },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      api.put<Settings>('/calendar/settings', { ...v, workDays: v.workDays.map(Number) }),
    onSuccess: async () => {
      toast('ok', t('calendarAdmin.saved'));
      await qc.invalidateQueries({ queryKey: SETTINGS });
    },
  });
  return (
    <form className="form-grid" noValidate onSubmit={form.onSubmit((v) => save.mutate(v))} data-testid="cadence-form">
      <Group gap="md" align="start">
        <NumberInput
          label={t('calendarAdmin.askEvery')}
          min={5}
          max={10080}
          step={15}
          {...form.getInputProps('askEveryMinutes')}
        />
        <NumberInput
          label={t('calendarAdmin.escalateAfter')}
          min={1}
          max={100}
          {...form.getInputProps('escalateAfterAsks')}
        />
      </Group>
      <Group gap="md" align="start">
        <TextInput type="time" label={t('calendarAdmin.workStart')} {...form.getInputProps('workStart')} />
        <TextInput type="time" label={t('calendarAdmin.workEnd')} {...form.getInputProps('workEnd')} />
        <Select
          label={t('calendarAdmin.timeZone')}
          data={zones}
          searchable
          allowDeselect={false}
          {...form.getInputProps('timeZone')}
        />
      </Group>
      <Chip.Group multiple {...form.getInputProps('workDays')}>
        <Group gap="xs" aria-label={t('calendarAdmin.workDays')}>
          {DAYS.map((d) => (
            <Chip key={d} value={String(d)}>
              {dayName(d)}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
      {form.errors.workDays ? <p className="field-error">{form.errors.workDays}</p> : null}
      <ErrorBox error={save.error} />
      <div className="form-actions">
        <Button variant="primary" type="submit" busy={save.isPending} data-testid="cadence-save">
          {save.isPending ? t('common.saving') : t('common.save')}
        </Button>
      </div>
    </form>
  );
}
