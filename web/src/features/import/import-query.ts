/** The import's server state: uploads, the job (polled while it runs), its preview and failed rows. */
import { api } from '../../api.js';
import type { operations } from '../../api/schema.js';

type Json<Op extends keyof operations> =
  operations[Op]['responses'] extends Record<200, { content: { 'application/json': infer R } }> ? R : never;

export type ImportJob = Json<'getImport'>;
export type ImportPreview = Json<'previewImport'>;
export type ImportErrors = Json<'listImportErrors'>;
export type ImportList = Json<'listImports'>;
export type RowError = ImportPreview['rows'][number]['errors'][number];
export type Mapping = Record<string, number>;
export interface Defaults {
  pipelineId: string | null;
  currency: string | null;
}

/** The fields a column can feed, in the order the mapping offers them (custom deal fields follow). */
export {
  CUSTOM_PREFIX,
  IMPORT_TARGETS as TARGETS,
  type BuiltInTarget as Target,
} from '../../../../modules/imports/targets.js';

/** Row error codes with their own message; others are shown by a generic one with the code. */
export const ROW_ERROR_CODES = [
  'REQUIRED',
  'FORMULA',
  'TOO_LONG',
  'INVALID_EMAIL',
  'UNKNOWN_PIPELINE',
  'UNKNOWN_STAGE',
  'PIPELINE_HAS_NO_STAGES',
  'INVALID_AMOUNT',
  'INVALID_CURRENCY',
  'CURRENCY_REQUIRED',
  'AMBIGUOUS_DATE',
  'INVALID_DATE',
  'OWNER_NOT_ALLOWED',
  'UNKNOWN_OWNER',
  'LOST_REASON_REQUIRED',
  'UNKNOWN_FIELD',
  'INVALID_FIELD_VALUE',
  'STAGE_REQUIREMENTS_UNMET',
  'STAGE_REQUIREMENTS_CHANGED',
  'CLIENT_NOT_FOUND',
  'IMPORTER_DISABLED',
] as const;
export type RowErrorCode = (typeof ROW_ERROR_CODES)[number];

export const importKey = (id: string) => ['import', id] as const;

export const importQuery = (id: string) => ({
  queryKey: importKey(id),
  queryFn: () => api.get<ImportJob>(`/imports/${id}`),
  // while rows are being imported the progress is read every second
  refetchInterval: (q: { state: { data?: ImportJob } }) =>
    q.state.data && (q.state.data.status === 'queued' || q.state.data.status === 'running') ? 1000 : false,
});

export const importsQuery = {
  queryKey: ['imports'] as const,
  queryFn: () => api.get<ImportList>('/imports'),
};

export function uploadImport(file: File) {
  const form = new FormData();
  form.set('file', file, file.name);
  return api.post<ImportJob>('/imports', form);
}

export const saveMapping = (job: ImportJob, mapping: Mapping, defaults: Defaults) =>
  api.put<ImportJob>(`/imports/${job.id}/mapping`, { mapping, defaults, version: job.version });

export const previewImport = (id: string, mapping: Mapping, defaults: Defaults) =>
  api.post<ImportPreview>(`/imports/${id}/preview`, { mapping, defaults, limit: 20 });

export const startImport = (id: string) => api.post<ImportJob>(`/imports/${id}/start`);

export const importErrorsQuery = (id: string) => ({
  queryKey: ['import', id, 'errors'] as const,
  queryFn: () => api.get<ImportErrors>(`/imports/${id}/errors?limit=100`),
});

export const errorsFileUrl = (id: string) => `/api/v1/imports/${id}/errors.csv`;
