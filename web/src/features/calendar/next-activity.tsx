/** A board card's next planned activity, compactly: the kind's mark and the date; or "No activity". */
import type { Deal } from '../../api.js';
import type { components } from '../../api/schema.js';
import { useI18n } from '../../i18n/index.js';
import { KIND_COLORS, KIND_GLYPH } from './calendar-labels.js';

type Next = components['schemas']['BoardCard']['nextActivity'];

export function NextActivity({ deal }: { deal: Deal & { nextActivity?: Next } }) {
  const { t, locale } = useI18n();
  const next = deal.nextActivity;
  if (next === undefined) return null;
  if (next === null)
    return (
      <span className="next-activity next-activity-none" data-testid="next-activity" data-none="true">
        {t('activity.none')}
      </span>
    );
  const when = new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-US', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(next.start));
  return (
    <span
      className="next-activity"
      data-testid="next-activity"
      data-kind={next.kind}
      title={`${t(`cal.kind.${next.kind}`)}: ${next.title}`}
    >
      <span className="next-activity-glyph" style={{ color: KIND_COLORS[next.kind].bg }} aria-hidden="true">
        {KIND_GLYPH[next.kind]}
      </span>
      <span className="sr-only">{t(`cal.kind.${next.kind}`)}</span>
      {when}
    </span>
  );
}
