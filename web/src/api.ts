/** A thin client for /api/v1: JSON in and out, the CSRF header on writes, problem+json errors as ApiError. */

import createClient, { type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './api/schema.js';
import { takeEarlyAnswer } from './boot/early-answers.js';
import { qs } from './qs.js';

export { qs };

/* The server's types, generated from its OpenAPI document (npm run gen:api); never copied by hand. */
type Schemas = components['schemas'];
export type Json<Op extends keyof operations, S extends number = 200> =
  operations[Op]['responses'] extends Record<S, { content: { 'application/json': infer R } }> ? R : never;

/** The JSON body an operation takes, e.g. RequestBody<'createClient'>. */
export type RequestBody<Op extends keyof operations> = operations[Op] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

export type User = Schemas['User'];
export type Role = User['role'];
export type Locale = User['locale'];
export type Stage = Schemas['Stage'];
export type StageKind = Stage['kind'];
export type Pipeline = Schemas['Pipeline'];
export type DocumentKind = Schemas['DocumentKind'];
export type DealField = Schemas['DealField'];
export type BuiltInField = Json<'listDealFields'>['builtIn'][number];
export type Deal = Schemas['Deal'];
export type Attachment = Schemas['Attachment'];
export type DealEvent = Schemas['DealEvent'];
/** history: the latest events, newest first; historyNextCursor: where GET /deals/:id/history continues with older ones (null: that is all) */
export type DealDetail = Schemas['DealDetail'];
export type Client = Schemas['Client'];
export type Contact = Schemas['Contact'];
export type ClientDetail = Schemas['ClientDetail'];
export type Department = Schemas['Department'];
export type Missing = Json<'dealStageRequirements'>['missing'];
export type MissingField = Missing['fields'][number];
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
/** One column of GET /deals/board: the server's count and totals of all matching deals, and the first page of them. */
export type BoardData = Json<'dealBoard'>;
export type BoardStage = BoardData['stages'][number];
/** A sum of deal amounts in one currency; amount is a decimal string, e.g. "12500.00". */
export type MoneyTotal = BoardStage['totals'][number];
export type CommandResult = Json<'moveDealStage'>;
/** A column's totals in the company currency (null while none is set); see modules/currency/rules.ts. */
export type CompanyTotal = NonNullable<Schemas['CompanyTotal']>;
/** GET /deals/board/managers: a lead's figures by manager. */
export type ManagersData = Json<'dealBoardByManager'>;
export type ManagerSummary = Schemas['ManagerSummary'];
export type CurrencySettings = Schemas['CurrencySettings'];
/** A board filter saved on the server (GET /saved-filters). */
export type SavedFilter = Schemas['SavedFilter'];
/** One line of the audit log (GET /audit, administrators). */
export type AuditEntry = Schemas['AuditEntry'];
export type AuditKind = AuditEntry['kind'];
/** One of the user's notifications (GET /notifications, and the stream's `notification` event). */
export type AppNotification = Schemas['Notification'];
/** The document catalog (GET /document-folders, /documents, /documents/{id}). */
export type DocumentFolder = Schemas['DocumentFolder'];
export type DocumentSummary = Schemas['DocumentSummary'];
export type CatalogDocument = Schemas['CatalogDocument'];
export type DealFiles = Json<'listDealFiles'>;
export type { paths };

export interface Problem {
  status: number;
  code: string;
  detail: string;
  [k: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly body: Problem,
    /** the HTTP method of the request that failed: an unmet stage gate means one thing on a move, another on an edit */
    readonly method?: string,
    /** seconds from the Retry-After header of a 503 */
    readonly retryAfter: number | null = null,
  ) {
    super(detail);
  }
}

let csrfToken: string | null = null;
export const setCsrfToken = (t: string | null) => {
  csrfToken = t;
};
/** The session's CSRF token, for a request made without fetch (an upload whose progress is shown). */
export const currentCsrfToken = () => csrfToken;

/** Called when any request answers 401 (the session ended), so the app can show the login page. */
let onUnauthorized: (() => void) | null = null;
export const setUnauthorizedHandler = (fn: (() => void) | null) => {
  onUnauthorized = fn;
};

export interface RequestOptions {
  quiet401?: boolean;
  /** extra request headers, e.g. Idempotency-Key */
  headers?: Record<string, string>;
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...opts.headers, accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  // a read the early boot script asked for before the app's code had loaded: its answer, taken once
  const early = method === 'GET' ? await takeEarlyAnswer(path) : null;
  let res: Pick<Response, 'ok' | 'status' | 'statusText' | 'headers'>;
  let text: string;
  if (early) ({ text, ...res } = early);
  else {
    let r: Response;
    try {
      r = await fetch(`/api/v1${path}`, { method, headers, body: payload, credentials: 'same-origin' });
    } catch {
      throw new ApiError(0, 'NETWORK', '', { status: 0, code: 'NETWORK', detail: '' }, method);
    }
    res = r;
    text = await r.text();
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) throw problemError(res, json, opts, method);
  return json as T;
}

/** Retry-After of a 503 in ms (capped), for TanStack Query's retry delay; null when the server gave none. */
export function retryAfterMs(e: unknown): number | null {
  if (!(e instanceof ApiError) || e.status !== 503 || e.retryAfter === null) return null;
  return Math.min(30_000, Math.max(250, e.retryAfter * 1000));
}

const session: Middleware = {
  onRequest({ request }) {
    request.headers.set('accept', 'application/json');
    if (request.method !== 'GET' && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
};

/** The typed client of /api/v1 (paths and bodies checked against the generated schema); see `call`. */
export const client = createClient<paths>({ baseUrl: location.origin, credentials: 'same-origin' });
client.use(session);

/** Awaits an openapi-fetch call: its data, or an ApiError built from the problem details. */
export async function call<D>(
  p: Promise<{ data?: D; error?: unknown; response: Response }>,
  /** method: the request's HTTP method, which some problems are read by (an unmet gate on an edit vs on a move) */
  opts: { quiet401?: boolean; method?: string } = {},
): Promise<D> {
  let r: { data?: D; error?: unknown; response: Response };
  try {
    r = await p;
  } catch {
    throw new ApiError(0, 'NETWORK', '', { status: 0, code: 'NETWORK', detail: '' }, opts.method);
  }
  if (r.response.ok) return r.data as D;
  throw problemError(r.response, r.error, opts, opts.method);
}

function problemError(
  res: Pick<Response, 'status' | 'statusText' | 'headers'>,
  json: unknown,
  opts: { quiet401?: boolean },
  method?: string,
): ApiError {
  const p = (json && typeof json === 'object' ? json : {}) as Partial<Problem>;
  const problem: Problem = {
    ...p,
    status: res.status,
    code: String(p.code ?? `HTTP_${res.status}`),
    detail: String(p.detail ?? res.statusText),
  };
  if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
  const ra = Number(res.headers.get('retry-after'));
  return new ApiError(
    res.status,
    problem.code,
    problem.detail,
    problem,
    method,
    Number.isFinite(ra) && ra >= 0 && res.headers.has('retry-after') ? ra : null,
  );
}

export const api = {
  get: <T>(path: string, opts?: { quiet401?: boolean }) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/**
 * A random key for the Idempotency-Key header: the same key on a retry makes the server return what the first attempt
 * created instead of creating it twice. getRandomValues, unlike randomUUID, also works on a plain-http address.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Every page of a cursor-paginated list (bounded, for boards and pickers). */
export async function allPages<T>(
  path: string,
  params: Record<string, string | undefined>,
  maxPages = 20,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const page: Page<T> = await api.get<Page<T>>(
      `${path}${qs({ ...params, limit: 100, cursor: cursor ?? undefined })}`,
    );
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

export function uploadAttachment(dealId: string, file: File, documentKindId: string | null, version?: number) {
  const form = new FormData();
  if (documentKindId) form.set('documentKindId', documentKindId);
  if (version !== undefined) form.set('version', String(version));
  form.set('file', file, file.name);
  return api.post<CommandResult & { attachmentId: string }>(`/deals/${dealId}/attachments`, form);
}
