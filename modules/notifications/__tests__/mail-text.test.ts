import { describe, expect, it } from 'vitest';
import { notificationLink, renderNotificationMail, type MailNotification } from '../mail-text.ts';

const EVENT = '0b6f0a2c-1111-4222-8333-444455556666';
const base: MailNotification = {
  kind: 'reminder',
  recordType: 'event',
  recordId: EVENT,
  data: { title: 'Demo', kind: 'meeting', occurrence: '2026-12-01T09:00:00.000Z', minutesBefore: 15 },
  ownerName: null,
};
const en = { email: 'max@example.test', name: 'Max', locale: 'en', timeZone: 'Europe/London' };
const ru = { email: 'maria@example.test', name: 'Мария', locale: 'ru', timeZone: 'Europe/Moscow' };
const URL = 'https://crm.example.test/';

describe('renderNotificationMail', () => {
  it('reminds in English with the time left and the start in the user time zone', () => {
    const m = renderNotificationMail(base, en, URL)!;
    expect(m.subject).toBe('Reminder: Demo in 15 minutes');
    expect(m.text).toContain('The meeting “Demo” starts 1 December 2026 at 09:00 GMT.');
    expect(m.text).toContain(
      `Open in Dealflow: https://crm.example.test/calendar?event=${EVENT}&occurrence=2026-12-01T09%3A00%3A00.000Z`,
    );
    const hours = { ...base, data: { ...base.data, minutesBefore: 120 } };
    expect(renderNotificationMail(hours, en, URL)!.subject).toBe('Reminder: Demo in 2 hours');
    const day = { ...base, data: { ...base.data, minutesBefore: 1440 } };
    expect(renderNotificationMail(day, en, URL)!.subject).toBe('Reminder: Demo in 1 day');
    expect(renderNotificationMail({ ...base, data: { ...base.data, minutesBefore: 0 } }, en, URL)!.subject).toBe(
      'Reminder: Demo now',
    );
  });

  it('reminds in Russian with the right plural forms', () => {
    const sub = (minutesBefore: number) =>
      renderNotificationMail({ ...base, data: { ...base.data, minutesBefore } }, ru, URL)!.subject;
    expect([1, 2, 5, 21].map(sub)).toEqual([
      'Напоминание: Demo через 1 минуту',
      'Напоминание: Demo через 2 минуты',
      'Напоминание: Demo через 5 минут',
      'Напоминание: Demo через 21 минуту',
    ]);
    expect(sub(180)).toBe('Напоминание: Demo через 3 часа');
    const m = renderNotificationMail(base, ru, URL)!;
    expect(m.text).toContain('Здравствуйте, Мария!');
    expect(m.text).toContain('Встреча «Demo» начинается');
    expect(m.text).toContain('12:00');
  });

  it('asks for the result with a link that opens the result form, and tells the lead whose result is overdue', () => {
    const due = renderNotificationMail({ ...base, kind: 'result_due', data: { ...base.data, asks: 1 } }, en, URL)!;
    expect(due.subject).toBe('Result due: Demo');
    expect(due.link).toBe(
      `https://crm.example.test/calendar?event=${EVENT}&occurrence=2026-12-01T09%3A00%3A00.000Z&result=1`,
    );
    const late = { ...base, kind: 'result_escalated', ownerName: 'Max Manager' };
    expect(renderNotificationMail(late, en, URL)!.subject).toBe("Max Manager's result is overdue: Demo");
    expect(renderNotificationMail(late, ru, URL)!.subject).toBe('Просрочен результат (Max Manager): Demo');
    expect(notificationLink(late, URL)).not.toContain('result=1');
  });

  it('mails no kind it does not know, and survives a time zone the runtime does not know', () => {
    expect(renderNotificationMail({ ...base, kind: 'something_else' }, en, URL)).toBeNull();
    expect(renderNotificationMail(base, { ...en, timeZone: 'Mars/Olympus' }, URL)!.text).toContain('09:00');
    expect(notificationLink({ ...base, recordType: null, recordId: null }, URL)).toBe('https://crm.example.test/');
  });
});
