import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import { AppError, unavailable } from './app-error.ts';
import { DomainError } from '../modules/shared/errors.ts';

export { AppError, forbidden, notFound, unavailable } from './app-error.ts';

/** RFC 9457 problem details, the body of every error response. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('stable machine-readable error code'),
    instance: z.string().optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem' });

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemBody(err: AppError, instance?: string) {
  return {
    type: `https://dealflow.dev/problems/${err.code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[err.status] ?? 'Error',
    status: err.status,
    detail: err.message,
    code: err.code,
    ...(instance ? { instance } : {}),
    ...err.extra,
  };
}

function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; name?: string; message?: string; cause?: unknown };
  if (!e) return false;
  // 57014: statement_timeout, 25P03: idle_in_transaction_session_timeout, 53300: too many connections
  if (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'ENOTFOUND',
      '57P01',
      '57P03',
      '08006',
      '08001',
      '57014',
      '25P03',
      '53300',
    ].includes(String(e.code))
  )
    return true;
  if (
    e.name === 'ConnectionException' ||
    /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Query read timeout/i.test(
      e.message ?? '',
    )
  )
    return true;
  return e.cause ? isConnectionError(e.cause) : false;
}

/**
 * The one table from domain error codes to HTTP statuses. A code missing here is a bug: it is answered 500 and
 * logged, so a test that reaches it fails. 503 answers carry Retry-After.
 */
export const STATUS_BY_CODE: Record<string, number> = {
  VALIDATION_FAILED: 400,
  EVENT_INVALID: 400,
  PLAN_PERIOD_INVALID: 400,
  BAD_CURSOR: 400,
  BAD_PATH: 400,
  INVALID_TEXT: 400,
  BAD_UPLOAD: 400,
  FILE_MISSING: 400,
  MALFORMED_JSON: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  PLAN_NOT_REVIEWER: 403,
  CSRF_TOKEN_INVALID: 403,
  CALENDAR_FEED_SCOPE_FORBIDDEN: 403,
  NOT_FOUND: 404,
  DEAL_NOT_FOUND: 404,
  EVENT_NOT_FOUND: 404,
  PLAN_NOT_FOUND: 404,
  PLAN_LINE_NOT_FOUND: 404,
  EVENT_OCCURRENCE_NOT_FOUND: 404,
  RECORD_NOT_FOUND: 404,
  ATTACHMENT_NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  DEAL_BUSY: 409,
  EVENT_BUSY: 409,
  PLAN_BUSY: 409,
  PLAN_STATE_STALE: 409,
  PLAN_LOCKED: 409,
  PLAN_UNDER_REVIEW: 409,
  PLAN_NOT_SUBMITTABLE: 409,
  PLAN_NOT_SUBMITTED: 409,
  PLAN_CONFIRMATION_OFF: 409,
  PLAN_LINE_CLOSED: 409,
  PLAN_LINES_OPEN: 409,
  EVENT_STATE_STALE: 409,
  EVENT_CANCELLED: 409,
  RESULT_NOT_DUE: 409,
  TASK_NOT_OPEN: 409,
  TASK_CLAIMED: 409,
  OUTCOME_LABEL_TAKEN: 409,
  RECORD_BUSY: 409,
  STAGE_REQUIREMENTS_CHANGED: 409,
  DEAL_STATE_STALE: 409,
  RECORD_STATE_STALE: 409,
  EMAIL_TAKEN: 409,
  CODE_TAKEN: 409,
  FIELD_KEY_TAKEN: 409,
  STAGE_IN_USE: 409,
  DEAL_ARCHIVED: 409,
  DEAL_NOT_ARCHIVED: 409,
  IMPORT_ALREADY_STARTED: 409,
  SAVED_FILTER_NAME_TAKEN: 409,
  CALENDAR_FEED_LIMIT: 409,
  BODY_TOO_LARGE: 413,
  FILE_TOO_LARGE: 413,
  IMPORT_TOO_MANY_ROWS: 413,
  IMPORT_TOO_MANY_COLUMNS: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNSUPPORTED_ENCODING: 415,
  IMPORT_UNSUPPORTED_FILE: 415,
  INVALID_REFERENCE: 422,
  MENTION_NOT_ALLOWED: 422,
  TOO_MANY_MENTIONS: 422,
  RESULT_INVALID: 422,
  REGULATION_INVALID: 422,
  REGULATION_INPUT_MISSING: 422,
  TASK_FORM_INVALID: 422,
  INSTANCE_STEP_REFUSED: 409,
  INCIDENT_NOT_FOUND: 404,
  INSTANCE_NOT_FOUND: 404,
  INSTANCE_BUSY: 409,
  INSTANCE_STATE_STALE: 409,
  PLAN_LINE_INVALID: 422,
  PAYMENT_INVALID: 422,
  PAYMENT_IMPORT_COLUMNS: 422,
  REPORT_INVALID: 422,
  STAGE_NOT_IN_PIPELINE: 422,
  STAGE_REQUIREMENTS_UNMET: 422,
  LOST_REASON_REQUIRED: 422,
  STAGE_UNCHANGED: 422,
  INVALID_DATA: 422,
  INVALID_FIELD_VALUE: 422,
  INVALID_DEAL_FIELD: 422,
  TOO_MANY_ATTACHMENTS: 422,
  SHARE_WITH_OWNER: 422,
  RESERVED_FIELD_KEY: 422,
  PIPELINE_HAS_NO_STAGES: 422,
  LAST_ADMIN: 422,
  INVALID_PIPELINE: 422,
  DEPARTMENT_CYCLE: 422,
  DOCUMENT_TYPE_NOT_ALLOWED: 415,
  DOCUMENT_TYPE_MISMATCH: 415,
  FOLDER_NOT_EMPTY: 409,
  FOLDER_NAME_TAKEN: 409,
  FOLDER_CYCLE: 422,
  OP_ID_REUSED: 409,
  POST_NOT_FILEABLE: 422,
  INVALID_NAME: 422,
  CANNOT_CHANGE_SELF: 422,
  WEAK_PASSWORD: 422,
  CURRENT_PASSWORD_WRONG: 422,
  IMPORT_FILE_UNREADABLE: 422,
  IMPORT_FILE_EMPTY: 422,
  IMPORT_MAPPING_INVALID: 422,
  IMPORT_NOT_MAPPED: 422,
  INVALID_CURRENCY_RATES: 422,
  SAVED_FILTER_NO_GROUP: 422,
  TOO_MANY_ATTEMPTS: 429,
  TOO_MANY_STREAMS: 429,
  SERVICE_UNAVAILABLE: 503,
  PASSWORD_CHECKS_BUSY: 503,
  OUTCOME_UNKNOWN: 503,
  COMMAND_ABANDONED: 503,
  SAVED_NOT_SHOWN: 503,
};

