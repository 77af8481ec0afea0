/**
 * The board's filter controls that need Mantine's heavier parts (a searchable select, a date range picker, a menu,
 * the checkboxes): their own chunk, loaded after the board's first paint (board-page.tsx draws look-alike
 * placeholders until then; the checkboxes' stand-ins are the browser's own, usable at once).
 */
import { ActionIcon, Checkbox, Menu, Select } from '@mantine/core';
import { DatePickerInput, type DatesRangeValue } from '@mantine/dates';
import 'dayjs/locale/ru';
import type { SavedFilter } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Icon } from '../../ui.js';

export function FilterCheckbox({
  label,
  checked,
  onChange,
  testId,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  testId: string;
}) {
  return (
    <Checkbox
      label={label}
      checked={checked}
      onChange={(e) => onChange(e.currentTarget.checked)}
      data-testid={testId}
    />
  );
}

export function OwnerSelect({
  data,
  value,
  onChange,
}: {
  data: { value: string; label: string }[];
  value: string;
  onChange: (v: string) => void;
}) {
  const { t } = useI18n();
  return (
    <Select
      data={data}
      value={value}
      onChange={(v) => onChange(v ?? '')}
      allowDeselect={false}
      searchable
      aria-label={t('filter.owner')}
      w={190}
      data-testid="filter-owner"
      comboboxProps={{ withinPortal: true }}
    />
  );
}

export function ClosePeriod({
  from,
  to,
  onChange,
}: {
  from: string;
  to: string;
  onChange: (from: string, to: string) => void;
}) {
  const { t, locale } = useI18n();
  const range: DatesRangeValue<string> = [from || null, to || null];
  return (
    <DatePickerInput
      type="range"
      value={range}
      locale={locale}
      valueFormat="D MMM YYYY"
      clearable
      w={230}
      onChange={(v) => onChange(v[0] ?? '', v[1] ?? '')}
      placeholder={t('filter.closePeriod')}
      aria-label={t('filter.closePeriod')}
      data-testid="filter-close"
    />
  );
}

/** Saved filters: apply one, remove one of mine, save the current filter (for me, or shared with my group). */
export function SavedFiltersMenu({
  trigger,
  saved,
  canSave,
  canShare,
  onApply,
  onRemove,
  onSave,
}: {
  trigger: React.ReactNode;
  saved: SavedFilter[];
  canSave: boolean;
  canShare: boolean;
  onApply: (s: SavedFilter) => void;
  onRemove: (s: SavedFilter) => void;
  onSave: (shared: boolean) => void;
}) {
  const { t } = useI18n();
  return (
    <Menu withinPortal position="bottom-end">
      <Menu.Target>{trigger}</Menu.Target>
      <Menu.Dropdown>
        {saved.length === 0 ? <Menu.Label>{t('filter.noneSaved')}</Menu.Label> : null}
        {saved.map((s) => (
          <Menu.Item
            key={s.id}
            data-testid="saved-filter"
            onClick={() => onApply(s)}
            leftSection={
              s.shared ? (
                <span role="img" aria-label={t('filter.sharedWithGroup')} title={t('filter.sharedWithGroup')}>
                  <Icon name="users" size={14} />
                </span>
              ) : null
            }
            rightSection={
              s.mine ? (
                <ActionIcon
                  component="span"
                  size="sm"
                  variant="subtle"
                  aria-label={t('filter.remove', { name: s.name })}
                  onClick={(e: React.MouseEvent) => {
                    e.stopPropagation();
                    onRemove(s);
                  }}
                >
                  <Icon name="x" size={14} />
                </ActionIcon>
              ) : (
                <span className="muted small">{t('filter.sharedBy', { name: s.ownerName })}</span>
              )
            }
          >
            {s.name}
          </Menu.Item>
        ))}
        <Menu.Divider />
        <Menu.Item onClick={() => onSave(false)} disabled={!canSave}>
          {t('filter.save')}
        </Menu.Item>
        {canShare ? (
          <Menu.Item onClick={() => onSave(true)} disabled={!canSave} data-testid="save-filter-shared">
            {t('filter.saveShared')}
          </Menu.Item>
        ) : null}
      </Menu.Dropdown>
    </Menu>
  );
}
