import fs from 'node:fs';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from './errors.ts';
import type { AppContext } from '../server/context.ts';
import { DomainError } from '../modules/shared/errors.ts';
import { decodeCursor as decodeKeysetCursor, encodeCursor } from '../modules/shared/keyset.ts';
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
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one list holds routes of different types
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

export function route<P = object, Q = object, B = undefined, R = unknown>(
  spec: RouteSpec<P, Q, B, R>,
): RouteSpec<P, Q, B, R> {
  return spec;
}

function parseOrThrow<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({
    in: where,
    path: i.path.join('.') || null,
    code: i.code,
    message: i.message,
  }));
  const first = errors[0];
  throw new AppError(
    400,
    'VALIDATION_FAILED',
    `Invalid ${where}${first.path ? ` at "${first.path}"` : ''}: ${first.message}`,
    { errors },
  );
}

/** A NUL character or a UTF-16 surrogate without its partner: text Postgres cannot store (text, jsonb). */
// eslint-disable-next-line no-control-regex -- NUL is one of the characters this pattern finds
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const isStorableText = (s: string) => !BAD_TEXT.test(s);

/**
 * The path of the first string (value or object key) in a parsed value that Postgres could not store, or null.
 * Iterative, with each step linked to its parent, so a deeply nested JSON body costs neither stack nor quadratic memory.
 */
export function findUnstorableText(value: unknown): (string | number)[] | null {
  interface Step {
    v: unknown;
    key: string | number | null;
    parent: Step | null;
  }
  const pathOf = (step: Step | null, last?: string) => {
    const path: (string | number)[] = last === undefined ? [] : [last];
    for (let s = step; s && s.key !== null; s = s.parent) path.push(s.key);
    return path.reverse();
  };
  const stack: Step[] = [{ v: value, key: null, parent: null }];
  while (stack.length) {
    const step = stack.pop()!;
    const v = step.v;
    if (typeof v === 'string') {
      if (!isStorableText(v)) return pathOf(step);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], key: i, parent: step });
    } else if (v && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i];
        if (!isStorableText(k)) return pathOf(step, k);
        stack.push({ v: child, key: k, parent: step });
      }
    }
  }
  return null;
}

function refuseUnstorableText(value: unknown, where: string) {
  const path = findUnstorableText(value);
  if (!path) return;
  const at = path.map(String).join('.');
  throw new AppError(
    400,
    'INVALID_TEXT',
    `Invalid ${where}${at ? ` at "${at}"` : ''}: text must not contain NUL characters or unpaired UTF-16 surrogates`,
    { errors: [{ in: where, path: at || null, code: 'invalid_text', message: 'NUL character or unpaired surrogate' }] },
  );
}

/** Express path to OpenAPI path: /deals/:id → /deals/{id} */
export const openApiPath = (p: string) => p.replace(/:([A-Za-z_]\w*)/g, '{$1}');

export function mountRoutes(
  router: Router,
  app: AppContext,
  specs: RouteSpec[],
  authenticate: (req: Request, access: Access) => Promise<AuthUser>,
) {
  for (const spec of specs) {
    // who is asking is settled before anything else, so an upload from an anonymous caller is never read
    const middlewares: express.RequestHandler[] = [
      async (req, res, next) => {
        try {
          res.locals.user = await authenticate(req, spec.access);
          next();
        } catch (e) {
          next(e);
        }
      },
    ];
    if (spec.multipart) {
      const upload = app.upload.single('file');
      middlewares.push((req, res, next) =>
        upload(req, res, (err?: unknown) => next(err ? uploadError(err) : undefined)),
      );
    }
    router[spec.method](spec.path, ...middlewares, async (req: Request, res: Response) => {
      try {
        await handle(spec, req, res);
      } finally {
        // an upload's temporary file never outlives its request (an error is answered only after this)
        if (req.file) await fs.promises.rm(req.file.path, { force: true }).catch(() => {});
      }
    });
  }

  async function handle(spec: RouteSpec<unknown, unknown, unknown, unknown>, req: Request, res: Response) {
    const user = res.locals.user as AuthUser;
    // text Postgres cannot store is refused here, for every route at once, before it reaches a query
    refuseUnstorableText(req.params, 'path parameters');
    refuseUnstorableText(req.query, 'query');
    refuseUnstorableText(req.body, 'body');
    if (req.file) refuseUnstorableText({ file: req.file.originalname }, 'body');
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

/**
 * What the upload parser reports, as the client's error: a malformed multipart body (no boundary, truncated, bad part
 * headers, unexpected fields) is a 400 BAD_UPLOAD; an over-limit upload keeps its LIMIT_ code (413 for the file size);
 * a failure of the server itself (a system error such as a full disk) stays a server error.
 */
export function uploadError(err: unknown): unknown {
  const e = err as { code?: unknown; syscall?: unknown; errno?: unknown; message?: unknown };
  if (err instanceof AppError || !e || typeof e !== 'object') return err;
  if (typeof e.code === 'string' && e.code.startsWith('LIMIT_')) return err;
  if (e.syscall !== undefined || e.errno !== undefined) return err;
  return new AppError(
    400,
    'BAD_UPLOAD',
    `The multipart/form-data body could not be read${typeof e?.message === 'string' && e.message ? `: ${e.message}` : ''}`,
  );
}

export { likePattern } from '../modules/shared/search.ts';

export const uuid = () => z.uuid();
export const idParams = z.strictObject({ id: z.uuid() });

/** Cursor pagination over (sort key, id): the cursor is opaque to clients. */
export const pageQuery = {
  // a (name, id) cursor of a 300-character name in a 3-byte script is about 1,300 characters
  cursor: z.string().max(2000).optional().describe('opaque cursor from the previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
};

export { encodeCursor };

/**
 * A cursor read at the edge of a route (modules/shared/keyset.ts holds the one implementation): its values must match
 * the tuple the route issues, else 400 BAD_CURSOR. No cursor gives null.
 */
export function decodeCursor<T extends z.ZodTuple>(cursor: string | undefined, schema: T): z.output<T> | null {
  try {
    return decodeKeysetCursor(cursor, schema);
  } catch (e) {
    if (e instanceof DomainError) throw new AppError(400, e.code, e.message);
    throw e;
  }
}

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable(),
  });
