/**
 * The administrator's writes to pipelines, document kinds and custom deal fields. The reads are the reference data
 * every page shares (session.tsx): each write refreshes it, so what was created is offered everywhere at once.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { call, client, type RequestBody } from '../../api.js';
import { qk } from '../../query.js';

export type NewPipeline = RequestBody<'createPipeline'>;
export type PipelineReplacement = RequestBody<'replacePipeline'>;
export type NewDocumentKind = RequestBody<'createDocumentKind'>;
export type NewDealField = RequestBody<'createDealField'>;

/** Creates a pipeline (no id) or replaces one (its id, with the version shown: a colleague's save meanwhile is 409). */
export function useSavePipeline() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: null; body: NewPipeline } | { id: string; body: PipelineReplacement }) =>
      v.id === null
        ? call(client.POST('/api/v1/pipelines', { body: v.body }), { method: 'POST' })
        : call(client.PUT('/api/v1/pipelines/{id}', { params: { path: { id: v.id } }, body: v.body }), {
            method: 'PUT',
          }),
    onSettled: () => qc.invalidateQueries({ queryKey: qk.pipelines }),
  });
}

export function useCreateDocumentKind() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewDocumentKind) => call(client.POST('/api/v1/document-kinds', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.documentKinds }),
  });
}

export function useCreateDealField() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewDealField) => call(client.POST('/api/v1/deal-fields', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.dealFields }),
  });
}
