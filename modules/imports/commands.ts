import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client as TemporalClient } from '@temporalio/client';
import { DomainError, invalidReference, unavailable, versionConflict } from '../shared/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { storedFileName } from '../files/names.ts';
import { storeUpload } from '../files/store.ts';
import type { FileStorage } from '../files/storage.ts';
import { Pipeline } from '../pipelines/entities.ts';
import { importWorkflowId } from '../../workflows/import-contract.ts';
import { ImportJob, type ImportJobRow } from './entities.ts';
import { parseImportFile } from './parse.ts';
import { guessMapping, mappingProblems, parseCurrency, type ImportDefaults, type ImportMapping } from './rules.ts';
import { importableFields } from './refs.ts';

export const ImportErrors = {
  mappingInvalid: 'IMPORT_MAPPING_INVALID',
  notEditable: 'IMPORT_ALREADY_STARTED',
  notMapped: 'IMPORT_NOT_MAPPED',
} as const;

const INSERT_BATCH = 500;

/**
 * Reads an uploaded file, keeps it in the file store (content-addressed, like attachments) and records the import
 * with its rows and a mapping guessed from the headers. Nothing else is written until the import is started.
 */
export async function createImport(
  em: EntityManager,
  storage: FileStorage,
  actor: { id: string; email: string },
  upload: { path: string; originalname: string; size: number },
): Promise<ImportJobRow> {
  const fileName = storedFileName(upload.originalname);
  const parsed = parseImportFile(await fs.promises.readFile(upload.path), fileName);
  const stored = await storeUpload(em, storage, upload.path);
  const mapping = guessMapping(parsed.columns, await importableFields(em));
  const id = randomUUID();
  await em.fork().transactional(async (tem) => {
    await tem.insert(ImportJob, {
      id,
      ownerId: actor.id,
      fileName,
      fileSha256: stored.sha256,
      format: parsed.format,
      encoding: parsed.encoding,
      delimiter: parsed.delimiter,
      columns: parsed.columns,
      rowCount: parsed.rows.length,
      mapping,
      defaults: {},
      status: 'uploaded',
    });
    const conn = tem.getConnection();
    for (let i = 0; i < parsed.rows.length; i += INSERT_BATCH) {
      const batch = parsed.rows.slice(i, i + INSERT_BATCH);
      await conn.execute(
        `insert into import_rows (import_id, row_number, cells)
         select ?, n + ?, c from jsonb_array_elements(?::jsonb) with ordinality as t(c, n)`,
        [id, i, JSON.stringify(batch)],
        'run',
        tem.getTransactionContext(),
      );
    }
    await recordAudit(tem, {
      kind: 'import.uploaded',
      actorId: actor.id,
      actorEmail: actor.email,
      subjectType: 'import',
      subjectId: id,
      details: { fileName, format: parsed.format, rows: parsed.rows.length, sha256: stored.sha256 },
    });
  });
  return em.fork().findOneOrFail(ImportJob, { id });
}

/** Sets which columns feed which fields, and the pipeline and currency for what the file does not say. */
export async function setMapping(
  em: EntityManager,
  job: ImportJobRow,
  input: { mapping: ImportMapping; defaults: ImportDefaults; version: number },
): Promise<ImportJobRow> {
  if (job.status !== 'uploaded') throw new DomainError(ImportErrors.notEditable, 'The import has started already');
  const problems = mappingProblems(input.mapping, job.columns.length);
  if (problems.length) {
    throw new DomainError(ImportErrors.mappingInvalid, `The mapping is not usable: ${problems.join('; ')}`, {
      problems,
    });
  }
  if (input.defaults.pipelineId && !(await em.count(Pipeline, { id: input.defaults.pipelineId, archivedAt: null })))
    throw invalidReference('defaults.pipelineId', 'pipeline');
  const currency = input.defaults.currency ? parseCurrency(input.defaults.currency) : null;
  if (input.defaults.currency && !currency) {
    throw new DomainError('INVALID_FIELD_VALUE', 'defaults.currency: expects an ISO 4217 code such as EUR', {
      field: 'defaults.currency',
    });
  }
  const n = await em.nativeUpdate(
    ImportJob,
    { id: job.id, version: input.version, status: 'uploaded' },
    {
      mapping: input.mapping,
      defaults: { pipelineId: input.defaults.pipelineId ?? null, currency },
      version: raw('version + 1'),
      updatedAt: raw('now()'),
    },
  );
  if (!n) throw versionConflict('The import', job.version);
  return em.fork().findOneOrFail(ImportJob, { id: job.id });
}

/**
 * Starts importing the rows: the job is marked queued and its workflow (`import-<id>`) started, once: starting an
 * import that runs already is answered with it as it is. If Temporal cannot be reached the job stays queued and
 * starting it again is safe.
 */
export async function startImport(
  em: EntityManager,
  temporal: TemporalClient,
  taskQueue: string,
  actor: { id: string; email: string },
  job: ImportJobRow,
): Promise<ImportJobRow> {
  if (!job.mapping || mappingProblems(job.mapping, job.columns.length).length)
    throw new DomainError(ImportErrors.notMapped, 'Map the columns first');
  if (job.status === 'uploaded') {
    await em.fork().transactional(async (tem) => {
      const n = await tem.nativeUpdate(
        ImportJob,
        { id: job.id, status: 'uploaded' },
        { status: 'queued', updatedAt: raw('now()'), version: raw('version + 1') },
      );
      if (!n) return;
      await recordAudit(tem, {
        kind: 'import.started',
        actorId: actor.id,
        actorEmail: actor.email,
        subjectType: 'import',
        subjectId: job.id,
        details: { fileName: job.fileName, rows: job.rowCount, mapping: job.mapping, defaults: job.defaults },
      });
    });
  }
  if (job.status === 'uploaded' || job.status === 'queued') {
    try {
      await temporal.workflow.start('importWorkflow', {
        workflowId: importWorkflowId(job.id),
        taskQueue,
        args: [{ importId: job.id }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (e) {
      if ((e as Error).name !== 'WorkflowExecutionAlreadyStartedError') {
        console.error('import workflow could not be started', job.id, e);
        throw unavailable('The workflow service');
      }
    }
  }
  return em.fork().findOneOrFail(ImportJob, { id: job.id });
}
