/**
 * The event dialog: plan an event or change one. Kind, title, start and end (or all day) in a time zone, recurrence
 * (none, daily, weekly on days, monthly; ending never, on a date or after N times), reminders, place or link, the
 * client, contact and deal, participants. The server's field errors show on their fields.
 */
import {
  Button as MButton,
  Checkbox,
  Chip,
  Group,
  MultiSelect,
  NativeSelect,
  NumberInput,
  Radio,
  SegmentedControl,
  Select,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { ApiError } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { navigate } from '../../router.js';
import { Button, Dialog, ErrorBox, Field, toast } from '../../ui.js';
import { ClientPicker, type ClientRef } from '../clients/client-picker.js';
import { clientDealsQuery } from '../clients/clients-query.js';
import { useClientContacts } from '../deal/deal-query.js';
import { KIND_COLORS, fieldErrors, reminderText } from './calendar-labels.js';
import {
  EVENT_KINDS,
  useCancelEvent,
  useCreateEvent,
  useEditEvent,
  useUsers,
  type CalendarEvent,
  type EventKind,
  type NewEvent,
} from './calendar-query.js';
import {
  WEEKDAYS,
  browserTimeZone,
  buildRrule,
  isoToWall,
  nextDay,
  noRecurrence,
  parseRrule,
  timeZones,
  wallToIso,
  weekdayOf,
  type Freq,
  type RecurrenceEnd,
  type Weekday,
} from './calendar-time.js';
import { ScopeChoice, type Scope } from './scope-prompt.js';

/** What a new event starts with (a clicked slot, a deal's "Plan an activity"). */
export interface EventDefaults {
  kind?: EventKind;
  title?: string;
  start?: Date;
  end?: Date;
  allDay?: boolean;
  client?: ClientRef | null;
  dealId?: string | null;
  ownerId?: string;
}

interface Values {
  kind: EventKind;
  title: string;
  description: string;
  allDay: boolean;
  start: string;
  end: string;
  startDate: string;
  endDate: string;
  timeZone: string;
  freq: Freq;
  byDay: Weekday[];
  endType: RecurrenceEnd;
  until: string;
  count: number;
  reminders: number[];
  location: string;
  contactId: string;
  dealId: string;
  participantUserIds: string[];
}

const PRESETS = [15, 60, 1440];
const UNITS = { minutes: 1, hours: 60, days: 1440 } as const;

/** An occurrence of a series: where it starts and ends (the series' duration from its start). */
function occurrenceTimes(event: CalendarEvent, occurrence?: string) {
  if (!event.rrule || !occurrence) return { startsAt: event.startsAt, endsAt: event.endsAt };
  const duration = Date.parse(event.endsAt) - Date.parse(event.startsAt);
  return { startsAt: occurrence, endsAt: new Date(Date.parse(occurrence) + duration).toISOString() };
}

function initialValues(event: CalendarEvent | undefined, d: EventDefaults, occurrence?: string): Values {
  const tz = event?.timeZone ?? browserTimeZone();
  const times = event ? occurrenceTimes(event, occurrence) : null;
  const start = times ? isoToWall(times.startsAt, tz) : isoToWall(d.start ?? roundedNow(), tz);
  const end = times
    ? isoToWall(times.endsAt, tz)
    : isoToWall(d.end ?? new Date((d.start ?? roundedNow()).getTime() + 60 * 60_000), tz);
  const allDay = event?.allDay ?? d.allDay ?? false;
  const rec = parseRrule(event?.rrule ?? null) ?? noRecurrence();
  // an all-day event ends at the start of the day after its last day
  const endDate = allDay && end.slice(0, 10) > start.slice(0, 10) ? nextDay(end.slice(0, 10), -1) : end.slice(0, 10);
  return {
    kind: event?.kind ?? d.kind ?? 'meeting',
    title: event?.title ?? d.title ?? '',
    description: event?.description ?? '',
    allDay,
    start,
    end,
    startDate: start.slice(0, 10),
    endDate,
    timeZone: tz,
    freq: rec.freq,
    byDay: rec.byDay.length ? rec.byDay : [weekdayOf(start)],
    endType: rec.end,
    until: rec.until,
    count: rec.count,
    reminders: event?.reminders ?? [15],
    location: event?.location ?? '',
    contactId: event?.contactId ?? '',
    dealId: event?.dealId ?? d.dealId ?? '',
    participantUserIds: event?.participantUserIds ?? [],
  };
}

function roundedNow(): Date {
  const d = new Date();
  d.setMinutes(d.getMinutes() < 30 ? 30 : 60, 0, 0);
  return d;
}

export function EventDialog({
  event,
  occurrence,
  defaults = {},
  onClose,
  onSaved,
  withActions,
}: {
  /** the event to change; none: plan a new one */
  event?: CalendarEvent;
  /** the occurrence the dialog was opened from (a series) */
  occurrence?: string;
  defaults?: EventDefaults;
  onClose: () => void;
  onSaved?: (e: CalendarEvent) => void;
  /** offers the result form (when one is due) and cancelling the event or the occurrence */
  withActions?: boolean;
}) {
  const { t, locale } = useI18n();
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: initialValues(event, defaults, occurrence),
    validate: {
      title: (v) => (v.trim() ? null : t('cal.error.title')),
    },
  });
  const v = form.getValues();
  const [client, setClient] = useState<ClientRef | null>(
    event?.clientId ? { id: event.clientId, name: event.clientName ?? '' } : (defaults.client ?? null),
  );
  const [scope, setScope] = useState<Scope>('this');
  const [customAmount, setCustomAmount] = useState<number | string>(30);
  const [customUnit, setCustomUnit] = useState<keyof typeof UNITS>('minutes');
  const contacts = useClientContacts(client?.id);
  const deals = useQuery({ ...clientDealsQuery(client?.id ?? ''), enabled: !!client });
  const users = useUsers();
  const create = useCreateEvent();
  const edit = useEditEvent();
  const mutation = event ? edit : create;
  const [error, setError] = useState<unknown>(null);
  const zones = useMemo(() => timeZones(v.timeZone), [v.timeZone]);
  const recurring = !!event?.rrule && !!occurrence;
  const weekdayNames = useMemo(() => {
    const f = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
    // 2024-01-01 was a Monday
    return Object.fromEntries(WEEKDAYS.map((d, i) => [d, f.format(new Date(Date.UTC(2024, 0, 1 + i)))]));
  }, [locale]);

  const submit = form.onSubmit(async (vals) => {
    setError(null);
    const tz = vals.timeZone;
    const startsAt = vals.allDay ? wallToIso(vals.startDate, tz) : wallToIso(vals.start, tz);
    const endsAt = vals.allDay ? wallToIso(nextDay(vals.endDate || vals.startDate), tz) : wallToIso(vals.end, tz);
    const kept = event && parseRrule(event.rrule) === null ? event.rrule : undefined;
    let seriesStart = startsAt;
    let seriesEnd = endsAt;
    if (event && recurring && scope === 'all') {
      // the dialog shows the occurrence; the whole series moves by as much as it did
      const occ = occurrenceTimes(event, occurrence);
      seriesStart = new Date(
        Date.parse(event.startsAt) + Date.parse(startsAt) - Date.parse(occ.startsAt),
      ).toISOString();
      seriesEnd = new Date(Date.parse(event.endsAt) + Date.parse(endsAt) - Date.parse(occ.endsAt)).toISOString();
    }
    const fields = {
      kind: vals.kind,
      title: vals.title.trim(),
      description: vals.description,
      startsAt: seriesStart,
      endsAt: seriesEnd,
      allDay: vals.allDay,
      timeZone: tz,
      rrule:
        kept ??
        buildRrule({ freq: vals.freq, byDay: vals.byDay, end: vals.endType, until: vals.until, count: vals.count }),
      location: vals.location.trim(),
      clientId: client?.id ?? null,
      contactId: client && vals.contactId ? vals.contactId : null,
      dealId: client && vals.dealId ? vals.dealId : (defaults.dealId ?? null),
      participantUserIds: vals.participantUserIds,
      participantContactIds: event?.participantContactIds ?? [],
      reminders: [...vals.reminders].sort((a, b) => b - a),
    } satisfies Partial<NewEvent>;
    try {
      const saved = event
        ? await edit.mutateAsync({
            id: event.id,
            body: {
              changes: fields,
              version: event.version,
              ...(recurring ? { scope, occurrence } : {}),
            },
          })
        : await create.mutateAsync({ ...fields, ownerId: defaults.ownerId });
      onSaved?.(saved);
      onClose();
    } catch (e) {
      const byField = fieldErrors(e, t);
      const map: Record<string, keyof Values> = {
        startsAt: vals.allDay ? 'startDate' : 'start',
        endsAt: vals.allDay ? 'endDate' : 'end',
        rrule: 'freq',
      };
      let shown = false;
      for (const [k, msg] of Object.entries(byField)) {
        const name = map[k] ?? (k in vals ? (k as keyof Values) : null);
        if (name) {
          form.setFieldError(name, msg);
          shown = true;
        }
      }
      if (!shown || !(e instanceof ApiError) || e.code !== 'VALIDATION_FAILED') setError(e);
    }
  });

  const toggleReminder = (m: number) =>
    form.setFieldValue(
      'reminders',
      v.reminders.includes(m) ? v.reminders.filter((x) => x !== m) : [...v.reminders, m].slice(0, 5),
    );

  return (
    <Dialog
      title={event ? t('cal.editEvent') : t('cal.newEvent')}
      onClose={onClose}
      busy={mutation.isPending}
      testId="event-dialog"
      footer={
        <>
          {withActions && event ? <EventActions event={event} occurrence={occurrence} onDone={onClose} /> : null}
          {recurring ? <ScopeChoice value={scope} onChange={setScope} /> : null}
          <Button onClick={onClose} disabled={mutation.isPending}>
            {t('common.cancel')}
          </Button>
          <Button
            variant="primary"
            type="submit"
            form="event-form"
            busy={mutation.isPending}
            disabled={!!event && !event.canEdit}
            data-testid="event-save"
          >
            {event ? t('common.save') : t('common.create')}
          </Button>
        </>
      }
    >
      <form id="event-form" onSubmit={submit} className="form-grid cal-form" noValidate>
        <ErrorBox error={error} />
        <Field label={t('cal.field.kind')}>
          <SegmentedControl
            fullWidth
            data-testid="event-kind"
            value={v.kind}
            onChange={(k) => form.setFieldValue('kind', k)}
            data={EVENT_KINDS.map((k) => ({
              value: k,
              label: (
                <span className="cal-kind-option" data-kind={k}>
                  <span className="cal-kind-dot" style={{ background: KIND_COLORS[k].bg }} />
                  {t(`cal.kind.${k}`)}
                </span>
              ),
            }))}
          />
        </Field>
        <TextInput
          label={t('cal.field.title')}
          withAsterisk
          data-testid="event-title"
          {...form.getInputProps('title')}
        />
        <Checkbox
          label={t('cal.field.allDay')}
          data-testid="event-all-day"
          {...form.getInputProps('allDay', { type: 'checkbox' })}
        />
        {v.allDay ? (
          <Group grow align="flex-start">
            <TextInput type="date" label={t('cal.field.startDate')} {...form.getInputProps('startDate')} />
            <TextInput type="date" label={t('cal.field.endDate')} {...form.getInputProps('endDate')} />
          </Group>
        ) : (
          <Group grow align="flex-start">
            <TextInput
              type="datetime-local"
              label={t('cal.field.start')}
              data-testid="event-start"
              {...form.getInputProps('start')}
              onChange={(e) => {
                const next = e.currentTarget.value;
                // the end keeps the duration when the start moves
                const dur = Date.parse(v.end) - Date.parse(v.start);
                form.setFieldValue('start', next);
                if (next && Number.isFinite(dur) && dur >= 0)
                  form.setFieldValue('end', isoToWall(new Date(Date.parse(next) + dur), browserTimeZone()));
              }}
            />
            <TextInput
              type="datetime-local"
              label={t('cal.field.end')}
              data-testid="event-end"
              {...form.getInputProps('end')}
            />
          </Group>
        )}
        <Select
          label={t('cal.field.timeZone')}
          searchable
          data={zones}
          value={v.timeZone}
          onChange={(z) => z && form.setFieldValue('timeZone', z)}
          error={form.errors.timeZone}
          data-testid="event-time-zone"
        />
        {event && parseRrule(event.rrule) === null ? (
          <p className="muted small">{t('cal.customRule', { rule: event.rrule ?? '' })}</p>
        ) : (
          <fieldset className="cal-fieldset">
            <legend>{t('cal.field.repeat')}</legend>
            <NativeSelect
              aria-label={t('cal.field.repeat')}
              data-testid="event-repeat"
              data={(['none', 'daily', 'weekly', 'monthly'] as const).map((f) => ({
                value: f,
                label: t(`cal.freq.${f}`),
              }))}
              {...form.getInputProps('freq')}
            />
            {v.freq === 'weekly' ? (
              <Chip.Group multiple value={v.byDay} onChange={(d) => form.setFieldValue('byDay', d)}>
                <Group gap={4} mt="xs" data-testid="event-weekdays">
                  {WEEKDAYS.map((d) => (
                    <Chip key={d} value={d} size="xs">
                      {weekdayNames[d]}
                    </Chip>
                  ))}
                </Group>
              </Chip.Group>
            ) : null}
            {v.freq !== 'none' ? (
              <Radio.Group
                mt="xs"
                label={t('cal.field.ends')}
                value={v.endType}
                onChange={(x) => form.setFieldValue('endType', x)}
              >
                <Group gap="md" mt={4}>
                  <Radio value="never" label={t('cal.ends.never')} />
                  <Radio value="on" label={t('cal.ends.on')} />
                  <Radio value="after" label={t('cal.ends.after')} />
                </Group>
              </Radio.Group>
            ) : null}
            {v.freq !== 'none' && v.endType === 'on' ? (
              <TextInput type="date" mt="xs" aria-label={t('cal.ends.on')} {...form.getInputProps('until')} />
            ) : null}
            {v.freq !== 'none' && v.endType === 'after' ? (
              <NumberInput
                mt="xs"
                min={1}
                max={1000}
                aria-label={t('cal.ends.after')}
                suffix={` ${t('cal.times')}`}
                {...form.getInputProps('count')}
              />
            ) : null}
            {form.errors.freq ? <div className="field-error">{form.errors.freq}</div> : null}
          </fieldset>
        )}
        <fieldset className="cal-fieldset" data-testid="event-reminders">
          <legend>{t('cal.field.reminders')}</legend>
          <Group gap={6}>
            {[...new Set([...PRESETS, ...v.reminders])]
              .sort((a, b) => a - b)
              .map((m) => (
                <Chip key={m} size="xs" checked={v.reminders.includes(m)} onChange={() => toggleReminder(m)}>
                  {reminderText(m, t)}
                </Chip>
              ))}
          </Group>
          <Group gap={6} mt="xs" align="flex-end">
            <NumberInput
              w={90}
              min={1}
              aria-label={t('cal.reminder.custom')}
              value={customAmount}
              onChange={setCustomAmount}
            />
            <NativeSelect
              aria-label={t('cal.reminder.unit')}
              value={customUnit}
              onChange={(e) => setCustomUnit(e.currentTarget.value as keyof typeof UNITS)}
              data={(Object.keys(UNITS) as (keyof typeof UNITS)[]).map((u) => ({
                value: u,
                label: t(`cal.unit.${u}`),
              }))}
            />
            <MButton
              variant="light"
              size="sm"
              disabled={!Number(customAmount) || v.reminders.length >= 5}
              onClick={() => {
                const m = Math.round(Number(customAmount) * UNITS[customUnit]);
                if (m > 0 && !v.reminders.includes(m)) form.setFieldValue('reminders', [...v.reminders, m]);
              }}
            >
              {t('cal.reminder.add')}
            </MButton>
          </Group>
          {form.errors.reminders ? <div className="field-error">{form.errors.reminders}</div> : null}
        </fieldset>
        <TextInput label={t('cal.field.location')} {...form.getInputProps('location')} />
        <Field label={t('cal.field.client')} htmlFor="event-client" error={(form.errors.clientId as string) || null}>
          <ClientPicker
            id="event-client"
            value={client}
            onChange={(c) => {
              setClient(c);
              form.setFieldValue('contactId', '');
              if (!c) form.setFieldValue('dealId', '');
            }}
          />
        </Field>
        {client ? (
          <Group grow align="flex-start">
            <NativeSelect
              label={t('cal.field.contact')}
              data-testid="event-contact"
              data={[
                { value: '', label: t('common.noneOption') },
                ...(contacts.data ?? []).map((c) => ({ value: c.id, label: c.name })),
              ]}
              {...form.getInputProps('contactId')}
            />
            <NativeSelect
              label={t('cal.field.deal')}
              data-testid="event-deal"
              data={[
                { value: '', label: t('common.noneOption') },
                ...(deals.data ?? []).map((d) => ({ value: d.id, label: d.title })),
                ...(v.dealId && !(deals.data ?? []).some((d) => d.id === v.dealId)
                  ? [{ value: v.dealId, label: event?.dealTitle ?? '…' }]
                  : []),
              ]}
              {...form.getInputProps('dealId')}
            />
          </Group>
        ) : null}
        <MultiSelect
          label={t('cal.field.participants')}
          searchable
          data-testid="event-participants"
          data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
          {...form.getInputProps('participantUserIds')}
        />
        <Textarea label={t('cal.field.description')} autosize minRows={2} {...form.getInputProps('description')} />
      </form>
    </Dialog>
  );
}

