/**
 * A frozen Postgres (as under SIGSTOP: connections stay open, nothing answers) must not hang requests: the pool's
 * acquire, statement and read timeouts turn it into 503 with Retry-After within a few seconds, and the API works
 * again once Postgres does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, startHarness, type Harness, type Session } from '../support/harness.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

let h: Harness;
let pgProxy: TcpProxy;
let manager: Session;
let clientId: string;

beforeAll(async () => {
  h = await startHarness({
    route: async ({ databaseUrl, temporalAddress }) => {
      const db = new URL(databaseUrl);
      pgProxy = await startTcpProxy(db.hostname, Number(db.port || 5432));
      db.port = String(pgProxy.port);
      return { databaseUrl: db.toString(), temporalAddress };
    },
  });
  const f = fixtures(h);
  const m = await f.user('manager');
  clientId = (await f.client(m.id)).id;
  manager = await login(h, m.email);
});
afterAll(async () => {
  pgProxy?.thaw();
  await h?.close();
  await pgProxy?.close();
});

describe('a frozen Postgres', () => {
  it('gets 503 with Retry-After within a few seconds on reads and writes, and the API recovers after', async () => {
    expect((await manager.get(`/clients/${clientId}`)).status).toBe(200);
    pgProxy.freeze();
    try {
      const timed = async (p: Promise<{ status: number; body: { code?: string }; headers: Headers }>) => {
        const t0 = Date.now();
        const r = await p;
        return { ...r, ms: Date.now() - t0 };
      };
      const answers = await Promise.all([
        timed(manager.get(`/clients/${clientId}`)),
        timed(manager.get('/clients')),
        timed(manager.post('/clients', { name: 'During the freeze' })),
        timed(manager.get('/auth/me')),
        ...Array.from({ length: 12 }, () => timed(manager.get(`/clients/${clientId}`))),
      ]);
      for (const r of answers) {
        expect(r.status, JSON.stringify(r.body)).toBe(503);
        expect(r.headers.get('retry-after')).toBeTruthy();
        expect(r.body.code).toBe('SERVICE_UNAVAILABLE');
        expect(r.ms).toBeLessThan(10_000);
      }
    } finally {
      pgProxy.thaw();
    }
    let ok = 0;
    for (let i = 0; i < 40 && ok !== 200; i++) {
      ok = (await manager.get(`/clients/${clientId}`)).status;
      if (ok !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(ok).toBe(200);
  }, 60_000);
});
