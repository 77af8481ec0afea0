/**
 * Plan periods in the web app: the same pure rules as the server (modules/plans/periods.ts: a day 2026-12-01, an ISO
 * week 2026-W49, a month 2026-12), the previous and next period, the parts a period is split into for the grid's
 * columns, a label in the user's language, and the picker (kind, ‹ period ›) every plans page shares.
 */
import { SegmentedControl } from '@mantine/core';
import { useI18n } from '../../i18n/index.js';
import { Icon } from '../../ui.js';
import {
  addDays,
  parsePeriod,
  periodsInside,
  type Period,
  type PlanPeriodKind,
} from '../../../../modules/plans/periods.js';

export { parsePeriod, periodsInside, type Period, type PlanPeriodKind };

const pad = (n: number) => String(n).padStart(2, '0');
const todayIso = () => {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

/** The period of a kind holding a date (today by default). */
export function periodOf(kind: PlanPeriodKind, date = todayIso()): string {
  if (kind === 'day') return date;
  if (kind === 'month') return date.slice(0, 7);
  return periodsInside(parsePeriod(addDays(date, -((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7)))!, 'week')[0]
    .key;
}

export const kindOf = (key: string): PlanPeriodKind => {
  const p = parsePeriod(key);
  return p && (p.kind === 'day' || p.kind === 'week' || p.kind === 'month') ? p.kind : 'month';
};

/** The period `n` periods after this one (negative: before). */
export function shiftPeriod(key: string, n: number): string {
  const p = parsePeriod(key);
  if (!p) return key;
  if (p.kind === 'day') return addDays(p.start, n);
  if (p.kind === 'week') return periodOf('week', addDays(p.start, 7 * n));
  const [y, m] = p.start.split('-').map(Number);
  const t = y * 12 + (m - 1) + n;
  return `${Math.floor(t / 12)}-${pad((t % 12) + 1)}`;
}

/** The parts a plan period is shown in: the days of a week, the weeks of a month, the day itself. */
export function partsOf(key: string): Period[] {
  const p = parsePeriod(key);
  if (!p) return [];
  if (p.kind === 'week') return periodsInside(p, 'day');
  if (p.kind === 'month') {
    // the weeks touching the month, each cut to the month
    const out: Period[] = [];
    let start = p.start;
    while (start < p.end) {
      const week = parsePeriod(periodOf('week', start))!;
      const end = week.end < p.end ? week.end : p.end;
      out.push({ kind: 'week', key: week.key, start, end });
      start = end;
    }
    return out;
  }
  return [p];
}

/** The part a date falls into. */
export const partOf = (parts: Period[], date: string) => parts.find((x) => date >= x.start && date < x.end) ?? null;

export function usePeriodLabel() {
  const { locale, date } = useI18n();
  const tag = locale === 'ru' ? 'ru-RU' : 'en-US';
  return (key: string, short = false) => {
    const p = parsePeriod(key);
    if (!p) return key;
    if (p.kind === 'month' || p.kind === 'quarter' || p.kind === 'year') {
      if (p.kind !== 'month') return key;
      return new Intl.DateTimeFormat(tag, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
        new Date(`${p.start}T00:00:00Z`),
      );
    }
    if (p.kind === 'day') return date(p.start);
    const f = new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', timeZone: 'UTC' });
    const range = `${f.format(new Date(`${p.start}T00:00:00Z`))} – ${f.format(new Date(`${addDays(p.end, -1)}T00:00:00Z`))}`;
    return short ? range : `${key.slice(5)} · ${range}`;
  };
}

/** The label of a part of a period (a grid column): a day, or a week cut to the month. */
export function usePartLabel() {
  const { locale } = useI18n();
  const tag = locale === 'ru' ? 'ru-RU' : 'en-US';
  return (part: Period) => {
    const f = new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', timeZone: 'UTC' });
    const a = f.format(new Date(`${part.start}T00:00:00Z`));
    if (part.kind === 'day') {
      const wd = new Intl.DateTimeFormat(tag, { weekday: 'short', timeZone: 'UTC' });
      return `${wd.format(new Date(`${part.start}T00:00:00Z`))} ${a}`;
    }
    const last = addDays(part.end, -1);
    return last === part.start ? a : `${a}–${new Date(`${last}T00:00:00Z`).getUTCDate()}`;
  };
}

/** Day, week or month, then the previous and next period around the one shown. */
export function PeriodPicker({ period, onChange }: { period: string; onChange: (period: string) => void }) {
  const { t } = useI18n();
  const label = usePeriodLabel();
  const kind = kindOf(period);
  return (
    <div className="plan-period" data-testid="period-picker">
      <SegmentedControl
        size="xs"
        value={kind}
        onChange={(k) => onChange(periodOf(k, parsePeriod(period)?.start))}
        data={[
          { value: 'day', label: t('plans.kind.day') },
          { value: 'week', label: t('plans.kind.week') },
          { value: 'month', label: t('plans.kind.month') },
        ]}
        aria-label={t('plans.periodKind')}
      />
      <button
        type="button"
        className="icon-btn"
        aria-label={t('plans.previousPeriod')}
        onClick={() => onChange(shiftPeriod(period, -1))}
        data-testid="period-prev"
      >
        <Icon name="chevronLeft" />
      </button>
      <strong className="plan-period-label" data-testid="period-label" data-period={period}>
        {label(period)}
      </strong>
      <button
        type="button"
        className="icon-btn"
        aria-label={t('plans.nextPeriod')}
        onClick={() => onChange(shiftPeriod(period, 1))}
        data-testid="period-next"
      >
        <Icon name="chevronRight" />
      </button>
    </div>
  );
}