function fromDomainError(err: DomainError): AppError {
  const status = STATUS_BY_CODE[err.code];
  if (status === undefined) {
    console.error('domain error code without an HTTP status in api/errors.ts', err.code, err);
    return new AppError(500, 'INTERNAL', 'Something went wrong on our side');
  }
  const retryAfter = Number(err.details.retryAfter) > 0 ? String(Math.ceil(Number(err.details.retryAfter))) : '5';
  return new AppError(
    status,
    err.code,
    err.message,
    err.details,
    status === 503 || status === 429 ? { 'Retry-After': retryAfter } : {},
  );
}

/** Maps what reaches the end of the chain to problem+json; unknown errors are logged and answered 500 without internals. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof DomainError) return fromDomainError(err);
  const e = err as {
    type?: string;
    status?: number;
    statusCode?: number;
    expose?: boolean;
    message?: string;
    code?: string;
  };
  // the router could not percent-decode a path parameter (e.g. /deals/%ZZ)
  if (err instanceof URIError || (e?.status === 400 && /^Failed to decode param/.test(e.message ?? ''))) {
    return new AppError(400, 'BAD_PATH', 'The path holds an invalid percent-escape');
  }
  if (e?.type === 'entity.parse.failed')
    return new AppError(400, 'MALFORMED_JSON', 'The request body is not valid JSON');
  if (e?.type === 'entity.too.large') return new AppError(413, 'BODY_TOO_LARGE', 'The request body is too large');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new AppError(415, 'UNSUPPORTED_ENCODING', e.message ?? 'Unsupported encoding');
  if (e?.code === 'LIMIT_FILE_SIZE')
    return new AppError(413, 'FILE_TOO_LARGE', 'The file is larger than the upload limit');
  if (typeof e?.code === 'string' && e.code.startsWith('LIMIT_'))
    return new AppError(400, 'BAD_UPLOAD', e.message ?? 'Bad upload');
  if (isConnectionError(err)) return unavailable('The database');
  // two changes to one row at once: the later one lost the race of the row's version
  if ((err as Error)?.name === 'OptimisticLockError') {
    return new AppError(409, 'VERSION_CONFLICT', 'This changed meanwhile; reload it and try again');
  }
  if (e?.expose && (e.status ?? e.statusCode ?? 500) < 500) {
    return new AppError(e.status ?? e.statusCode ?? 400, 'BAD_REQUEST', e.message ?? 'Bad request');
  }
  return new AppError(500, 'INTERNAL', 'Something went wrong on our side; nothing was changed');
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const appErr = toAppError(err);
  if (appErr.status >= 500 && appErr.code === 'INTERNAL') {
    if (req.log) req.log.error({ err }, 'unhandled error');
    else console.error('unhandled error', req.method, req.originalUrl, err);
  }
  if (res.headersSent) return;
  res
    .status(appErr.status)
    .set(appErr.headers)
    .type('application/problem+json')
    .send(JSON.stringify(problemBody(appErr, req.originalUrl)));
};
