/**
 * A board card's next planned activity, in the card's top row so the card keeps its height: the kind's mark and the
 * day (the title and time in its tooltip); or a muted mark whose tooltip and screen-reader text say "No activity".
 */
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
      <span
        className="next-activity next-activity-none"
        data-testid="next-activity"
        data-none="true"
        title={t('activity.none')}
      >
        <span aria-hidden="true">∅</span>
        <span className="sr-only">{t('activity.none')}</span>
      </span>
    );
  const tag = locale === 'ru' ? 'ru-RU' : 'en-US';
  const start = new Date(next.start);
  const when = new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short' }).format(start);
  const time = new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit' }).format(start);
  return (
    <span
      className="next-activity"
      data-testid="next-activity"
      data-kind={next.kind}
      title={`${t(`cal.kind.${next.kind}`)}, ${when} ${time}: ${next.title}`}
    >
      <span className="next-activity-glyph" style={{ color: KIND_COLORS[next.kind].bg }} aria-hidden="true">
        {KIND_GLYPH[next.kind]}
      </span>
      <span className="sr-only">{t(`cal.kind.${next.kind}`)}</span>
      {when}
    </span>
  );
}
