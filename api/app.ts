import path from 'node:path';
import express from 'express';
import { authenticator } from './auth.ts';
import type { AppContext } from './context.ts';
import { AppError, errorHandler } from './errors.ts';
import { mountRoutes, type RouteSpec } from './http.ts';
import { buildOpenApi } from './openapi.ts';
import { referencePage } from './reference-page.ts';
import { serveWebApp } from './static.ts';
import { allRoutes } from './routes/index.ts';

const WEB_DIST = path.resolve(import.meta.dirname, '..', 'dist', 'web');

async function readiness(app: AppContext) {
  const check = async (fn: () => Promise<unknown>) => {
    try {
      await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000))]);
      return 'ok' as const;
    } catch { return 'unreachable' as const; }
  };
  const [postgres, temporal] = await Promise.all([
    check(() => app.orm.em.getConnection().execute('select 1')),
    // a deadline rather than only the race: the call must end by itself, not keep retrying in the background
    check(() => app.temporal.connection.withDeadline(Date.now() + 2000, () => app.temporal.connection.workflowService.getSystemInfo({}))),
  ]);
  return { postgres, temporal };
}

/** The HTTP app: the API under /api/v1, its OpenAPI document and reference page, and the built web app. */
export function createApp(ctx: AppContext, routes: RouteSpec[] = allRoutes) {
  const app = express();
  app.disable('x-powered-by');
  // the client address that login throttling counts by: from X-Forwarded-For only when a trusted proxy set it
  const trust = ctx.config.DEALFLOW_TRUST_PROXY;
  app.set('trust proxy', /^\d+$/.test(trust) ? Number(trust) : trust === 'true' ? true : trust === 'false' ? false : trust);
  app.set('query parser', 'simple');
  const openapi = buildOpenApi(routes, { version: '0.1.0' });

  const api = express.Router();
  api.use(express.json({ limit: '1mb', strict: true }));
  api.get('/health', (_req, res) => { res.json({ status: 'alive' }); });
  api.get('/ready', async (_req, res) => {
    const checks = await readiness(ctx);
    const ok = checks.postgres === 'ok' && checks.temporal === 'ok';
    if (!ok) res.set('Retry-After', '5');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', checks });
  });
  api.get('/openapi.json', (_req, res) => { res.json(openapi); });
  api.get('/docs', (_req, res) => { res.type('html').send(referencePage()); });
  mountRoutes(api, ctx, routes, authenticator(ctx));
  api.use((req, _res, next) => next(new AppError(404, 'NOT_FOUND', `No API operation ${req.method} ${req.path}`)));
  api.use(errorHandler);
  app.use('/api/v1', api);

  serveWebApp(app, WEB_DIST);
  app.use(errorHandler);
  return app;
}
