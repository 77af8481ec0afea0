/** An error a user can act on: a stable code, an HTTP status, a message, optional extra members. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what = 'Resource') => new AppError(404, 'NOT_FOUND', `${what} not found`);
export const forbidden = (msg = 'You are not allowed to do this') => new AppError(403, 'FORBIDDEN', msg);
export const unavailable = (what: string) =>
  new AppError(
    503,
    'SERVICE_UNAVAILABLE',
    `${what} is unreachable; nothing was changed, try again shortly`,
    {},
    { 'Retry-After': '5' },
  );
