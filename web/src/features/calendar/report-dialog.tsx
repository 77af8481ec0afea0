/** "Write a report": an interaction that was not planned (a call, meeting, negotiation…), with its outcome. */
import { NativeSelect, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { newIdempotencyKey } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Button, Dialog, ErrorBox, Field, toast } from '../../ui.js';
import { ClientPicker, type ClientRef } from '../clients/client-picker.js';
import { clientDealsQuery } from '../clients/clients-query.js';
import { fieldErrors } from './calendar-labels.js';
import { InteractionFields } from './interaction-fields.js';
import { REPORT_KINDS, outcomesQuery, useCreateReport, type Disposition, type ReportKind } from './calendar-query.js';
import { browserTimeZone, isoToWall, wallToIso } from './calendar-time.js';

export function ReportDialog({
  client: initialClient = null,
  dealId: initialDeal = '',
  onClose,
}: {
  client?: ClientRef | null;
  dealId?: string;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const tz = browserTimeZone();
  const [kind, setKind] = useState<ReportKind>('call');
  const [at, setAt] = useState(isoToWall(new Date(), tz));
  const [client, setClient] = useState<ClientRef | null>(initialClient);
  const [dealId, setDealId] = useState(initialDeal);
  const [outcomeId, setOutcomeId] = useState('');
  const [disposition, setDisposition] = useState<Disposition | ''>('');
  const [summary, setSummary] = useState('');
  const [nextStep, setNextStep] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [key] = useState(newIdempotencyKey);
  const outcomes = useQuery(outcomesQuery);
  const deals = useQuery({ ...clientDealsQuery(client?.id ?? ''), enabled: !!client });
  const create = useCreateReport();
  // a negotiation takes any outcome: the meetings' are offered
  const offered = useMemo(
    () => (outcomes.data ?? []).filter((o) => !o.archived && o.kind === (kind === 'negotiation' ? 'meeting' : kind)),
    [outcomes.data, kind],
  );

  const submit = async () => {
    setError(null);
    if (!outcomeId) {
      setErrors({ outcomeId: t('cal.error.outcomeId') });
      return;
    }
    setErrors({});
    try {
      await create.mutateAsync({
        key,
        body: {
          kind,
          occurredAt: wallToIso(at, tz),
          clientId: client?.id ?? null,
          contactId: null,
          dealId: client && dealId ? dealId : null,
          participantUserIds: [],
          participantContactIds: [],
          disposition: kind === 'call' && disposition ? disposition : null,
          outcomeId,
          summary: summary.trim(),
          nextStep: nextStep.trim(),
        },
      });
      toast('ok', t('reports.saved'));
      onClose();
    } catch (e) {
      const f = fieldErrors(e, t);
      setErrors(f);
      if (!Object.keys(f).length) setError(e);
    }
  };

  return (
    <Dialog
      title={t('reports.write')}
      onClose={onClose}
      busy={create.isPending}
      testId="report-dialog"
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" busy={create.isPending} onClick={() => void submit()} data-testid="report-save">
            {t('common.save')}
          </Button>
        </>
      }
    >
      <div className="form-grid cal-form">
        <ErrorBox error={error} />
        <NativeSelect
          label={t('reports.kind')}
          value={kind}
          onChange={(e) => {
            setKind(e.currentTarget.value as ReportKind);
            setOutcomeId('');
          }}
          data={REPORT_KINDS.map((k) => ({ value: k, label: t(`reports.kind.${k}`) }))}
          data-testid="report-kind"
        />
        <TextInput
          type="datetime-local"
          label={t('reports.when')}
          value={at}
          onChange={(e) => setAt(e.currentTarget.value)}
          error={errors.occurredAt}
        />
        <Field label={t('cal.field.client')} htmlFor="report-client">
          <ClientPicker id="report-client" value={client} onChange={(c) => (setClient(c), setDealId(''))} />
        </Field>
        {client ? (
          <NativeSelect
            label={t('cal.field.deal')}
            value={dealId}
            onChange={(e) => setDealId(e.currentTarget.value)}
            error={errors.dealId}
            data={[
              { value: '', label: t('common.noneOption') },
              ...(deals.data ?? []).map((d) => ({ value: d.id, label: d.title })),
            ]}
          />
        ) : null}
        <NativeSelect
          label={t('cal.result.outcome')}
          withAsterisk
          value={outcomeId}
          onChange={(e) => setOutcomeId(e.currentTarget.value)}
          error={errors.outcomeId}
          data-testid="report-outcome"
          data={[
            { value: '', label: t('reports.pickOutcome') },
            ...offered.map((o) => ({ value: o.id, label: o.label })),
          ]}
        />
        <InteractionFields
          isCall={kind === 'call'}
          disposition={disposition}
          onDisposition={setDisposition}
          summary={summary}
          onSummary={setSummary}
          error={errors.disposition}
          testIds={{ summary: 'report-summary' }}
        />
        <TextInput
          label={t('reports.nextStep')}
          value={nextStep}
          onChange={(e) => setNextStep(e.currentTarget.value)}
        />
      </div>
    </Dialog>
  );
}
