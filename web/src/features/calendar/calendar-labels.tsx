/** How the calendar names and marks things: kind colours (legend), reminder texts, the field errors of the server. */
import { ApiError } from '../../api.js';
import './calendar.css';
import { useI18n, type MessageKey, type T } from '../../i18n/index.js';
import type { EventKind } from './calendar-query.js';

/**
 * A colour per kind: the block's background with white text (contrast ≥ 4.5:1 on each of them) and a light tint for
 * the agenda's dot. The legend shows the same.
 */
export const KIND_COLORS: Record<EventKind, { bg: string; tint: string }> = {
  call: { bg: '#1d4ed8', tint: '#dbeafe' },
  meeting: { bg: '#7e22ce', tint: '#f3e8ff' },
  email: { bg: '#0f766e', tint: '#ccfbf1' },
  task: { bg: '#b45309', tint: '#fef3c7' },
};

/** A small glyph per kind (text, so it needs no icon set): ☎ call, 👥 meeting, ✉ email, ✓ task. */
export const KIND_GLYPH: Record<EventKind, string> = { call: '☎', meeting: '◉', email: '✉', task: '✓' };

export function KindLegend() {
  const { t } = useI18n();
  return (
    <ul className="cal-legend" data-testid="cal-legend" aria-label={t('cal.legend')}>
      {(Object.keys(KIND_COLORS) as EventKind[]).map((k) => (
        <li key={k} className="cal-legend-item">
          <span className="cal-kind-chip" style={{ background: KIND_COLORS[k].bg }} aria-hidden="true">
            {KIND_GLYPH[k]}
          </span>
          {t(`cal.kind.${k}`)}
        </li>
      ))}
      <li className="cal-legend-item">
        <span className="cal-due-mark" aria-hidden="true">
          !
        </span>
        {t('cal.resultDue')}
      </li>
      <li className="cal-legend-item">
        <s>{t('cal.cancelled')}</s>
      </li>
    </ul>
  );
}

/** "15 min", "1 hour", "2 days" before. */
export function reminderText(minutes: number, t: T): string {
  if (minutes > 0 && minutes % 1440 === 0) return t('cal.reminder.days', { count: minutes / 1440 });
  if (minutes > 0 && minutes % 60 === 0) return t('cal.reminder.hours', { count: minutes / 60 });
  return t('cal.reminder.minutes', { count: minutes });
}

/** The message of a field the server refused (errors[].path of a 400, `field` of a 422), in the user's language. */
const FIELD_MESSAGES: Record<string, MessageKey> = {
  title: 'cal.error.title',
  startsAt: 'cal.error.startsAt',
  endsAt: 'cal.error.endsAt',
  timeZone: 'cal.error.timeZone',
  rrule: 'cal.error.rrule',
  reminders: 'cal.error.reminders',
  outcomeId: 'cal.error.outcomeId',
  next: 'cal.error.next',
  disposition: 'cal.error.disposition',
};

/** The fields a problem names (first part of each path, under `prefix` when given) with their messages. */
export function fieldErrors(e: unknown, t: T, prefix?: string): Record<string, string> {
  if (!(e instanceof ApiError)) return {};
  const paths: string[] = [];
  if (typeof e.body.field === 'string') paths.push(e.body.field);
  if (Array.isArray(e.body.errors))
    for (const x of e.body.errors as { path?: unknown }[]) if (typeof x.path === 'string') paths.push(x.path);
  const out: Record<string, string> = {};
  for (const p of paths) {
    let parts = p.split('.');
    if (prefix) {
      if (parts[0] !== prefix) continue;
      parts = parts.slice(1);
    }
    const key = parts[0];
    if (!key || out[key]) continue;
    out[key] = t(FIELD_MESSAGES[key] ?? 'cal.error.other');
  }
  return out;
}
