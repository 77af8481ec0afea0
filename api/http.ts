import fs from 'node:fs';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from './errors.ts';
import type { AppContext } from './context.ts';
import type { AuthUser } from './auth.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type Access = 'public' | 'user' | 'admin';

export interface Ctx<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  user: AuthUser;
  em: EntityManager;
  app: AppContext;
  req: Request;
  res: Response;
}

/** One operation of the HTTP API: its schemas validate requests, type the handler and feed the OpenAPI document. */
export interface RouteSpec<P = any, Q = any, B = any, R = any> {
  method: Method;
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  /** request headers the operation reads (lower-case names), validated like the rest */
  headers?: z.ZodObject;
  body?: z.ZodType<B>;
  /** multipart/form-data upload: the handler reads req.file; the fields are described by body */
  multipart?: boolean;
  response?: z.ZodType<R>;
  /** a response that is not JSON (a download, a page); the handler writes it */
  rawResponse?: { contentType: string; description: string };
  status?: number;
  errors?: number[];
  handler: (ctx: Ctx<P, Q, B>) => Promise<R | void> | R | void;
}

export function route<P = {}, Q = {}, B = undefined, R = unknown>(spec: RouteSpec<P, Q, B, R>): RouteSpec<P, Q, B, R> {
  return spec;
}

function parseOrThrow<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({
    in: where, path: i.path.join('.') || null, code: i.code, message: i.message,
  }));
  const first = errors[0];
  throw new AppError(400, 'VALIDATION_FAILED',
    `Invalid ${where}${first.path ? ` at "${first.path}"` : ''}: ${first.message}`, { errors });
}

/** Express path to OpenAPI path: /deals/:id → /deals/{id} */
export const openApiPath = (p: string) => p.replace(/:([A-Za-z_]\w*)/g, '{$1}');

export function mountRoutes(router: Router, app: AppContext, specs: RouteSpec[], authenticate: (req: Request, access: Access) => Promise<AuthUser>) {
  for (const spec of specs) {
    // who is asking is settled before anything else, so an upload from an anonymous caller is never read
    const middlewares: express.RequestHandler[] = [async (req, res, next) => {
      try { res.locals.user = await authenticate(req, spec.access); next(); } catch (e) { next(e); }
    }];
    if (spec.multipart) middlewares.push(app.upload.single('file'));
    router[spec.method](spec.path, ...middlewares, async (req: Request, res: Response) => {
      try {
        await handle(spec, req, res);
      } finally {
        // an upload's temporary file never outlives its request (an error is answered only after this)
        if (req.file) await fs.promises.rm(req.file.path, { force: true }).catch(() => {});
      }
    });
  }

  async function handle(spec: RouteSpec, req: Request, res: Response) {
      const user = res.locals.user as AuthUser;
      const params = parseOrThrow(spec.params, req.params, 'path parameters');
      const query = parseOrThrow(spec.query, req.query, 'query');
      if (spec.headers) parseOrThrow(spec.headers, req.headers, 'headers');
      if (!spec.multipart && spec.body && !req.is('application/json')) {
        throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
      }
      const body = parseOrThrow(spec.body, spec.multipart ? { ...req.body } : req.body, 'body');
      const em = app.orm.em.fork();
      const result = await spec.handler({ params, query, body, user, em, app, req, res });
      if (res.headersSent) return;
      if (spec.rawResponse) return;
      if (result === undefined) res.status(spec.status ?? 204).end();
      else res.status(spec.status ?? 200).json(result);
  }
}

export const uuid = () => z.uuid();
export const idParams = z.strictObject({ id: z.uuid() });

/** Cursor pagination over (sort key, id): the cursor is opaque to clients. */
export const pageQuery = {
  cursor: z.string().max(500).optional().describe('opaque cursor from the previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
};

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): unknown[] | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === arity) return v;
  } catch { /* fall through */ }
  throw new AppError(400, 'BAD_CURSOR', 'The cursor is not one this API issued');
}

export const pageOf = <T extends z.ZodType>(item: T) => z.object({
  items: z.array(item),
  nextCursor: z.string().nullable(),
});