/** The result form (when a result is due) and cancelling, beside the dialog's buttons. */
function EventActions({
  event,
  occurrence,
  onDone,
}: {
  event: CalendarEvent;
  occurrence?: string;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const cancel = useCancelEvent();
  const [error, setError] = useState<unknown>(null);
  const due = occurrence ? event.resultsDue.find((d) => Date.parse(d) === Date.parse(occurrence)) : event.resultsDue[0];
  const cancelled =
    event.status === 'cancelled' ||
    (!!occurrence && event.cancelledOccurrences.some((d) => Date.parse(d) === Date.parse(occurrence)));
  return (
    <div className="cal-event-actions">
      {error ? <ErrorBox error={error} /> : null}
      {due ? (
        <Button
          variant="primary"
          icon="check"
          data-testid="event-record-result"
          onClick={() =>
            navigate(`/calendar?${new URLSearchParams({ event: event.id, occurrence: due, result: '1' }).toString()}`)
          }
        >
          {t('cal.result.open')}
        </Button>
      ) : null}
      {event.canEdit && !cancelled ? (
        <Button
          variant="danger"
          busy={cancel.isPending}
          data-testid="event-cancel"
          onClick={() => {
            setError(null);
            cancel
              .mutateAsync({ id: event.id, occurrence: event.rrule ? occurrence : undefined, version: event.version })
              .then(() => {
                toast('ok', t('cal.cancelledToast'));
                onDone();
              })
              .catch(setError);
          }}
        >
          {event.rrule && occurrence ? t('cal.cancelOccurrence') : t('cal.cancelEvent')}
        </Button>
      ) : null}
    </div>
  );
}
