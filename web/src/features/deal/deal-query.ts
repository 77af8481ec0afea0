/**
 * The deal page's server state: the deal (cached by id; a colleague's change arrives live and invalidates it), the
 * contacts of its client (shared with the client page's cache), and the writes the page makes, each refreshing what
 * it changed.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call, client, uploadAttachment, type CommandResult, type DealDetail } from '../../api.js';
import type { components } from '../../api/schema.js';
import { qk } from '../../query.js';
import { clientQuery } from '../clients/clients-query.js';

export const dealQuery = (id: string) => ({
  queryKey: qk.deal(id),
  queryFn: () => call(client.GET('/api/v1/deals/{id}', { params: { path: { id } } })),
});

/** The contacts of a client (the contact picker and the history, which names contacts by id); undefined until read. */
export function useClientContacts(clientId: string | undefined) {
  return useQuery({
    ...clientQuery(clientId ?? ''),
    enabled: !!clientId,
    select: (c) => c.contacts ?? [],
  });
}

/** After a write: the saved fields show at once, the re-read brings the history entry the write added. */
function useAfterWrite(dealId: string) {
  const qc = useQueryClient();
  return (r?: CommandResult) => {
    if (r) qc.setQueryData<DealDetail>(qk.deal(dealId), (d) => (d ? { ...d, ...r.deal } : d));
    void qc.invalidateQueries({ queryKey: qk.deal(dealId) });
    void qc.invalidateQueries({ queryKey: qk.boards });
  };
}

export type DealChanges = components['schemas']['DealChanges'];

/** PATCH /deals/:id with the version the edit started from (a colleague's change to the same field is a conflict). */
export function useSaveDeal(dealId: string) {
  const after = useAfterWrite(dealId);
  return useMutation({
    mutationFn: (body: { version: number; changes: DealChanges }) =>
      call(client.PATCH('/api/v1/deals/{id}', { params: { path: { id: dealId } }, body }), { method: 'PATCH' }),
    onSuccess: (r) => after(r),
  });
}

export function useUploadAttachment(dealId: string) {
  const after = useAfterWrite(dealId);
  return useMutation({
    mutationFn: (v: { file: File; kindId: string | null; version: number }) =>
      uploadAttachment(dealId, v.file, v.kindId, v.version),
    onSuccess: (r) => after(r),
  });
}

export function useRemoveAttachment(dealId: string) {
  const after = useAfterWrite(dealId);
  return useMutation({
    mutationFn: (attachmentId: string) =>
      call(
        client.DELETE('/api/v1/deals/{id}/attachments/{attachmentId}', {
          params: { path: { id: dealId, attachmentId } },
        }),
        { method: 'DELETE' },
      ),
    onSuccess: () => after(),
  });
}
