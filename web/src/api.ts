/** A thin client for /api/v1: JSON in and out, the CSRF header on writes, problem+json errors as ApiError. */

export type Role = 'admin' | 'process_owner' | 'lead' | 'manager' | 'member';
export type Locale = 'en' | 'ru';
export type StageKind = 'open' | 'won' | 'lost';

export interface User {
  id: string; email: string; name: string; role: Role; departmentId: string | null; locale: Locale; disabled: boolean; version: number;
}
export interface Stage {
  id: string; name: string; translations?: Translations; position: number; kind: StageKind; requiredFields: string[]; requiredDocumentKinds: string[];
}
export interface Pipeline { id: string; name: string; translations?: Translations; archived: boolean; version: number; stages: Stage[] }
/** names an administrator gave, in other languages: { ru: { name } } (fields: label, options) */
export interface Translations { ru?: { name?: string; label?: string; options?: Record<string, string> } }
export interface DocumentKind { id: string; code: string; name: string; translations?: Translations }
export interface DealField {
  id: string; key: string; label: string; translations?: Translations; type: 'text' | 'number' | 'money' | 'date' | 'select'; options: string[];
}
export interface BuiltInField { key: string; label: string; type: string }
export interface Deal {
  id: string; title: string; clientId: string; clientName: string; contactId: string | null; ownerId: string; ownerName: string;
  pipelineId: string; stageId: string; amount: string | null; currency: string | null; expectedCloseDate: string | null;
  custom: Record<string, unknown>; lostReason: string | null; closedAt: string | null; createdAt: string; updatedAt: string; version: number;
}
export interface Attachment {
  id: string; documentKindId: string | null; fileName: string; contentType: string; size: number; sha256: string; uploadedBy: string; createdAt: string;
}
export interface DealEvent {
  id: string; kind: string; at: string; actorId: string | null; actorName: string | null;
  fromStageId: string | null; toStageId: string | null; data: Record<string, unknown>;
}
/** history: the latest events, newest first; historyNextCursor: where GET /deals/:id/history continues with older ones (null: that is all) */
export interface DealDetail extends Deal { attachments: Attachment[]; history: DealEvent[]; historyNextCursor: string | null }
export interface MissingField { key: string; label: string; type: string; options?: string[] }
export interface Missing { fields: MissingField[]; documentKinds: { id: string; name: string }[] }
export interface Client {
  id: string; name: string; taxId: string | null; website: string | null; email: string | null; phone: string | null;
  address: string | null; notes: string | null; ownerId: string; ownerName: string; version: number;
}
export interface Contact { id: string; name: string; position: string | null; email: string | null; phone: string | null }
export interface ClientDetail extends Client { contacts: Contact[] }
export interface Department {
  id: string; name: string; parentId: string | null; isSalesGroup: boolean; leadId: string | null; memberCount: number; version: number;
}
export interface Page<T> { items: T[]; nextCursor: string | null }
/** A sum of deal amounts in one currency; amount is a decimal string, e.g. "12500.00". */
export interface MoneyTotal { currency: string; amount: string }
/** One column of GET /deals/board: the server's count and totals of all matching deals, and the first page of them. */
export interface BoardStage { stageId: string; count: number; totals: MoneyTotal[]; deals: Deal[]; nextCursor: string | null }
export interface BoardData { pipelineId: string; stages: BoardStage[] }
export interface CommandResult { version: number; stageId: string; deal: Deal }

export interface Problem { status: number; code: string; detail: string; [k: string]: unknown }

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, readonly detail: string, readonly body: Problem,
    /** the HTTP method of the request that failed: an unmet stage gate means one thing on a move, another on an edit */
    readonly method?: string) {
    super(detail);
  }
}

let csrfToken: string | null = null;
export const setCsrfToken = (t: string | null) => { csrfToken = t; };

/** Called when any request answers 401 (the session ended), so the app can show the login page. */
let onUnauthorized: (() => void) | null = null;
export const setUnauthorizedHandler = (fn: (() => void) | null) => { onUnauthorized = fn; };

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
  else if (body !== undefined) { payload = JSON.stringify(body); headers['content-type'] = 'application/json'; }
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', '', { status: 0, code: 'NETWORK', detail: '' }, method);
  }
  const text = await res.text();
  let json: unknown = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) {
    const p = (json && typeof json === 'object' ? json : {}) as Partial<Problem>;
    const problem: Problem = { ...p, status: res.status, code: String(p.code ?? `HTTP_${res.status}`), detail: String(p.detail ?? (text.slice(0, 300) || res.statusText)) };
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
    throw new ApiError(res.status, problem.code, problem.detail, problem, method);
  }
  return json as T;
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

export function qs(params: Record<string, string | number | null | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** Every page of a cursor-paginated list (bounded, for boards and pickers). */
export async function allPages<T>(path: string, params: Record<string, string | undefined>, maxPages = 20): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const page: Page<T> = await api.get<Page<T>>(`${path}${qs({ ...params, limit: 100, cursor: cursor ?? undefined })}`);
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
