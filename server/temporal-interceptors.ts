/**
 * Temporal client and activity interceptors carrying the HTTP request id: the client puts the id of the request being
 * handled (requestContext) into the header `dealflow-request-id` of every workflow start, Update and Signal; the
 * workflow interceptors (workflows/interceptors.ts) pass it to the activities, whose log lines carry it.
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { currentRequestId } from './logger.ts';
import { REQUEST_ID_HEADER } from '../workflows/interceptors.ts';

const withRequestId = (headers: Headers): Headers => {
  const id = currentRequestId();
  return id ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(id) } : headers;
};

export const requestIdClientInterceptor: WorkflowClientInterceptor = {
  start: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
  startWithDetails: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
  signal: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
  signalWithStart: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
  startUpdate: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
  startUpdateWithStart: (input, next) =>
    next({
      ...input,
      workflowStartHeaders: withRequestId(input.workflowStartHeaders),
      updateHeaders: withRequestId(input.updateHeaders),
    }),
};

export const requestIdActivityInterceptor: ActivityInterceptorsFactory = () => {
  let requestId: string | undefined;
  return {
    inbound: {
      execute: (input, next) => {
        const p = input.headers[REQUEST_ID_HEADER];
        if (p) requestId = defaultPayloadConverter.fromPayload<string>(p);
        return next(input);
      },
    },
    outbound: { getLogAttributes: (input, next) => next(requestId ? { ...input, requestId } : input) },
  };
};
