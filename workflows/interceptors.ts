/**
 * Workflow interceptors (bundled with the workflow code): the request id of the HTTP request that started a workflow
 * or sent an Update/Signal, taken from the Temporal header `dealflow-request-id`, appears in the workflow's log lines
 * and is passed on to the activities it schedules. Deterministic: it reads headers and adds headers, nothing more.
 */
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const REQUEST_ID_HEADER = 'dealflow-request-id';

export const interceptors: WorkflowInterceptorsFactory = () => {
  let requestId: string | undefined;
  const take = (headers: Headers) => {
    const p = headers[REQUEST_ID_HEADER];
    if (p) requestId = defaultPayloadConverter.fromPayload<string>(p);
  };
  const pass = (headers: Headers): Headers =>
    requestId ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } : headers;
  return {
    inbound: [
      {
        execute: (input, next) => {
          take(input.headers);
          return next(input);
        },
        validateUpdate: (input, next) => {
          take(input.headers);
          next(input);
        },
        handleUpdate: (input, next) => {
          take(input.headers);
          return next(input);
        },
        handleSignal: (input, next) => {
          take(input.headers);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next({ ...input, headers: pass(input.headers) }),
        scheduleLocalActivity: (input, next) => next({ ...input, headers: pass(input.headers) }),
        getLogAttributes: (input, next) => next(requestId ? { ...input, requestId } : input),
      },
    ],
  };
};
