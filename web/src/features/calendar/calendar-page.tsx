/**
 * The calendar (/calendar): day, week, month and agenda views of the occurrences the user picks (mine, a colleague's,
 * my group's), coloured by kind; click or drag over a slot to plan, drag to move and resize to change the duration
 * (a series asks this / following / all); the counters above. `?event=<id>` opens an event, `&result=1` its result
 * form (notifications link there). This page is its own chunk: FullCalendar loads with it only.
 */
import FullCalendar from '@fullcalendar/react';
import classicTheme from '@fullcalendar/react/themes/classic';
import dayGridPlugin from '@fullcalendar/react/daygrid';
import interactionPlugin from '@fullcalendar/react/interaction';
import listPlugin from '@fullcalendar/react/list';
import timeGridPlugin from '@fullcalendar/react/timegrid';
import ruLocale from '@fullcalendar/react/locales/ru';
import type { EventChangeInfo, EventInput, LocaleInput } from '@fullcalendar/react';
import '@fullcalendar/react/skeleton.css';
import '@fullcalendar/react/themes/classic/theme.css';
import '@fullcalendar/react/themes/classic/palette.css';
import { SegmentedControl, Select } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate, useLocation } from '../../router.js';
import { useSession } from '../../session.js';
import { Button, ErrorBox, useErrorText, toast, usePageTitle } from '../../ui.js';
import { CalendarCounters } from './calendar-counters.js';
import { KIND_COLORS, KIND_GLYPH, KindLegend } from './calendar-labels.js';
import {
  eventQuery,
  occurrencesQuery,
  useEditEvent,
  useUsers,
  type CalendarEvent,
  type Occurrence,
} from './calendar-query.js';
import { EventDialog, type EventDefaults } from './event-dialog.js';
import { ResultDialog } from './result-dialog.js';
import { ScopePrompt, type Scope } from './scope-prompt.js';

const PHONE = '(max-width: 640px)';

interface PendingChange {
  occ: Occurrence;
  info: EventChangeInfo;
}

