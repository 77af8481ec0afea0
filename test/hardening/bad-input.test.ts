/**
 * Malformed input found by probing the running product: an invalid percent-escape in a path, a cursor holding a date
 * Postgres refuses, and paths under /api/ that are no operation. Each is the client's error, answered as problem+json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, login, Session, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let manager: Session;
let pipelineId: string;
beforeAll(async () => {
  h = await startHarness();
  const f = fixtures(h);
  const m = await f.user('manager');
  pipelineId = (await f.pipeline([['New', 'open', [], []]])).id;
  manager = await login(h, m.email);
});
afterAll(() => h?.close());

const cursorOf = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

function expectProblem(
  r: { status: number; body: { code?: string }; headers: Headers },
  status: number,
  code?: string,
) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  if (code) expect(r.body.code).toBe(code);
}

describe('bad input at the edge', () => {
  it('answers an invalid percent-escape in a path parameter with 400, logged in or not', async () => {
    expectProblem(await new Session(h.baseUrl).get('/deals/%ZZ'), 400, 'BAD_PATH');
    expectProblem(await manager.get('/deals/%ZZ'), 400, 'BAD_PATH');
    expectProblem(await manager.get('/deals/%E0%A4%A'), 400, 'BAD_PATH');
    expectProblem(await manager.get('/clients/%C0%80/contacts'), 400, 'BAD_PATH');
  });

  it('answers a cursor holding a year Postgres refuses with 400 BAD_CURSOR', async () => {
    const zero = cursorOf(['0000-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']);
    expectProblem(await manager.get(`/deals?pipelineId=${pipelineId}&cursor=${zero}`), 400, 'BAD_CURSOR');
    const deal = await manager.post('/deals', {
      title: 'Cursor deal',
      clientId: (await fixtures(h).client((await manager.get('/auth/me')).body.user.id)).id,
      pipelineId,
    });
    expect(deal.status).toBe(201);
    expectProblem(await manager.get(`/deals/${deal.body.id}/history?cursor=${zero}`), 400, 'BAD_CURSOR');
  });

  it('answers problem+json 404 for anything under /api/ that is not an operation', async () => {
    for (const p of ['/api/v2/x', '/api/', '/api', '/api/v1', '/api/v1/', '/api/v1/nope/%ZZ']) {
      const r = await fetch(`${h.baseUrl}${p}`);
      expect(r.status, p).toBe(404);
      expect(r.headers.get('content-type'), p).toContain('application/problem+json');
      expect((await r.json()).code).toBe('NOT_FOUND');
    }
    const post = await fetch(`${h.baseUrl}/api/v2/x`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(post.headers.get('content-type')).toContain('application/problem+json');
  });
});
