import { z } from 'zod';
import { markAllNotificationsRead, markNotificationRead } from '../../modules/notifications/commands.ts';
import { listNotifications, unreadCount } from '../../modules/notifications/queries.ts';
import { pageOf, pageQuery, route, type RouteSpec } from '../http.ts';

const notificationId = z
  .string()
  .regex(/^\d{1,18}$/)
  .describe('a notification id');

const notificationSchema = z
  .object({
    id: notificationId,
    kind: z.string().describe('reminder (before an event), result_due (its result is asked for), result_escalated'),
    recordType: z.string().nullable().describe('what it is about, e.g. event'),
    recordId: z.uuid().nullable(),
    data: z
      .looseObject({
        title: z.string().optional(),
        kind: z.string().optional().describe("the event's kind: call, meeting, email, task"),
        occurrence: z.string().optional().describe('the start of the occurrence it is about'),
        end: z.string().optional(),
        minutesBefore: z.number().optional().describe('a reminder: how long before the start'),
        asks: z.number().optional().describe('result_due: the how-manyth time the result is asked for'),
        ownerId: z.uuid().optional().describe('result_escalated: whose result is overdue'),
        dealId: z.uuid().nullable().optional(),
        clientId: z.uuid().nullable().optional(),
      })
      .describe('the facts the text is made of, as they were when the notification was made'),
    ownerName: z.string().nullable().describe("the name of data.ownerId's user"),
    createdAt: z.iso.datetime(),
    readAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Notification' });

/** Your notifications: reminders, results asked for, results overdue in your group. Only ever your own. */
export const notificationRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/notifications',
    operationId: 'listNotifications',
    summary: 'Your notifications, newest first (new ones also arrive live on GET /stream as `event: notification`)',
    tag: 'Notifications',
    access: 'user',
    query: z.strictObject({
      ...pageQuery,
      unread: z
        .enum(['true', 'false'])
        .optional()
        .transform((v) => v === 'true')
        .describe('true: only those not read yet'),
    }),
    response: pageOf(notificationSchema),
    handler: ({ em, user, query }) =>
      listNotifications(em, user.id, { unread: query.unread, cursor: query.cursor, limit: query.limit }),
  }),
  route({
    method: 'get',
    path: '/notifications/unread-count',
    operationId: 'unreadNotificationCount',
    summary: 'How many of your notifications are not read yet',
    tag: 'Notifications',
    access: 'user',
    response: z.object({ count: z.number().int() }),
    handler: async ({ em, user }) => ({ count: await unreadCount(em, user.id) }),
  }),
  route({
    method: 'post',
    path: '/notifications/read-all',
    operationId: 'markAllNotificationsRead',
    summary: 'Mark your unread notifications read (those up to throughId when given); answers how many',
    tag: 'Notifications',
    access: 'user',
    body: z.strictObject({
      throughId: notificationId
        .optional()
        .describe('the newest notification you saw: one that arrived after it stays unread'),
    }),
    response: z.object({ marked: z.number().int() }),
    handler: ({ em, user, body }) => markAllNotificationsRead(em, user.id, body.throughId),
  }),
  route({
    method: 'post',
    path: '/notifications/:id/read',
    operationId: 'markNotificationRead',
    summary: "Mark one of your notifications read (another user's is 404)",
    tag: 'Notifications',
    access: 'user',
    errors: [404],
    params: z.strictObject({ id: notificationId }),
    response: notificationSchema,
    handler: ({ em, user, params }) => markNotificationRead(em, user.id, params.id),
  }),
];
