/**
 * Every security header Dealflow sends, in one place (helmet), by response class:
 * - the web app (dist/web): scripts only from the origin, no inline script, no eval; styles from the origin and inline
 *   (`style-src 'self' 'unsafe-inline'`: the web app's component library injects <style> elements for its CSS
 *   variables at run time; scripts stay strict, which is what matters against injected markup);
 * - the API reference page: its one inline script and style carry a per-request nonce, nothing else runs;
 * - the API (JSON, problem+json, the OpenAPI document): `default-src 'none'`, nothing may load or frame it;
 * - downloads: additionally `sandbox`, so a stored HTML or SVG file opened in the browser runs nothing.
 * All of them: no framing (frame-ancestors 'none' and X-Frame-Options DENY), Referrer-Policy no-referrer, nosniff.
 */
import { randomBytes } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

type Directives = Record<string, (string | ((req: IncomingMessage, res: ServerResponse) => string))[]>;

const common = (secure: boolean) => ({
  frameguard: { action: 'deny' as const },
  referrerPolicy: { policy: 'no-referrer' as const },
  // HSTS only where Dealflow is served over https (DEALFLOW_SECURE_COOKIES=true)
  strictTransportSecurity: secure ? { maxAge: 31536000 } : false,
});

const API: Directives = {
  'default-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

const WEB: Directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'worker-src': ["'self'", 'blob:'],
  'manifest-src': ["'self'"],
};

const nonceOf = (res: Response): string =>
  ((res.locals as { cspNonce?: string }).cspNonce ??= randomBytes(16).toString('base64'));

/** The nonce of this response's reference page, for its <script> and <style> elements. */
export const cspNonce = (res: Response): string => nonceOf(res);

/** Marks a response as a download: sandboxed, so the browser runs nothing in it even when opened inline. */
export function sandboxDownload(res: Response) {
  res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'; frame-ancestors 'none'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

/** The headers for the whole app: mount first, before any route. */
export function securityHeaders(opts: { secure: boolean }): RequestHandler {
  const build = (directives: Directives) =>
    helmet({
      ...common(opts.secure),
      contentSecurityPolicy: { useDefaults: false, directives },
    });
  const web = build(WEB);
  const api = build(API);
  const docs = build({
    ...API,
    'script-src': [(_req, res) => `'nonce-${nonceOf(res as Response)}'`],
    'style-src': [(_req, res) => `'nonce-${nonceOf(res as Response)}'`],
    'connect-src': ["'self'"],
    'img-src': ["'self'"],
  });
  return (req, res, next) => {
    const p = req.path;
    if (p === '/api/v1/docs') return docs(req, res, next);
    if (p === '/api' || p.startsWith('/api/') || p === '/metrics') return api(req, res, next);
    return web(req, res, next);
  };
}
