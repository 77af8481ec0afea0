import type { RouteSpec } from '../http.ts';
import { auditRoutes } from './audit.ts';
import { authRoutes } from './auth.ts';
import { clientRoutes } from './clients.ts';
import { dealRoutes } from './deals.ts';
import { departmentRoutes } from './departments.ts';
import { pipelineRoutes } from './pipelines.ts';
import { clientShareRoutes, dealShareRoutes } from './shares.ts';
import { streamRoutes } from './stream.ts';
import { userRoutes } from './users.ts';
import { passwordRoutes } from './passwords.ts';
import { importRoutes } from './imports.ts';
import { currencyRoutes } from './currency.ts';
import { savedFilterRoutes } from './saved-filters.ts';
import { calendarRoutes } from './calendar.ts';
import { calendarFeedRoutes } from './calendar-feeds.ts';
import { regulationRoutes } from './regulations.ts';
import { notificationRoutes } from './notifications.ts';
import { planRoutes } from './plans.ts';
import { feedRoutes } from './feed.ts';
import { documentRoutes } from './documents.ts';

/** Every operation of the HTTP API, in the order the reference lists them. */
export const allRoutes: RouteSpec[] = [
  ...authRoutes,
  ...userRoutes,
  ...departmentRoutes,
  ...clientRoutes,
  ...clientShareRoutes,
  ...dealRoutes,
  ...dealShareRoutes,
  ...pipelineRoutes,
  ...currencyRoutes,
  ...savedFilterRoutes,
  ...calendarRoutes,
  ...calendarFeedRoutes,
  ...regulationRoutes,
  ...notificationRoutes,
  ...planRoutes,
  ...feedRoutes,
  ...documentRoutes,
  ...streamRoutes,
  ...passwordRoutes,
  ...auditRoutes,
  ...importRoutes,
];
