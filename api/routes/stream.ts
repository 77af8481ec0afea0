import { z } from 'zod';
import { route, type RouteSpec } from '../http.ts';

export const streamRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/stream',
    operationId: 'streamEvents',
    summary:
      'Server-Sent Events: every committed change to a record you can see (deal, client, contact), as ' +
      '`id: <event id>`, `event: record`, `data: {"id","recordType","recordId","kind","actorId","at"}` (contact ' +
      'events also carry clientId). Reconnect with Last-Event-ID to get what you missed; events are at-least-once, ' +
      'drop ids you have seen (a new EventSource cannot send the header: pass `lastEventId` in the query instead). ' +
      '`event: reset` asks you to reload: you were too far behind. Each new notification of yours arrives as ' +
      '`event: notification` (no id line) with the notification as GET /notifications lists it; ' +
      '`event: notification-sync` says some may have been missed (read the unread count again). A new post or ' +
      'comment of the feed you may read arrives as `event: feed` (no id line) with ' +
      '`{"kind","postId","commentId","authorId","systemKind","at"}`; `event: feed-sync` says some may have been ' +
      'missed (read the feed again). Comment lines are heartbeats.',
    tag: 'Live',
    access: 'user',
    errors: [429],
    query: z.strictObject({
      lastEventId: z
        .string()
        .max(40)
        .optional()
        .describe('the id of the last event you received, for a new EventSource (the header wins when both are sent)'),
    }),
    headers: z.object({
      'last-event-id': z.string().max(40).optional().describe('the id of the last event you received'),
    }),
    rawResponse: { contentType: 'text/event-stream', description: 'the event stream; it stays open' },
    handler: async ({ app, user, query, req, res }) => {
      // EventSource sends the header itself when it reconnects; a tab taking the stream over sends the query
      const lastEventId = req.get('last-event-id') ?? query.lastEventId ?? null;
      await app.live.subscribe(user, res, lastEventId, () => {
        res.status(200).set({
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        res.flushHeaders();
      });
    },
  }),
];
