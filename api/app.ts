import path from 'node:path';
import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { logger as processLogger, requestContext, SANE_REQUEST_ID } from '../server/logger.ts';
import { httpMetrics, metricsHandler } from '../server/metrics.ts';
import { authenticator } from './auth.ts';
import type { AppContext } from '../server/context.ts';
import { AppError, errorHandler } from './errors.ts';
import { mountRoutes, type RouteSpec } from './http.ts';
import { buildOpenApi } from './openapi.ts';
import { referencePage } from './reference-page.ts';
import { cspNonce, securityHeaders } from './security-headers.ts';
import { serveWebApp } from './static.ts';
import { allRoutes } from './routes/index.ts';
import { hideFeedToken, icalRouter } from './routes/calendar-feeds.ts';

const WEB_DIST = path.resolve(import.meta.dirname, '..', 'dist', 'web');

async function readiness(app: AppContext) {
  const check = async (fn: () => Promise<unknown>) => {
    try {
      await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000))]);
      return 'ok' as const;
    } catch {
      return 'unreachable' as const;
    }
  };
  const [postgres, temporal] = await Promise.all([
    check(() => app.orm.em.getConnection().execute('select 1')),
    // a deadline rather than only the race: the call must end by itself, not keep retrying in the background
    check(() =>
      app.temporal.connection.withDeadline(Date.now() + 2000, () =>
        app.temporal.connection.workflowService.getSystemInfo({}),
      ),
    ),
  ]);
  return { postgres, temporal };
}

/** The HTTP app: the API under /api/v1, its OpenAPI document and reference page, and the built web app. */
export function createApp(ctx: AppContext, routes: RouteSpec[] = allRoutes, opts: { logger?: Logger } = {}) {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders({ secure: ctx.config.DEALFLOW_SECURE_COOKIES }));
  // a request id for every request (a sane incoming X-Request-Id is kept), echoed, in every log line of the request,
  // and carried to Temporal by the client interceptor through requestContext
  app.use(
    pinoHttp({
      logger: opts.logger ?? processLogger,
      genReqId: (req, res) => {
        const sent = req.headers['x-request-id'];
        const id = typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'info',
      autoLogging: { ignore: (req) => req.url === '/api/v1/health' || req.url === '/metrics' },
      // a calendar feed's token is its credential: never in the logs
      serializers: {
        req: (req: { url?: string }) => (req.url?.startsWith('/ical/') ? { ...req, url: hideFeedToken(req.url) } : req),
      },
    }),
  );
  app.use((req, _res, next) => requestContext.run({ requestId: req.id as string }, next));
  app.use(httpMetrics());
  app.get('/metrics', metricsHandler(ctx));
  // the client address that login throttling counts by: from X-Forwarded-For only when a trusted proxy set it
  const trust = ctx.config.DEALFLOW_TRUST_PROXY;
  app.set(
    'trust proxy',
    /^\d+$/.test(trust) ? Number(trust) : trust === 'true' ? true : trust === 'false' ? false : trust,
  );
  app.set('query parser', 'simple');
  const openapi = buildOpenApi(routes, { version: '0.1.0' });

  const api = express.Router();
  api.use(express.json({ limit: '1mb', strict: true }));
  api.get('/health', (_req, res) => {
    res.json({ status: 'alive' });
  });
  api.get('/ready', async (_req, res) => {
    const checks = await readiness(ctx);
    const ok = checks.postgres === 'ok' && checks.temporal === 'ok';
    if (!ok) res.set('Retry-After', '5');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', checks });
  });
  api.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  api.get('/docs', (_req, res) => {
    res.type('html').send(referencePage(cspNonce(res)));
  });
  mountRoutes(api, ctx, routes, authenticator(ctx));
  api.use((req, _res, next) => next(new AppError(404, 'NOT_FOUND', `No API operation ${req.method} ${req.path}`)));
  api.use(errorHandler);
  app.use('/api/v1', api);
  // any other path under /api/ is no operation either: problem+json, never the web app or Express's HTML page
  app.use('/api', (req, _res, next) =>
    next(new AppError(404, 'NOT_FOUND', `No API operation ${req.method} ${req.originalUrl}`)),
  );

  // the Internet calendar feeds: public, the token in the path is the credential
  app.use('/ical', icalRouter(ctx));

  serveWebApp(app, WEB_DIST);
  app.use(errorHandler);
  return app;
}
