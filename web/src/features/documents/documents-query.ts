/** The document catalog's reads and writes: folders, documents, search, deal files, uploads with progress. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, call, client, currentCsrfToken, type CatalogDocument, type RequestBody } from '../../api.js';

export const docKeys = {
  all: ['documents'] as const,
  folders: ['documents', 'folders'] as const,
  list: (params: object) => ['documents', 'list', params] as const,
  one: (id: string) => ['documents', 'one', id] as const,
  dealFiles: (clientId: string | null) => ['documents', 'deal-files', clientId] as const,
  departments: ['departments'] as const,
};

export const foldersQuery = {
  queryKey: docKeys.folders,
  queryFn: () => call(client.GET('/api/v1/document-folders')),
};

export interface ListParams {
  folderId?: string;
  q?: string;
  trash?: boolean;
}
export const documentsQuery = (p: ListParams) => ({
  queryKey: docKeys.list(p),
  queryFn: () =>
    call(
      client.GET('/api/v1/documents', {
        params: {
          query: {
            folderId: p.q ? undefined : p.folderId,
            q: p.q || undefined,
            trash: p.trash ? 'true' : undefined,
            limit: 100,
          },
        },
      }),
    ),
});

export const documentQuery = (id: string) => ({
  queryKey: docKeys.one(id),
  queryFn: () => call(client.GET('/api/v1/documents/{id}', { params: { path: { id } } })),
});

export const dealFilesQuery = (clientId: string | null) => ({
  queryKey: docKeys.dealFiles(clientId),
  queryFn: () =>
    call(client.GET('/api/v1/documents/deal-files', { params: { query: { clientId: clientId ?? undefined } } })),
});

export const departmentsQuery = {
  queryKey: docKeys.departments,
  queryFn: () => call(client.GET('/api/v1/departments')),
  staleTime: 60_000,
};

/** The URL of a version's file; inline shows a PDF or an image in the browser. */
export const contentUrl = (id: string, number: number, inline = false) =>
  `/api/v1/documents/${id}/versions/${number}/content${inline ? '?inline=true' : ''}`;

/**
 * Sends a file as multipart/form-data with XMLHttpRequest, whose upload reports progress (fetch's does not);
 * a refusal is an ApiError from the problem's code, as for every other request.
 */
export function uploadWithProgress<T>(
  path: string,
  fields: Record<string, string>,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<T> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1${path}`);
    xhr.setRequestHeader('accept', 'application/json');
    const csrf = currentCsrfToken();
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', '', { status: 0, code: 'NETWORK', detail: '' }, 'POST'));
    xhr.onload = () => {
      let json: Record<string, unknown> | null;
      try {
        json = xhr.responseText ? (JSON.parse(xhr.responseText) as Record<string, unknown>) : null;
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(json as T);
      const code = typeof json?.code === 'string' ? json.code : `HTTP_${xhr.status}`;
      const detail = typeof json?.detail === 'string' ? json.detail : '';
      reject(new ApiError(xhr.status, code, detail, { ...json, status: xhr.status, code, detail }, 'POST'));
    };
    xhr.send(form);
  });
}

export function useCreateFolder() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RequestBody<'createDocumentFolder'>) =>
      call(client.POST('/api/v1/document-folders', { body }), { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: docKeys.folders }),
  });
}

export function useUpdateFolder() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: RequestBody<'updateDocumentFolder'> & { id: string }) =>
      call(client.PATCH('/api/v1/document-folders/{id}', { params: { path: { id } }, body }), { method: 'PATCH' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: docKeys.all }),
  });
}

export function useUpdateDocument(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RequestBody<'updateDocument'>) =>
      call(client.PATCH('/api/v1/documents/{id}', { params: { path: { id } }, body }), { method: 'PATCH' }),
    onSuccess: (d: CatalogDocument) => {
      qc.setQueryData(docKeys.one(id), d);
      void qc.invalidateQueries({ queryKey: ['documents', 'list'] });
    },
  });
}

export function useTrashDocument(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (trash: boolean) =>
      trash
        ? call(client.DELETE('/api/v1/documents/{id}', { params: { path: { id } } }), { method: 'DELETE' })
        : call(client.POST('/api/v1/documents/{id}/restore', { params: { path: { id } } }), { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: docKeys.all }),
  });
}
