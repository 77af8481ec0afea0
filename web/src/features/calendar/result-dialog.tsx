/**
 * The result of an occurrence, on one screen: the outcome (offered for the event's kind), for a call how it went
 * (answered, no answer, busy, voicemail), a summary, and the next step: a follow-up pre-filled (same client and deal, a
 * call tomorrow at the same time), required unless the chosen outcome closes the matter.
 */
import { Checkbox, Group, Radio, SegmentedControl, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { ApiError } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Button, Dialog, Empty, ErrorBox, Loading, toast } from '../../ui.js';
import { KIND_COLORS, fieldErrors } from './calendar-labels.js';
import { InteractionFields } from './interaction-fields.js';
import {
  EVENT_KINDS,
  eventQuery,
  outcomesQuery,
  useRecordResult,
  type CalendarEvent,
  type Disposition,
  type EventKind,
} from './calendar-query.js';
import { browserTimeZone, followUpTimes, isoToWall, wallToIso } from './calendar-time.js';

export function ResultDialog({
  eventId,
  occurrence,
  onClose,
}: {
  eventId: string;
  occurrence?: string | null;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const event = useQuery(eventQuery(eventId));
  const outcomes = useQuery(outcomesQuery);
  const body =
    event.data && outcomes.data ? (
      <ResultForm event={event.data} occurrence={occurrence ?? null} onClose={onClose} />
    ) : event.error || outcomes.error ? (
      <ErrorBox error={event.error ?? outcomes.error} onRetry={() => void event.refetch()} />
    ) : (
      <Loading />
    );
  if (event.data && outcomes.data) return body;
  return (
    <Dialog title={t('cal.result.title')} onClose={onClose} testId="result-dialog">
      {body}
    </Dialog>
  );
}

function ResultForm({
  event,
  occurrence: asked,
  onClose,
}: {
  event: CalendarEvent;
  occurrence: string | null;
  onClose: () => void;
}) {
  const { t, dateTime } = useI18n();
  const outcomes = useQuery(outcomesQuery).data ?? [];
  const offered = outcomes.filter((o) => o.kind === event.kind && !o.archived);
  // the occurrence asked for (by its instant, whatever its spelling), else the first one awaiting a result
  const occurrence = useMemo(() => {
    if (asked) {
      const ms = Date.parse(asked);
      return event.resultsDue.find((d) => Date.parse(d) === ms) ?? asked;
    }
    return event.resultsDue[0] ?? null;
  }, [asked, event.resultsDue]);
  const duration = Date.parse(event.endsAt) - Date.parse(event.startsAt);
  const occEnd = occurrence ? new Date(Date.parse(occurrence) + duration).toISOString() : event.endsAt;
  const tz = browserTimeZone();
  const first = followUpTimes(occurrence ?? event.startsAt, occEnd);

  const [outcomeId, setOutcomeId] = useState('');
  const [disposition, setDisposition] = useState<Disposition | ''>('');
  const [summary, setSummary] = useState('');
  const [planNext, setPlanNext] = useState(true);
  const [nextKind, setNextKind] = useState<EventKind>('call');
  const [nextTitle, setNextTitle] = useState(t('cal.result.followUpTitle', { title: event.title }));
  const [nextStart, setNextStart] = useState(isoToWall(first.startsAt, tz));
  const [nextEnd, setNextEnd] = useState(isoToWall(first.endsAt, tz));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [nextErrors, setNextErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const record = useRecordResult();

  const chosen = offered.find((o) => o.id === outcomeId);
  const closes = !!chosen?.closes;
  const needsNext = !!chosen && !closes;
  const due = !!occurrence && event.resultsDue.some((d) => Date.parse(d) === Date.parse(occurrence));

  const submit = async () => {
    setError(null);
    const errs: Record<string, string> = {};
    if (!chosen) errs.outcomeId = t('cal.error.outcomeId');
    if (needsNext && !planNext) errs.next = t('cal.error.next');
    setErrors(errs);
    setNextErrors({});
    if (Object.keys(errs).length) return;
    const withNext = planNext || needsNext;
    try {
      const r = await record.mutateAsync({
        id: event.id,
        body: {
          occurrence: occurrence ?? undefined,
          outcomeId,
          disposition: event.kind === 'call' && disposition ? disposition : null,
          summary: summary.trim(),
          next: withNext
            ? {
                kind: nextKind,
                title: nextTitle.trim(),
                description: '',
                startsAt: wallToIso(nextStart, tz),
                endsAt: wallToIso(nextEnd, tz),
                allDay: false,
                timeZone: tz,
                rrule: null,
                location: '',
                clientId: event.clientId,
                contactId: event.contactId,
                dealId: event.dealId,
                participantUserIds: [],
                participantContactIds: [],
                reminders: [15],
              }
            : null,
        },
      });
      toast('ok', r.nextEvent ? t('cal.result.savedWithNext') : t('cal.result.saved'));
      onClose();
    } catch (e) {
      const top = fieldErrors(e, t);
      const inNext = fieldErrors(e, t, 'next');
      setErrors(top);
      setNextErrors(inNext);
      if (!(e instanceof ApiError && e.code === 'VALIDATION_FAILED' && Object.keys(top).length)) setError(e);
    }
  };

  return (
    <Dialog
      title={t('cal.result.title')}
      subtitle={`${event.title} · ${dateTime(occurrence ?? event.startsAt)}`}
      onClose={onClose}
      busy={record.isPending}
      testId="result-dialog"
      footer={
        <>
          <Button onClick={onClose} disabled={record.isPending}>
            {t('common.cancel')}
          </Button>
          <Button
            variant="primary"
            busy={record.isPending}
            disabled={!due}
            onClick={() => void submit()}
            data-testid="result-save"
          >
            {t('cal.result.save')}
          </Button>
        </>
      }
    >
      <div className="form-grid cal-form">
        {!due ? <Empty icon="check">{t('cal.result.notDue')}</Empty> : null}
        <ErrorBox error={error} />
        <Radio.Group
          label={t('cal.result.outcome')}
          withAsterisk
          value={outcomeId}
          onChange={(id) => {
            setOutcomeId(id);
            const o = offered.find((x) => x.id === id);
            // an outcome that closes the matter needs no next step: offered, not asked for
            setPlanNext(!o?.closes);
          }}
          error={errors.outcomeId}
          data-testid="result-outcomes"
        >
          <Group gap="md" mt={4}>
            {offered.map((o) => (
              <Radio key={o.id} value={o.id} label={o.label} data-testid="result-outcome" data-closes={o.closes} />
            ))}
          </Group>
        </Radio.Group>
        <InteractionFields
          isCall={event.kind === 'call'}
          disposition={disposition}
          onDisposition={setDisposition}
          summary={summary}
          onSummary={setSummary}
          error={errors.disposition}
          testIds={{ disposition: 'result-disposition', summary: 'result-summary' }}
        />
        <fieldset className="cal-fieldset" data-testid="result-next">
          <legend>{t('cal.result.next')}</legend>
          <Checkbox
            label={needsNext ? t('cal.result.nextRequired') : t('cal.result.planNext')}
            checked={planNext || needsNext}
            disabled={needsNext}
            onChange={(e) => setPlanNext(e.currentTarget.checked)}
            data-testid="result-plan-next"
          />
          {errors.next ? (
            <div className="field-error" role="alert">
              {errors.next}
            </div>
          ) : null}
          {planNext || needsNext ? (
            <div className="form-grid" style={{ marginTop: 8 }}>
              <SegmentedControl
                fullWidth
                value={nextKind}
                onChange={(k) => setNextKind(k)}
                data={EVENT_KINDS.map((k) => ({
                  value: k,
                  label: (
                    <span className="cal-kind-option">
                      <span className="cal-kind-dot" style={{ background: KIND_COLORS[k].bg }} />
                      {t(`cal.kind.${k}`)}
                    </span>
                  ),
                }))}
              />
              <TextInput
                label={t('cal.field.title')}
                value={nextTitle}
                onChange={(e) => setNextTitle(e.currentTarget.value)}
                error={nextErrors.title}
                data-testid="result-next-title"
              />
              <Group grow align="flex-start">
                <TextInput
                  type="datetime-local"
                  label={t('cal.field.start')}
                  value={nextStart}
                  onChange={(e) => setNextStart(e.currentTarget.value)}
                  error={nextErrors.startsAt}
                  data-testid="result-next-start"
                />
                <TextInput
                  type="datetime-local"
                  label={t('cal.field.end')}
                  value={nextEnd}
                  onChange={(e) => setNextEnd(e.currentTarget.value)}
                  error={nextErrors.endsAt}
                />
              </Group>
            </div>
          ) : null}
        </fieldset>
      </div>
    </Dialog>
  );
}
