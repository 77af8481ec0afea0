import { defineEntity, p } from '@mikro-orm/core';
import { recordId, timestamps, versioned } from '../shared/entity.ts';
import type { ImportDefaults, ImportMapping, RowError } from './rules.ts';

export const IMPORT_STATUSES = ['uploaded', 'queued', 'running', 'done'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** An import of one file: its detected columns, the mapping its owner chose, and where it stands. */
export const ImportJob = defineEntity({
  name: 'ImportJob',
  tableName: 'imports',
  properties: {
    ...recordId(),
    ownerId: p.uuid(),
    fileName: p.text(),
    fileSha256: p.string().length(64),
    format: p.enum(['csv', 'xlsx'] as const),
    encoding: p.text().nullable(),
    delimiter: p.text().nullable(),
    columns: p.json<string[]>(),
    rowCount: p.integer(),
    mapping: p.json<ImportMapping>().nullable(),
    defaults: p.json<ImportDefaults>(),
    status: p.enum(IMPORT_STATUSES),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    ...timestamps(),
    ...versioned(),
  },
});
export type ImportJobRow = InstanceType<typeof ImportJob.class>;

export const IMPORT_ROW_STATUSES = ['pending', 'imported', 'failed'] as const;
export type ImportRowStatus = (typeof IMPORT_ROW_STATUSES)[number];

/** One data line of the file (row 1 is the first line under the header) and what became of it. */
export const ImportRow = defineEntity({
  name: 'ImportRow',
  tableName: 'import_rows',
  properties: {
    importId: p.uuid().primary(),
    rowNumber: p.integer().primary(),
    cells: p.json<string[]>(),
    status: p.enum(IMPORT_ROW_STATUSES),
    errors: p.json<RowError[]>().nullable(),
    clientId: p.uuid().nullable(),
    contactId: p.uuid().nullable(),
    dealId: p.uuid().nullable(),
    clientCreated: p.boolean().nullable(),
    finishedAt: p.datetime().nullable(),
  },
});
export type ImportRowRow = InstanceType<typeof ImportRow.class>;
