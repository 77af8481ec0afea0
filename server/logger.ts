/**
 * Structured JSON logs (pino), one line per event, with the request id of the HTTP request that caused them (also in
 * the workflow and activity logs, carried in Temporal headers). Secrets never reach a log: cookies, Authorization,
 * the CSRF token, Set-Cookie, and any password or token field are redacted wherever they appear.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.csrfToken',
  '*.passwordHash',
  '*.tokenHash',
  'body.password',
  'body.currentPassword',
  'body.newPassword',
  'body.token',
];

export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? process.env.DEALFLOW_LOG_LEVEL ?? 'info',
      base: { service: 'dealflow' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination,
  );
}

/** The logger of the process (the API and the worker); tests give the app their own. */
export const logger = createLogger();

/** The request id of the HTTP request being handled, for code far from it (the Temporal client interceptor). */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();
export const currentRequestId = () => requestContext.getStore()?.requestId;

/** An incoming X-Request-Id is kept when it is sane (1–128 of letters, digits and . _ : -), else one is made. */
export const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;
