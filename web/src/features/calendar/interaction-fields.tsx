/** The fields a result and a report share: a call's disposition and the summary of what was said. */
import { SegmentedControl, Textarea } from '@mantine/core';
import { useI18n } from '../../i18n/index.js';
import { Field } from '../../ui.js';
import { DISPOSITIONS, type Disposition } from './calendar-query.js';

export function InteractionFields({
  isCall,
  disposition,
  onDisposition,
  summary,
  onSummary,
  error,
  testIds,
}: {
  isCall: boolean;
  disposition: Disposition | '';
  onDisposition: (d: Disposition) => void;
  summary: string;
  onSummary: (s: string) => void;
  error?: string | null;
  testIds: { disposition?: string; summary: string };
}) {
  const { t } = useI18n();
  return (
    <>
      {isCall ? (
        <Field label={t('cal.result.disposition')} error={error}>
          <SegmentedControl
            fullWidth
            data-testid={testIds.disposition}
            value={disposition}
            onChange={(d) => onDisposition(d as Disposition)}
            data={DISPOSITIONS.map((d) => ({ value: d, label: t(`cal.disposition.${d}`) }))}
          />
        </Field>
      ) : null}
      <Textarea
        label={t('cal.result.summary')}
        autosize
        minRows={3}
        value={summary}
        onChange={(e) => onSummary(e.currentTarget.value)}
        data-testid={testIds.summary}
      />
    </>
  );
}
