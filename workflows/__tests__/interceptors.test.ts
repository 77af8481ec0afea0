/**
 * The request id that reached a workflow with an Update is passed on to what the workflow schedules next: a local
 * activity (every deal write) and a regular one. The real server path is proven in test/hardening/observability.
 */
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type { ActivityInput, LocalActivityInput, UpdateInput } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { REQUEST_ID_HEADER, interceptors } from '../interceptors.ts';

const idOf = (headers: Headers) => {
  const p = headers[REQUEST_ID_HEADER];
  return p ? defaultPayloadConverter.fromPayload<string>(p) : null;
};

function withUpdateFrom(requestId: string | null) {
  const { inbound, outbound } = interceptors();
  const inb = inbound![0];
  const out = outbound![0];
  const headers: Headers = requestId ? { [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } : {};
  void inb.handleUpdate!({ headers } as UpdateInput, () => Promise.resolve(undefined));
  return out;
}

describe('request id through the workflow', () => {
  it('goes on to the local activity and the activity an Update schedules', async () => {
    const out = withUpdateFrom('trace-1');
    let local: Headers = {};
    let regular: Headers = {};
    await out.scheduleLocalActivity!({ headers: {} } as unknown as LocalActivityInput, (i) => {
      local = i.headers;
      return Promise.resolve(undefined);
    });
    await out.scheduleActivity!({ headers: {} } as unknown as ActivityInput, (i) => {
      regular = i.headers;
      return Promise.resolve(undefined);
    });
    expect(idOf(local)).toBe('trace-1');
    expect(idOf(regular)).toBe('trace-1');
  });

  it('adds nothing when no request id came in', async () => {
    const out = withUpdateFrom(null);
    let local: Headers = { kept: defaultPayloadConverter.toPayload('x') };
    await out.scheduleLocalActivity!({ headers: local } as unknown as LocalActivityInput, (i) => {
      local = i.headers;
      return Promise.resolve(undefined);
    });
    expect(Object.keys(local)).toEqual(['kept']);
  });
});
