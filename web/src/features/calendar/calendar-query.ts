/**
 * The calendar's server state: occurrences of a window, one event, outcomes, counters and interaction reports; and
 * the writes (plan, edit, cancel, record a result, write a report), each refreshing what it changed. Everything sits
 * under the ['calendar'] key; a result or a new event also refreshes the board (the cards' next activity).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call, client, qs, api, type Page, type RequestBody, type User } from '../../api.js';
import type { components } from '../../api/schema.js';
import { qk } from '../../query.js';

type Schemas = components['schemas'];
export type Occurrence = Schemas['CalendarOccurrence'];
export type CalendarEvent = Schemas['CalendarEvent'];
export type Outcome = Schemas['EventOutcome'];
export type Report = Schemas['InteractionReport'];
export type Counters = Schemas['CalendarCounters'];
export type EventKind = Occurrence['kind'];
export type ReportKind = Report['kind'];
export type Disposition = NonNullable<Report['disposition']>;
export type NewEvent = RequestBody<'createEvent'>;
export type EventEdit = RequestBody<'editEvent'>;
export type ResultBody = RequestBody<'recordEventResult'>;
export type NewReport = RequestBody<'createReport'>;

export const EVENT_KINDS: EventKind[] = ['call', 'meeting', 'email', 'task'];
export const REPORT_KINDS: ReportKind[] = ['call', 'meeting', 'email', 'task', 'negotiation'];
export const DISPOSITIONS: Disposition[] = ['answered', 'no_answer', 'busy', 'voicemail'];

export const calendarKey = ['calendar'] as const;

export interface OccurrenceFilter {
  from: string;
  to: string;
  owner?: string;
  dealId?: string;
  clientId?: string;
}

export const occurrencesQuery = (f: OccurrenceFilter) => ({
  queryKey: [...calendarKey, 'occurrences', f] as const,
  queryFn: () => call(client.GET('/api/v1/calendar/occurrences', { params: { query: f } })).then((r) => r.items),
});

export const eventQuery = (id: string) => ({
  queryKey: [...calendarKey, 'event', id] as const,
  queryFn: () => call(client.GET('/api/v1/calendar/events/{id}', { params: { path: { id } } })),
});

export const outcomesQuery = {
  queryKey: [...calendarKey, 'outcomes'] as const,
  queryFn: () => call(client.GET('/api/v1/calendar/outcomes', { params: { query: {} } })).then((r) => r.items),
  staleTime: 5 * 60_000,
};

export const countersQuery = {
  queryKey: [...calendarKey, 'counters'] as const,
  queryFn: () => call(client.GET('/api/v1/calendar/counters')).then((r) => r.items),
};

export interface ReportFilter {
  authorId?: string;
  clientId?: string;
  dealId?: string;
  kind?: ReportKind;
  from?: string;
  to?: string;
}
export const reportsQuery = (f: ReportFilter) => ({
  queryKey: [...calendarKey, 'reports', f] as const,
  queryFn: () => call(client.GET('/api/v1/reports', { params: { query: { ...f, limit: 100 } } })),
});

/** The active users of the directory (owner switch, participants). */
export const usersQuery = {
  queryKey: ['users', 'directory'] as const,
  queryFn: () => api.get<Page<User>>(`/users${qs({ limit: 100 })}`).then((r) => r.items.filter((u) => !u.disabled)),
  staleTime: 5 * 60_000,
};
export const useUsers = () => useQuery(usersQuery);

function useRefresh() {
  const qc = useQueryClient();
  return (board = false) => {
    void qc.invalidateQueries({ queryKey: calendarKey });
    if (board) void qc.invalidateQueries({ queryKey: qk.boards });
  };
}

export function useCreateEvent() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: NewEvent) => call(client.POST('/api/v1/calendar/events', { body })),
    onSuccess: (e) => refresh(!!e.dealId),
  });
}

export function useEditEvent() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: EventEdit }) =>
      call(client.PATCH('/api/v1/calendar/events/{id}', { params: { path: { id } }, body }), { method: 'PATCH' }),
    onSuccess: (e) => refresh(!!e.dealId),
  });
}

export function useCancelEvent() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ id, occurrence, version }: { id: string; occurrence?: string; version?: number }) =>
      call(
        client.POST('/api/v1/calendar/events/{id}/cancel', { params: { path: { id } }, body: { occurrence, version } }),
      ),
    onSuccess: (e) => refresh(!!e.dealId),
  });
}

export function useRecordResult() {
  const refresh = useRefresh();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ResultBody }) =>
      call(client.POST('/api/v1/calendar/events/{id}/result', { params: { path: { id } }, body })),
    onSuccess: (r) => {
      refresh(true);
      if (r.event.dealId) void qc.invalidateQueries({ queryKey: qk.deal(r.event.dealId) });
    },
  });
}

export function useCreateReport() {
  const refresh = useRefresh();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: { body: NewReport; key: string }) =>
      call(client.POST('/api/v1/reports', { body, headers: { 'idempotency-key': key } })),
    onSuccess: (r) => {
      refresh(false);
      if (r.dealId) void qc.invalidateQueries({ queryKey: qk.deal(r.dealId) });
    },
  });
}
