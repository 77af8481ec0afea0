/**
 * The security matrix over the capabilities' routes (calendar, reports, regulations, revenue plans, the feed, documents): every operation
 * refuses an anonymous caller (401), every administrator operation refuses every other role (403), and every write from
 * a cookie session without the CSRF header is refused (403) — whatever the body.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, Session, startHarness, type Harness } from '../support/harness.ts';
import type { RouteSpec } from '../../api/http.ts';
import { calendarRoutes } from '../../api/routes/calendar.ts';
import { calendarFeedRoutes } from '../../api/routes/calendar-feeds.ts';
import { notificationRoutes } from '../../api/routes/notifications.ts';
import { regulationRoutes } from '../../api/routes/regulations.ts';
import { planRoutes } from '../../api/routes/plans.ts';
import { feedRoutes } from '../../api/routes/feed.ts';
import { documentRoutes } from '../../api/routes/documents.ts';

const ROUTES: RouteSpec[] = [
  ...calendarRoutes,
  ...calendarFeedRoutes,
  ...notificationRoutes,
  ...regulationRoutes,
  ...planRoutes,
  ...feedRoutes,
  ...documentRoutes,
];
const fill = (path: string) =>
  path.replace(/:([A-Za-z]+)/g, (_, name: string) =>
    name === 'key' ? 'some_key' : name === 'version' || name === 'number' ? '1' : randomUUID(),
  );
const label = (r: RouteSpec) => `${r.method.toUpperCase()} ${r.path}`;

let h: Harness;
let sessions: Record<'admin' | 'manager' | 'lead' | 'process_owner' | 'member', Session>;

beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const roles = ['admin', 'manager', 'lead', 'process_owner', 'member'] as const;
  const users = await Promise.all(roles.map((r) => f.user(r)));
  const logged = await Promise.all(users.map((u) => login(h, u.email)));
  sessions = Object.fromEntries(roles.map((r, i) => [r, logged[i]])) as typeof sessions;
});
afterAll(() => h?.close());

describe('capability routes: access', () => {
  it('lists what it covers: no public operation among them', () => {
    expect(ROUTES).toHaveLength(25 + 16 + 3 + 4 + 13 + 13);
    expect(ROUTES.some((r) => r.access === 'public')).toBe(false);
    expect(ROUTES.filter((r) => r.access === 'admin').map(label)).toEqual([
      'POST /calendar/outcomes',
      'PATCH /calendar/outcomes/:id',
      'PUT /calendar/settings',
      'PUT /plan-settings',
    ]);
  });

  it('answers 401 to every operation without a session', async () => {
    const anonymous = new Session(h.baseUrl);
    const results = await Promise.all(
      ROUTES.map(async (r) => {
        const res = await anonymous.request(r.method.toUpperCase(), fill(r.path), r.method === 'get' ? undefined : {});
        return [label(r), res.status];
      }),
    );
    expect(results).toEqual(ROUTES.map((r) => [label(r), 401]));
  });

  it('answers 403 to every other role on administrator operations', async () => {
    const admin = ROUTES.filter((r) => r.access === 'admin');
    for (const role of ['manager', 'lead', 'process_owner', 'member'] as const) {
      const results = await Promise.all(
        admin.map(async (r) => [
          role,
          label(r),
          (await sessions[role].request(r.method.toUpperCase(), fill(r.path), {})).status,
        ]),
      );
      expect(results).toEqual(admin.map((r) => [role, label(r), 403]));
    }
  });

  it('refuses every write from a cookie session without the CSRF header', async () => {
    const noCsrf = new Session(h.baseUrl);
    noCsrf.cookie = sessions.admin.cookie;
    const writes = ROUTES.filter((r) => r.method !== 'get');
    const results = await Promise.all(
      writes.map(async (r) => {
        const res = await noCsrf.request(r.method.toUpperCase(), fill(r.path), {});
        return [label(r), res.status, res.body?.code];
      }),
    );
    expect(results).toEqual(writes.map((r) => [label(r), 403, 'CSRF_TOKEN_INVALID']));
  });
});
