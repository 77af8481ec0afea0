/**
 * Internet calendar feeds: the user's feed links under /api/v1 (list without tokens, create — the only answer that
 * carries the token, its URLs and QR code — and revoke), and the public feed itself at /ical/<token>.ics, read by
 * calendar apps without a session (modules/calendar/feeds.ts).
 */
import express, { type Request, type Router } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import {
  FEED_SCOPES,
  createFeed,
  feedEtag,
  feedOfToken,
  feedText,
  feedUrls,
  listFeeds,
  revokeFeed,
} from '../../modules/calendar/feeds.ts';
import type { AppContext } from '../../server/context.ts';
import { AppError, problemBody } from '../errors.ts';
import { idParams, route, type RouteSpec } from '../http.ts';

const feedSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    scope: z.enum(FEED_SCOPES).describe("mine: your events and those you take part in; group: your group's too"),
    createdAt: z.string(),
  })
  .meta({ id: 'CalendarFeed' });

const createdSchema = feedSchema
  .extend({
    token: z.string().describe('the secret of the link: shown this once, only its hash is kept'),
    url: z.string().describe('the feed, e.g. https://crm.example.com/ical/<token>.ics'),
    webcalUrl: z.string().describe('the same address as webcal://, which calendar apps open to subscribe'),
    qrSvg: z.string().describe('a QR code of the webcal link, as an SVG document'),
  })
  .meta({ id: 'CalendarFeedCreated' });

/** The address users reach the app at: the configured one, else this request's own. */
export function publicBaseUrl(app: AppContext, req: Request): string {
  return app.config.DEALFLOW_PUBLIC_URL ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

export const calendarFeedRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/calendar/feeds',
    operationId: 'listCalendarFeeds',
    summary: 'Your Internet calendar feed links that are not revoked (their tokens are never shown again)',
    tag: 'Calendar',
    access: 'user',
    response: z.object({ items: z.array(feedSchema) }),
    handler: async ({ em, user }) => ({ items: await listFeeds(em, user.id) }),
  }),
  route({
    method: 'post',
    path: '/calendar/feeds',
    operationId: 'createCalendarFeed',
    summary:
      'Create a read-only feed link for calendar apps (Google, Outlook, Apple): its URL, webcal link and QR code, shown once',
    tag: 'Calendar',
    access: 'user',
    status: 201,
    errors: [400, 403, 409],
    body: z.strictObject({
      name: z.string().trim().min(1).max(100),
      scope: z.enum(FEED_SCOPES).default('mine').describe('group: leads only'),
    }),
    response: createdSchema,
    handler: async ({ em, user, body, app, req }) => {
      const feed = await createFeed(em, user, body);
      const urls = feedUrls(publicBaseUrl(app, req), feed.token);
      const qrSvg = await QRCode.toString(urls.webcalUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return { ...feed, ...urls, qrSvg };
    },
  }),
  route({
    method: 'delete',
    path: '/calendar/feeds/:id',
    operationId: 'revokeCalendarFeed',
    summary: 'Revoke one of your feed links: it stops working at once',
    tag: 'Calendar',
    access: 'user',
    errors: [404],
    params: idParams,
    handler: ({ em, user, params }) => revokeFeed(em, user.id, params.id),
  }),
];

/** A feed token in a path, hidden (for logs). */
export const hideFeedToken = (url: string) => url.replace(/^\/ical\/[^/?#]+/, '/ical/…');

/**
 * GET /ical/<token>.ics: the feed, public (the token is the credential). An unknown token, a revoked one and a
 * disabled user's get the same 404. The ETag comes from one small query, so a calendar app polling an unchanged
 * feed gets its 304 without the events being read.
 */
export function icalRouter(app: AppContext): Router {
  const router = express.Router();
  const missing = (res: express.Response) =>
    res
      .status(404)
      .set('Cache-Control', 'no-store')
      .type('application/problem+json')
      .send(JSON.stringify(problemBody(new AppError(404, 'NOT_FOUND', 'No such calendar feed'), '/ical')));
  router.get('/:file', async (req, res, next) => {
    try {
      const token = /^(.+)\.ics$/.exec(req.params.file)?.[1] ?? '';
      const em = app.orm.em.fork();
      const now = Date.now();
      const feed = await feedOfToken(em, token, now);
      if (!feed) return missing(res);
      const base = publicBaseUrl(app, req);
      const etag = await feedEtag(em, feed, base, now);
      res.set({ ETag: etag, 'Cache-Control': 'private, no-cache', 'X-Robots-Tag': 'noindex' });
      const sent = req.get('if-none-match');
      if (sent && sent.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
        return res.status(304).end();
      }
      const text = await feedText(em, feed, base, now, etag);
      res
        .status(200)
        .set('Content-Type', 'text/calendar; charset=utf-8')
        .set('Content-Disposition', 'inline; filename="dealflow.ics"')
        .send(text);
    } catch (e) {
      next(e);
    }
  });
  return router;
}
