/**
 * The clients' server state: the list (pages of GET /clients, searched by name), one client with its contacts, its
 * deals, the search of the client picker and the duplicates check; and the writes, each refreshing what it changed.
 * Everything sits under the ['clients'] key, which a live client event invalidates.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { allPages, call, client, type Client, type ClientDetail, type Deal, type RequestBody } from '../../api.js';
import { qk } from '../../query.js';

export const PAGE_SIZE = 50;

export const clientQuery = (id: string) => ({
  queryKey: qk.client(id),
  queryFn: () => call(client.GET('/api/v1/clients/{id}', { params: { path: { id } } })),
});

export const clientListQuery = (q: string) => ({
  queryKey: [...qk.clients, 'list', q] as const,
  queryFn: ({ pageParam }: { pageParam: string | null }) =>
    call(
      client.GET('/api/v1/clients', {
        params: { query: { q: q || undefined, limit: PAGE_SIZE, cursor: pageParam ?? undefined } },
      }),
    ),
  initialPageParam: null as string | null,
  getNextPageParam: (last: { nextCursor: string | null }) => last.nextCursor,
});

/** The first clients matching what was typed into a picker. */
export const clientSearchQuery = (q: string) => ({
  queryKey: [...qk.clients, 'search', q] as const,
  queryFn: () => call(client.GET('/api/v1/clients', { params: { query: { q: q || undefined, limit: 20 } } })),
});

export type DuplicateProbe = { name?: string; taxId?: string; email?: string; phone?: string };
/** Clients that look like the one being typed (same name, tax id, email or phone). */
export const duplicatesQuery = (probe: DuplicateProbe) => ({
  queryKey: [...qk.clients, 'duplicates', probe] as const,
  queryFn: () => call(client.GET('/api/v1/clients/duplicates', { params: { query: probe } })),
});

/** The deals of a client (up to five pages), for the client page. */
export const clientDealsQuery = (clientId: string) => ({
  queryKey: [...qk.deals, 'client', clientId] as const,
  queryFn: () => allPages<Deal>('/deals', { clientId }, 5),
});

export type NewClient = RequestBody<'createClient'>;
export type ClientChanges = RequestBody<'updateClient'>;
export type NewContact = RequestBody<'createContact'>;

export function useCreateClient() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewClient) => call(client.POST('/api/v1/clients', { body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: qk.clients }),
  });
}

/** PATCH /clients/:id from the version shown; the answer is the client as saved, shown at once. */
export function useUpdateClient(clientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ClientChanges) =>
      call(client.PATCH('/api/v1/clients/{id}', { params: { path: { id: clientId } }, body }), { method: 'PATCH' }),
    onSuccess: (c: Client) => {
      qc.setQueryData<ClientDetail>(qk.client(clientId), (prev) => (prev ? { ...prev, ...c } : prev));
      void qc.invalidateQueries({ queryKey: qk.clients });
    },
    // a conflict: someone changed the client meanwhile, read it again
    onError: () => void qc.invalidateQueries({ queryKey: qk.client(clientId) }),
  });
}

export function useAddContact(clientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewContact) =>
      call(client.POST('/api/v1/clients/{id}/contacts', { params: { path: { id: clientId } }, body })),
    onSuccess: (c) => {
      qc.setQueryData<ClientDetail>(qk.client(clientId), (prev) =>
        prev ? { ...prev, contacts: [...(prev.contacts ?? []), c] } : prev,
      );
      void qc.invalidateQueries({ queryKey: qk.client(clientId) });
    },
  });
}
