/** For an occurrence of a series: change this one, this and the following ones, or all of them. */
import { SegmentedControl } from '@mantine/core';
import { useI18n } from '../../i18n/index.js';
import { Button, Dialog } from '../../ui.js';

export type Scope = 'this' | 'following' | 'all';
const SCOPES: Scope[] = ['this', 'following', 'all'];

/** The choice inside a dialog (the event dialog's footer). */
export function ScopeChoice({ value, onChange }: { value: Scope; onChange: (s: Scope) => void }) {
  const { t } = useI18n();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('cal.scope.title')}
      data-testid="scope-choice"
      value={value}
      onChange={(s) => onChange(s)}
      data={SCOPES.map((s) => ({ value: s, label: t(`cal.scope.${s}`) }))}
    />
  );
}

/** Asked after a drag or a resize of a recurring occurrence. */
export function ScopePrompt({ onChoose, onCancel }: { onChoose: (s: Scope) => void; onCancel: () => void }) {
  const { t } = useI18n();
  return (
    <Dialog title={t('cal.scope.title')} onClose={onCancel} testId="scope-prompt">
      <p>{t('cal.scope.question')}</p>
      <div className="cal-scope-buttons">
        {SCOPES.map((s) => (
          <Button
            key={s}
            variant={s === 'this' ? 'primary' : 'secondary'}
            onClick={() => onChoose(s)}
            data-testid={`scope-${s}`}
          >
            {t(`cal.scope.${s}`)}
          </Button>
        ))}
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
      </div>
    </Dialog>
  );
}
