/**
 * For administrators: the company's plan settings (GET/PUT /plan-settings) — whether a lead confirms plans line by
 * line, the submit and review deadlines (days from a period's first day), the period managers with no plan are
 * reminded for, the time zone periods are bounded in, and the roles beside administrators granted the company's
 * totals. A change is audited on the server.
 */
import { Chip, Group, NumberInput, Select, Stack, Switch } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useI18n } from '../../i18n/index.js';
import { Button, Card, ErrorBox, Loading, usePageTitle, useToast } from '../../ui.js';
import { planKeys, saveSettings, settingsQuery, type PlanSettings as Settings } from './plans-query.js';

type GrantedRole = Settings['companyTotalsRoles'][number];
const ROLES: GrantedRole[] = ['lead', 'manager', 'process_owner', 'member'];
const PERIODS: Settings['remindPeriod'][] = ['day', 'week', 'month'];

export function PlanSettingsPage() {
  const { t } = useI18n();
  usePageTitle(t('planSettings.title'));
  const q = useQuery(settingsQuery);
  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('planSettings.title')}</h1>
        </div>
      </header>
      <Card title={t('planSettings.card')} testId="plan-settings-card">
        <ErrorBox error={q.error} onRetry={() => void q.refetch()} />
        {q.isPending ? <Loading /> : q.data ? <SettingsForm key={q.data.version} initial={q.data} /> : null}
      </Card>
    </div>
  );
}

function SettingsForm({ initial }: { initial: Settings }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  // the runtime's list may leave out the aliases (e.g. UTC) a setting can hold
  const zones = useMemo(
    () => [...new Set([initial.timeZone, 'UTC', ...Intl.supportedValuesOf('timeZone')])],
    [initial.timeZone],
  );
  const form = useForm({ initialValues: initial });
  const save = useMutation({
    mutationFn: (v: Settings) => saveSettings(v),
    onSuccess: async () => {
      toast('ok', t('planSettings.saved'));
      await qc.invalidateQueries({ queryKey: planKeys.all });
    },
  });
  return (
    <form className="form-grid" noValidate onSubmit={form.onSubmit((v) => save.mutate(v))} data-testid="plan-settings">
      <Stack gap="md">
        <Switch
          label={t('planSettings.confirmation')}
          description={t('planSettings.confirmationHint')}
          data-testid="plan-confirmation"
          {...form.getInputProps('confirmation', { type: 'checkbox' })}
        />
        <Group gap="md" align="start">
          <NumberInput
            label={t('planSettings.submitDueDays')}
            description={t('planSettings.daysHint')}
            min={-366}
            max={366}
            allowDecimal={false}
            data-testid="plan-submit-days"
            {...form.getInputProps('submitDueDays')}
          />
          <NumberInput
            label={t('planSettings.reviewDueDays')}
            description={t('planSettings.daysHint')}
            min={-366}
            max={366}
            allowDecimal={false}
            data-testid="plan-review-days"
            {...form.getInputProps('reviewDueDays')}
          />
        </Group>
        <Group gap="md" align="start">
          <Select
            label={t('planSettings.remindPeriod')}
            data={PERIODS.map((p) => ({ value: p, label: t(`plans.kind.${p}`) }))}
            allowDeselect={false}
            {...form.getInputProps('remindPeriod')}
          />
          <Select
            label={t('planSettings.timeZone')}
            data={zones}
            searchable
            allowDeselect={false}
            {...form.getInputProps('timeZone')}
          />
        </Group>
        <div>
          <p className="small">{t('planSettings.companyTotalsRoles')}</p>
          <p className="muted small">{t('planSettings.companyTotalsHint')}</p>
          <Chip.Group multiple {...form.getInputProps('companyTotalsRoles')}>
            <Group gap="xs" aria-label={t('planSettings.companyTotalsRoles')}>
              {ROLES.map((r) => (
                <Chip key={r} value={r} data-testid={`totals-role-${r}`}>
                  {t(`role.${r}`)}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
        </div>
        <ErrorBox error={save.error} />
        <div className="form-actions">
          <Button variant="primary" type="submit" busy={save.isPending} data-testid="plan-settings-save">
            {save.isPending ? t('common.saving') : t('common.save')}
          </Button>
        </div>
      </Stack>
    </form>
  );
}
