/**
 * Notifications by email, when SMTP is configured (DEALFLOW_SMTP_URL). Called after the notifications' transaction
 * committed (the calendar step's afterNotify): each row is claimed first (`emailed_at` set where it is still null),
 * so a step run again, or two workers, never mail one notification twice; a send that fails gives the claim back and
 * is logged. Without SMTP nothing is sent, nothing is marked emailed, and the log says so once per process.
 */
import nodemailer from 'nodemailer';
import type { MikroORM } from '@mikro-orm/postgresql';
import { renderNotificationMail, type MailNotification } from './mail-text.ts';

export interface MailSettings {
  /** smtp://user:pass@host:port or smtps://…; unset: no email */
  smtpUrl?: string;
  /** the From; default dealflow@<the SMTP host> */
  from?: string;
  /** the web app's address, for the links */
  publicUrl: string;
}

/** The log lines the mailer writes (the process's pino logger). */
export interface MailLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface NotificationMailer {
  /** whether an SMTP server is configured */
  readonly enabled: boolean;
  /** Mails the notifications of these ids not mailed yet; never throws. Answers how many were sent. */
  mail(ids: string[]): Promise<number>;
  close(): void;
}

let toldSkipped = false;

interface ClaimRow {
  id: string;
  kind: string;
  record_type: string | null;
  record_id: string | null;
  data: Record<string, unknown> | string;
  owner_name: string | null;
  email: string;
  name: string;
  locale: string;
  time_zone: string | null;
}

export function createNotificationMailer(orm: MikroORM, settings: MailSettings, log: MailLog): NotificationMailer {
  if (!settings.smtpUrl) {
    return {
      enabled: false,
      mail(ids) {
        if (ids.length && !toldSkipped) {
          toldSkipped = true;
          log.info(
            { component: 'mail', notifications: ids.length },
            'notification email skipped: no SMTP server configured (set DEALFLOW_SMTP_URL); notifications are shown in the app only',
          );
        }
        return Promise.resolve(0);
      },
      close() {},
    };
  }
  const smtp = new URL(settings.smtpUrl);
  const from = settings.from ?? `Dealflow <dealflow@${smtp.hostname}>`;
  // the calendar step waits for its mails (its activity has 30 s): an SMTP server that hangs fails them in time
  const transport = nodemailer.createTransport({
    url: settings.smtpUrl,
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 10_000,
  });
  const target = `${smtp.protocol}//${smtp.host}`;

  return {
    enabled: true,
    async mail(ids) {
      if (!ids.length) return 0;
      let rows: ClaimRow[];
      try {
        rows = await orm.em
          .fork()
          .getConnection()
          .execute<ClaimRow[]>(
            `with claimed as (
             update notifications n set emailed_at = now()
               from users u
              where n.id = any(?::bigint[]) and n.emailed_at is null and u.id = n.user_id and u.disabled_at is null
             returning n.id::text as id, n.kind, n.record_type, n.record_id, n.data, u.email, u.name, u.locale,
                       u.time_zone)
           select c.*, o.name as owner_name from claimed c
             left join users o on o.id = (case when c.data->>'ownerId' ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'
                                               then (c.data->>'ownerId')::uuid end)
           order by c.id::bigint`,
            [`{${ids.join(',')}}`],
          );
      } catch (e) {
        log.error({ component: 'mail', err: e, notifications: ids }, 'notification email: could not claim the rows');
        return 0;
      }
      let sent = 0;
      for (const r of rows) {
        const n: MailNotification = {
          kind: r.kind,
          recordType: r.record_type,
          recordId: r.record_id,
          data: typeof r.data === 'string' ? (JSON.parse(r.data) as Record<string, unknown>) : r.data,
          ownerName: r.owner_name,
        };
        const message = renderNotificationMail(
          n,
          { email: r.email, name: r.name, locale: r.locale, timeZone: r.time_zone },
          settings.publicUrl,
        );
        try {
          if (!message) throw new Error(`no email for notifications of kind ${r.kind}`);
          await transport.sendMail({
            from,
            to: { name: r.name, address: r.email },
            subject: message.subject,
            text: message.text,
          });
          sent++;
        } catch (e) {
          // not sent: the claim is given back, so the row says so
          await orm.em
            .fork()
            .getConnection()
            .execute('update notifications set emailed_at = null where id = ?::bigint', [r.id])
            .catch(() => undefined);
          log.error(
            { component: 'mail', err: e, notification: r.id, smtp: target },
            'notification email could not be sent',
          );
        }
      }
      if (sent) log.info({ component: 'mail', sent, smtp: target }, 'notification emails sent');
      return sent;
    },
    close() {
      transport.close();
    },
  };
}
