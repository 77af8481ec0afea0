/**
 * Logs, request ids and metrics as an operator sees them: one JSON line per request with its request id (a sane
 * incoming X-Request-Id is kept and echoed), no secrets in any line, the request id carried into the deal's workflow
 * and its activities (Temporal headers), and Prometheus metrics at /metrics.
 */
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { createLogger } from '../../server/logger.ts';
import { fixtures, PASSWORD, Session, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let server: Server;
let baseUrl: string;
const lines: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  // the same app, logging into memory at info level, as `npm start` logs to stdout
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  server = await new Promise((resolve) => {
    const s = createApp(h.ctx, undefined, { logger: createLogger({ level: 'info', destination }) }).listen(
      0,
      '127.0.0.1',
      () => resolve(s),
    );
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await h?.close();
});

const logged = () => lines.map((l) => JSON.parse(l));

describe('logs', () => {
  it('are JSON lines with the request id, echoed to the client; a sane incoming id is kept, another replaced', async () => {
    const r = await fetch(`${baseUrl}/api/v1/openapi.json`, { headers: { 'x-request-id': 'trace-abc.123:x' } });
    expect(r.headers.get('x-request-id')).toBe('trace-abc.123:x');
    const odd = await fetch(`${baseUrl}/api/v1/openapi.json`, { headers: { 'x-request-id': 'x'.repeat(200) } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const none = await fetch(`${baseUrl}/api/v1/openapi.json`);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 50));
    const line = logged().find((l) => l.req?.id === 'trace-abc.123:x');
    expect(line).toMatchObject({
      level: 30,
      service: 'dealflow',
      req: { method: 'GET', url: '/api/v1/openapi.json' },
      res: { statusCode: 200 },
    });
    expect(typeof line.responseTime).toBe('number');
  });

  it('never hold passwords, cookies, CSRF tokens or API tokens', async () => {
    const u = await fixtures(h).user('manager');
    const s = new Session(baseUrl);
    const ok = await s.post('/auth/login', { email: u.email, password: PASSWORD });
    expect(ok.status).toBe(200);
    s.csrf = ok.body.csrfToken;
    await new Session(baseUrl).post('/auth/login', { email: u.email, password: 'a wrong secret guess' });
    const token = (await s.post('/auth/tokens', { name: 'logs' })).body.token;
    await new Session(baseUrl, token).get('/auth/me');
    await s.post('/auth/password', { currentPassword: PASSWORD, newPassword: 'another long passphrase' });
    await new Promise((r) => setTimeout(r, 50));
    const all = lines.join('\n');
    const cookieValue = s.cookie.split('=')[1];
    for (const secret of [PASSWORD, 'a wrong secret guess', 'another long passphrase', cookieValue, s.csrf, token]) {
      expect(all, secret).not.toContain(secret);
    }
    expect(all).toContain('[redacted]');
  });
});

describe('the request id in Temporal', () => {
  it("travels into the deal's workflow Update (and from there to its writes: workflows/__tests__)", async () => {
    const f = fixtures(h);
    const m = await f.user('manager');
    const p = await f.pipeline([['New', 'open', [], []]]);
    const s = new Session(baseUrl);
    s.csrf = (await s.post('/auth/login', { email: m.email, password: PASSWORD })).body.csrfToken;
    const r = await s.request(
      'POST',
      '/deals',
      { title: 'Traced', clientId: (await f.client(m.id)).id, pipelineId: p.id },
      { 'x-request-id': 'trace-deal-1' },
    );
    expect(r.status).toBe(201);
    const history = await h.ctx.temporal.workflow.getHandle(`deal-${r.body.id}`).fetchHistory();
    const ids = (fields: Record<string, { data?: Uint8Array | null }> | null | undefined) =>
      fields?.['dealflow-request-id']?.data
        ? JSON.parse(Buffer.from(fields['dealflow-request-id'].data).toString())
        : null;
    const events = history.events ?? [];
    const update = events.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(
      ids(update?.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.header?.fields as never),
    ).toBe('trace-deal-1');
  });
});

describe('metrics', () => {
  it('are served at /metrics in Prometheus format: HTTP latency by route and status, the database pool', async () => {
    await fetch(`${baseUrl}/api/v1/deals`);
    const r = await fetch(`${baseUrl}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    const text = await r.text();
    expect(text).toMatch(
      /dealflow_http_request_duration_seconds_bucket\{le="[\d.]+",method="GET",route="\/api\/v1\/deals",status="401"\}/,
    );
    expect(text).toMatch(/dealflow_db_pool_connections\{state="in_use"\} \d+/);
    expect(text).toContain('dealflow_process_cpu_seconds_total');
  });
});
