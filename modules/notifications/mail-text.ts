/**
 * A notification as a short email: a subject, a few lines of text and the link to it in the web app, in the
 * addressee's language (users.locale) and time zone (users.time_zone, else UTC). Pure: no I/O.
 */

export interface MailNotification {
  kind: string;
  recordType: string | null;
  recordId: string | null;
  data: Record<string, unknown>;
  /** the name of data.ownerId's user (an escalation: whose result is overdue) */
  ownerName: string | null;
}

export interface MailRecipient {
  email: string;
  name: string;
  /** en or ru (users.locale) */
  locale: string;
  timeZone: string | null;
}

export interface MailText {
  subject: string;
  text: string;
  /** where the notification opens in the web app */
  link: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Where a notification opens in the web app: the calendar on its event and occurrence (the result form for a result due). */
export function notificationLink(n: MailNotification, publicUrl: string): string {
  const base = publicUrl.replace(/\/+$/, '');
  if (n.recordType !== 'event' || !n.recordId) return `${base}/`;
  const q = new URLSearchParams({ event: n.recordId });
  if (str(n.data.occurrence)) q.set('occurrence', str(n.data.occurrence));
  if (n.kind === 'result_due') q.set('result', '1');
  return `${base}/calendar?${q.toString()}`;
}

function when(iso: string, locale: string, timeZone: string | null): string {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  const opts: Intl.DateTimeFormatOptions = {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  };
  try {
    return new Intl.DateTimeFormat(locale, { ...opts, timeZone: timeZone ?? 'UTC' }).format(d);
  } catch {
    // a time zone this runtime does not know
    return new Intl.DateTimeFormat(locale, { ...opts, timeZone: 'UTC' }).format(d);
  }
}

const EN_KIND: Record<string, string> = { call: 'call', meeting: 'meeting', email: 'email', task: 'task' };
const RU_KIND: Record<string, string> = { call: 'Звонок', meeting: 'Встреча', email: 'Письмо', task: 'Задача' };

function enIn(minutes: number): string {
  if (minutes <= 0) return 'now';
  if (minutes % 1440 === 0) return `in ${minutes / 1440} ${minutes === 1440 ? 'day' : 'days'}`;
  if (minutes % 60 === 0) return `in ${minutes / 60} ${minutes === 60 ? 'hour' : 'hours'}`;
  return `in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}

function ruForm(n: number, one: string, few: string, many: string): string {
  const form = new Intl.PluralRules('ru').select(n);
  return `${n} ${form === 'one' ? one : form === 'few' ? few : many}`;
}

function ruIn(minutes: number): string {
  if (minutes <= 0) return 'сейчас';
  if (minutes % 1440 === 0) return `через ${ruForm(minutes / 1440, 'день', 'дня', 'дней')}`;
  if (minutes % 60 === 0) return `через ${ruForm(minutes / 60, 'час', 'часа', 'часов')}`;
  return `через ${ruForm(minutes, 'минуту', 'минуты', 'минут')}`;
}

/** The email of one notification to one user; null for a kind that is not mailed. */
export function renderNotificationMail(n: MailNotification, to: MailRecipient, publicUrl: string): MailText | null {
  const ru = to.locale === 'ru';
  const title = str(n.data.title) || (ru ? 'Без названия' : 'Untitled');
  const at = when(str(n.data.occurrence), ru ? 'ru-RU' : 'en-GB', to.timeZone);
  const link = notificationLink(n, publicUrl);
  const kind = str(n.data.kind);
  const open = ru ? `Открыть в Dealflow: ${link}` : `Open in Dealflow: ${link}`;
  const owner = n.ownerName ?? (ru ? 'Менеджер' : 'A manager');
  let subject: string;
  let lines: string[];
  switch (n.kind) {
    case 'reminder': {
      const minutes = typeof n.data.minutesBefore === 'number' ? n.data.minutesBefore : 0;
      subject = ru ? `Напоминание: ${title} ${ruIn(minutes)}` : `Reminder: ${title} ${enIn(minutes)}`;
      lines = ru
        ? [`${RU_KIND[kind] ?? 'Событие'} «${title}» начинается ${at}.`]
        : [`The ${EN_KIND[kind] ?? 'event'} “${title}” starts ${at}.`];
      break;
    }
    case 'result_due':
      subject = ru ? `Нужен результат: ${title}` : `Result due: ${title}`;
      lines = ru
        ? [`${RU_KIND[kind] ?? 'Событие'} «${title}» (${at}) закончилось. Запишите результат.`]
        : [`The ${EN_KIND[kind] ?? 'event'} “${title}” (${at}) has ended. Please record its result.`];
      break;
    case 'result_escalated':
      subject = ru ? `Просрочен результат (${owner}): ${title}` : `${owner}'s result is overdue: ${title}`;
      lines = ru
        ? [`${owner} ещё не записал(а) результат «${title}» (${at}).`]
        : [`${owner} has not recorded the result of “${title}” (${at}) yet.`];
      break;
    case 'regulation_email':
      // a regulation's "send an email" step: its subject and text as the process owner wrote them
      subject = str(n.data.subject) || (ru ? 'Сообщение по регламенту' : 'A message from a regulation');
      lines = [str(n.data.body)];
      break;
    default:
      return null;
  }
  const hello = ru ? `Здравствуйте, ${to.name}!` : `Hello ${to.name},`;
  return { subject, text: [hello, '', ...lines, '', open, ''].join('\n'), link };
}
