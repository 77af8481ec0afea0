/**
 * Reminders by email, against a real SMTP server started here (smtp-server): a calendar event created over HTTP
 * reminds its owner (in English) and a participant (in Russian, in their time zone) by one email each once its
 * step has run, with the link to the event in the web app; a second try mails nothing again. Without SMTP
 * configured no email is sent and none is marked sent, while the notification is there in the app.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { createNotificationMailer } from '../../modules/notifications/mail.ts';
import { eventState, eventWorkflowId } from '../../workflows/event-contract.ts';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { until } from '../support/until.ts';

interface Received {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

const received: Received[] = [];
let smtp: SMTPServer;
let smtpPort: number;
const PUBLIC_URL = 'https://crm.example.test';

/** A header value with its RFC 2047 encoded words decoded. */
const decodeWords = (v: string) =>
  v.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, enc: string, s: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(s, 'base64').toString('utf8')
      : Buffer.from(
          s.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );

/** Just enough MIME for the mails Dealflow sends: one text/plain part, quoted-printable or base64. */
function parse(raw: string): { subject: string; text: string } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const headers = head.replace(/\r?\n[ \t]+/g, ' ');
  const subject = decodeWords(/^Subject: (.*)$/im.exec(headers)?.[1] ?? '');
  const encoding = /^Content-Transfer-Encoding: (.*)$/im.exec(headers)?.[1]?.trim().toLowerCase();
  const text =
    encoding === 'base64'
      ? Buffer.from(body, 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? Buffer.from(
            body
              .replace(/=\r?\n/g, '')
              .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8')
        : body;
  return { subject, text: text.replace(/\r\n/g, '\n') };
}

const at = (ms: number) => new Date(Date.now() + ms).toISOString();

/**
 * Whether the event's reminder step has completed: the workflow holds the state the step returned only after the
 * step's mails were sent (or skipped).
 */
async function reminded(h: Harness, ev: { id: string; startsAt: string }): Promise<boolean> {
  const { event } = await h.ctx.temporal.workflow.getHandle(eventWorkflowId(ev.id)).query(eventState);
  return Date.parse(event.remindedThrough) >= Date.parse(ev.startsAt);
}

/** An event starting in about two seconds that reminds at its start. */
const soon = (over: Record<string, unknown> = {}) => ({
  kind: 'call',
  title: 'Call the buyer',
  startsAt: at(2000),
  endsAt: at(60 * 60_000),
  timeZone: 'Europe/Moscow',
  reminders: [0],
  ...over,
});

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'dealflow' && auth.password === 's3cret') cb(null, { user: 'dealflow' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          ...parse(Buffer.concat(chunks).toString('utf8')),
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => smtp?.close(() => r()));
});