export function CalendarPage() {
  const { t, locale } = useI18n();
  const { user } = useSession();
  const { query } = useLocation();
  usePageTitle(t('cal.title'));
  const errorText = useErrorText();
  const [owner, setOwner] = useState<string>('me');
  const [range, setRange] = useState<{ from: string; to: string } | null>(null);
  const [view, setView] = useState('');
  const [creating, setCreating] = useState<EventDefaults | null>(null);
  const [pending, setPending] = useState<PendingChange | null>(null);
  const users = useUsers();
  const edit = useEditEvent();
  const phone = useMemo(() => window.matchMedia(PHONE).matches, []);
  const isLead = user?.role === 'lead' || user?.role === 'admin';

  const occurrences = useQuery({
    ...occurrencesQuery({ from: range?.from ?? '', to: range?.to ?? '', owner }),
    enabled: !!range,
    placeholderData: keepPreviousData,
  });

  const openEventId = query.get('event');
  const openOccurrence = query.get('occurrence');
  const openResult = query.get('result') === '1';
  const closeUrl = () => navigate('/calendar', { replace: true });

  const events = useMemo<EventInput[]>(
    () =>
      (occurrences.data ?? []).map((o) => ({
        id: `${o.eventId}|${o.occurrence}`,
        title: o.title,
        start: o.start,
        end: o.end,
        allDay: o.allDay,
        color: KIND_COLORS[o.kind].bg,
        contrastColor: '#ffffff',
        editable: !o.cancelled,
        class: `cal-ev cal-ev-${o.kind} ${o.cancelled ? 'cal-ev-cancelled' : ''} ${o.resultDue ? 'cal-ev-due' : ''}`,
        extendedProps: { occ: o },
      })),
    [occurrences.data],
  );

  const applyChange = async ({ occ, info }: PendingChange, scope: Scope) => {
    const start = info.event.start!;
    const end = info.event.end ?? new Date(start.getTime() + (Date.parse(occ.end) - Date.parse(occ.start)));
    const allDay = info.event.allDay;
    try {
      let startsAt = start.toISOString();
      let endsAt = end.toISOString();
      let version = occ.version;
      if (occ.recurring && scope === 'all') {
        // the series moves by as much as the occurrence did
        const series = await api.get<CalendarEvent>(`/calendar/events/${occ.eventId}`);
        startsAt = new Date(Date.parse(series.startsAt) + (start.getTime() - Date.parse(occ.start))).toISOString();
        endsAt = new Date(Date.parse(series.endsAt) + (end.getTime() - Date.parse(occ.end))).toISOString();
        version = series.version;
      }
      await edit.mutateAsync({
        id: occ.eventId,
        body: {
          changes: { startsAt, endsAt, allDay },
          version,
          ...(occ.recurring ? { scope, occurrence: occ.occurrence } : {}),
        },
      });
      toast('ok', t('cal.moved'));
    } catch (e) {
      info.revert();
      toast('error', errorText(e));
    }
  };

  const onChange = (info: EventChangeInfo) => {
    const occ = (info.event.extendedProps as { occ: Occurrence }).occ;
    if (occ.recurring) setPending({ occ, info });
    else void applyChange({ occ, info }, 'all');
  };

  const ownerOptions = (users.data ?? []).filter((u) => u.id !== user?.id).map((u) => ({ value: u.id, label: u.name }));

  return (
    <div className="page page-calendar" data-testid="calendar-page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('cal.title')}</h1>
        </div>
        <div className="cal-header-actions">
          <Link to="/reports" className="link" data-testid="reports-link">
            {t('reports.title')}
          </Link>
          <Button variant="primary" icon="plus" onClick={() => setCreating({})} data-testid="cal-new">
            {t('cal.newEvent')}
          </Button>
        </div>
      </header>
      <CalendarCounters />
      <div className="toolbar cal-toolbar">
        <SegmentedControl
          size="sm"
          aria-label={t('cal.owner.label')}
          data-testid="cal-owner"
          value={owner === 'me' || owner === 'group' ? owner : 'other'}
          onChange={(v) => v !== 'other' && setOwner(v)}
          data={[
            { value: 'me', label: t('cal.owner.me') },
            ...(isLead ? [{ value: 'group', label: t('cal.owner.group') }] : []),
            { value: 'other', label: t('cal.owner.colleague'), disabled: true },
          ]}
        />
        <Select
          size="sm"
          searchable
          clearable
          w={220}
          aria-label={t('cal.owner.colleague')}
          placeholder={t('cal.owner.pick')}
          data={ownerOptions}
          value={owner !== 'me' && owner !== 'group' ? owner : null}
          onChange={(v) => setOwner(v ?? 'me')}
          data-testid="cal-owner-user"
        />
        <div className="toolbar-spacer" />
        <KindLegend />
      </div>
      <ErrorBox error={occurrences.error} onRetry={() => void occurrences.refetch()} />
      <div
        className="cal-wrap"
        data-testid="calendar"
        data-view={view}
        data-loading={occurrences.isFetching || undefined}
      >
        <FullCalendar
          plugins={[classicTheme, dayGridPlugin, timeGridPlugin, listPlugin, interactionPlugin]}
          initialView={phone ? 'listWeek' : 'timeGridWeek'}
          initialDate={/^\d{4}-\d{2}-\d{2}$/.test(query.get('date') ?? '') ? query.get('date')! : undefined}
          locale={locale === 'ru' ? (ruLocale as LocaleInput) : 'en'}
          firstDay={locale === 'ru' ? 1 : 0}
          headerToolbar={
            phone
              ? { start: 'prev,next', center: 'title', end: 'listWeek,timeGridDay,dayGridMonth' }
              : { start: 'prev,next today', center: 'title', end: 'timeGridDay,timeGridWeek,dayGridMonth,listWeek' }
          }
          todayText={t('cal.today')}
          dayText={t('cal.view.day')}
          weekTextLong={t('cal.view.week')}
          weekTextShort={t('cal.view.week')}
          monthText={t('cal.view.month')}
          listText={t('cal.view.agenda')}
          // the buttons' accessible names say what their text says
          todayHint={t('cal.today')}
          viewHint={(text: string) => text}
          height="auto"
          nowIndicator
          selectable
          selectMirror
          editable
          eventResizableFromStart={false}
          scrollTime="08:00:00"
          events={events}
          datesSet={(d) => {
            const from = d.start.toISOString();
            const to = d.end.toISOString();
            setRange((r) => (r?.from === from && r.to === to ? r : { from, to }));
            setView(d.view.type);
          }}
          select={(s) => {
            setCreating({ start: s.start, end: s.end, allDay: s.allDay });
          }}
          eventClick={(info) => {
            info.jsEvent.preventDefault();
            const occ = (info.event.extendedProps as { occ: Occurrence }).occ;
            const q = new URLSearchParams({ event: occ.eventId, occurrence: occ.occurrence });
            if (occ.resultDue) q.set('result', '1');
            navigate(`/calendar?${q.toString()}`);
          }}
          eventDrop={onChange}
          eventResize={onChange}
          eventContent={(arg) => {
            const occ = (arg.event.extendedProps as { occ?: Occurrence }).occ;
            if (!occ) return arg.event.title;
            return (
              <span
                className="cal-ev-body"
                data-testid="cal-event"
                data-event-id={occ.eventId}
                data-kind={occ.kind}
                data-cancelled={occ.cancelled || undefined}
                data-result-due={occ.resultDue || undefined}
                title={`${t(`cal.kind.${occ.kind}`)}: ${occ.title}${occ.dealTitle ? ` · ${occ.dealTitle}` : ''}`}
              >
                <span className="cal-ev-glyph" aria-hidden="true">
                  {KIND_GLYPH[occ.kind]}
                </span>
                {arg.timeText ? <span className="cal-ev-time">{arg.timeText}</span> : null}
                <span className="cal-ev-title">{occ.title}</span>
                {occ.resultDue ? (
                  <span className="cal-due-mark" title={t('cal.resultDue')} aria-label={t('cal.resultDue')}>
                    !
                  </span>
                ) : null}
                {occ.cancelled ? <span className="sr-only">{t('cal.cancelled')}</span> : null}
              </span>
            );
          }}
        />
      </div>
      {creating ? (
        <EventDialog
          defaults={{ ...creating, ownerId: owner !== 'me' && owner !== 'group' ? owner : undefined }}
          onClose={() => setCreating(null)}
          onSaved={() => toast('ok', t('cal.created'))}
        />
      ) : null}
      {openEventId && openResult ? (
        <ResultDialog eventId={openEventId} occurrence={openOccurrence} onClose={closeUrl} />
      ) : openEventId ? (
        <OpenEvent id={openEventId} occurrence={openOccurrence} onClose={closeUrl} />
      ) : null}
      {pending ? (
        <ScopePrompt
          onCancel={() => {
            pending.info.revert();
            setPending(null);
          }}
          onChoose={(s) => {
            setPending(null);
            void applyChange(pending, s);
          }}
        />
      ) : null}
    </div>
  );
}

/** `?event=<id>`: the event in its dialog, with its result form when one is due, and cancelling. */
function OpenEvent({ id, occurrence, onClose }: { id: string; occurrence: string | null; onClose: () => void }) {
  const ev = useQuery(eventQuery(id));
  if (ev.error) return <ErrorBox error={ev.error} onRetry={() => void ev.refetch()} />;
  if (!ev.data) return null;
  return <EventDialog event={ev.data} occurrence={occurrence ?? undefined} onClose={onClose} withActions />;
}
