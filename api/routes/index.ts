import type { RouteSpec } from '../http.ts';
import { authRoutes } from './auth.ts';
import { dealRoutes } from './deals.ts';

/** Every operation of the HTTP API, in the order the reference lists them. */
export const allRoutes: RouteSpec[] = [
  ...authRoutes,
  ...dealRoutes,
];
