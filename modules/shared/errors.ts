/**
 * The one error business code throws: a stable code and structured details a client can act on.
 * Modules, workflows' command layer and activities never choose an HTTP status; `api/errors.ts` maps each code
 * to one in a single table. The message is for logs and API users reading by hand; the web app reads code and details.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what = 'Resource') => new DomainError('NOT_FOUND', `${what} not found`);
export const forbidden = (msg = 'You are not allowed to do this') => new DomainError('FORBIDDEN', msg);
export const unavailable = (what: string) =>
  new DomainError('SERVICE_UNAVAILABLE', `${what} is unreachable; nothing was changed, try again shortly`);
export const versionConflict = (what: string, currentVersion?: number) =>
  new DomainError(
    'VERSION_CONFLICT',
    `${what} changed meanwhile; reload it and try again`,
    currentVersion === undefined ? {} : { currentVersion },
  );
export const invalidReference = (field: string, what = field) =>
  new DomainError('INVALID_REFERENCE', `${field}: no such ${what}`, { field });