describe('with SMTP configured', () => {
  let h: Harness;
  let owner: Session;
  let ownerEmail: string;
  let ruUser: { id: string; email: string };

  beforeAll(async () => {
    h = await startHarness({
      config: {
        DEALFLOW_SMTP_URL: `smtp://dealflow:s3cret@127.0.0.1:${smtpPort}`,
        DEALFLOW_MAIL_FROM: 'Dealflow <crm@example.test>',
        DEALFLOW_PUBLIC_URL: PUBLIC_URL,
      },
    });
    const f = fixtures(h);
    const m = await f.user('manager', { name: 'Max Manager' });
    ownerEmail = m.email;
    ruUser = await f.user('manager', { name: 'Мария' });
    await h.ctx.orm.em
      .fork()
      .getConnection()
      .execute(`update users set locale = 'ru', time_zone = 'Asia/Yekaterinburg' where id = ?`, [ruUser.id]);
    owner = await login(h, m.email);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('mails the reminder once to each person reminded, in their language, with the link to the event', async () => {
    const created = await owner.post('/calendar/events', soon({ participantUserIds: [ruUser.id] }));
    expect(created.status).toBe(201);
    const ev = created.body as { id: string; startsAt: string };
    const mails = await until(
      () => Promise.resolve(received.filter((m) => m.text.includes(ev.id))),
      (ms) => ms.length >= 2,
    );
    expect(await until(() => reminded(h, ev), Boolean)).toBe(true);
    // the step has completed: everything it mailed has arrived
    const all = received.filter((m) => m.text.includes(ev.id));
    expect(all).toHaveLength(2);
    const en = all.find((m) => m.to.includes(ownerEmail))!;
    const ru = all.find((m) => m.to.includes(ruUser.email))!;
    expect(mails).toHaveLength(2);
    expect(en.from).toBe('crm@example.test');
    expect(en.to).toEqual([ownerEmail]);
    expect(en.subject).toBe('Reminder: Call the buyer now');
    const link = `${PUBLIC_URL}/calendar?event=${ev.id}&occurrence=${encodeURIComponent(ev.startsAt)}`;
    expect(en.text).toContain('Hello Max Manager,');
    expect(en.text).toContain(`Open in Dealflow: ${link}`);
    expect(ru.to).toEqual([ruUser.email]);
    expect(ru.subject).toBe('Напоминание: Call the buyer сейчас');
    expect(ru.text).toContain('Звонок «Call the buyer» начинается');
    // in the participant's time zone
    const local = new Intl.DateTimeFormat('ru-RU', {
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'Asia/Yekaterinburg',
    }).format(new Date(ev.startsAt));
    expect(ru.text).toContain(local);
    expect(ru.text).toContain(`Открыть в Dealflow: ${link}`);

    const rows = await h.ctx.orm.em
      .fork()
      .getConnection()
      .execute<{ id: string; emailed_at: Date | null }[]>(
        `select id::text as id, emailed_at from notifications where record_id = ? order by id`,
        [ev.id],
      );
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.emailed_at !== null)).toBe(true);
    // mailing them again (a step run twice, another worker) sends nothing: the rows are claimed
    const again = createNotificationMailer(
      h.ctx.orm,
      { smtpUrl: `smtp://dealflow:s3cret@127.0.0.1:${smtpPort}`, publicUrl: PUBLIC_URL },
      { info() {}, warn() {}, error() {} },
    );
    expect(await again.mail(rows.map((r) => r.id))).toBe(0);
    again.close();
    expect(received.filter((m) => m.text.includes(ev.id))).toHaveLength(2);
  });

  it('gives the claim back and logs when the SMTP server refuses, so the row never claims a mail it did not send', async () => {
    const created = await owner.post('/calendar/events', soon({ title: 'Refused mail', reminders: [60] }));
    expect(created.status).toBe(201);
    const [row] = await h.ctx.orm.em.fork().transactional(async (em) =>
      em.getConnection().execute<{ id: string }[]>(
        `insert into notifications (user_id, kind, record_type, record_id, data, key)
             select owner_id, 'reminder', 'event', id, jsonb_build_object('title', title, 'minutesBefore', 5), 'refused:' || id
               from calendar_events where id = ? returning id::text as id`,
        [created.body.id],
        'all',
        em.getTransactionContext(),
      ),
    );
    const errors: string[] = [];
    const wrong = createNotificationMailer(
      h.ctx.orm,
      { smtpUrl: `smtp://dealflow:wrong@127.0.0.1:${smtpPort}`, publicUrl: PUBLIC_URL },
      { info() {}, warn() {}, error: (_o, msg) => errors.push(msg) },
    );
    expect(await wrong.mail([row.id])).toBe(0);
    wrong.close();
    expect(errors).toEqual(['notification email could not be sent']);
    const [after] = await h.ctx.orm.em
      .fork()
      .getConnection()
      .execute<{ emailed_at: Date | null }[]>('select emailed_at from notifications where id = ?', [row.id]);
    expect(after.emailed_at).toBeNull();
    expect(received.filter((m) => m.subject.includes('Refused mail'))).toEqual([]);
  });
});

describe('without SMTP', () => {
  let h: Harness;
  let owner: Session;
  let ownerEmail: string;

  beforeAll(async () => {
    h = await startHarness({ config: { DEALFLOW_PUBLIC_URL: PUBLIC_URL } });
    const m = await fixtures(h).user('manager', { name: 'Nina NoMail' });
    ownerEmail = m.email;
    owner = await login(h, m.email);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sends no email and marks none sent, and the reminder is in the app', async () => {
    const created = await owner.post('/calendar/events', soon({ title: 'No mail today' }));
    expect(created.status).toBe(201);
    const ev = created.body as { id: string; startsAt: string };
    // the dispatcher delivers the reminder the event handed over: wait until the app lists it
    const listed = await until(
      () => owner.get('/notifications'),
      (r) => (r.body.items as unknown[]).length > 0,
    );
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        kind: 'reminder',
        recordId: ev.id,
        data: expect.objectContaining({ title: 'No mail today' }),
      }),
    ]);
    expect((await owner.get('/notifications/unread-count')).body).toEqual({ count: 1 });
    const [row] = await h.ctx.orm.em
      .fork()
      .getConnection()
      .execute<{ emailed_at: Date | null }[]>('select emailed_at from notifications where record_id = ?', [ev.id]);
    expect(row.emailed_at).toBeNull();
    expect(received.filter((m) => m.to.includes(ownerEmail) || m.text.includes(ev.id))).toEqual([]);
  });
});
