import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../shared/errors.ts';
import type { Viewer } from '../access/visibility.ts';
import { ImportJob, ImportRow, type ImportJobRow } from './entities.ts';
import { errorsCsv, guessMapping, type ImportDefaults, type ImportMapping } from './rules.ts';
import { importableFields, loadRefs } from './refs.ts';
import { checkRow, Gates, matchClient } from './rows.ts';

/** An import its owner (or an administrator) may see, or NOT_FOUND. */
export async function visibleImport(em: EntityManager, viewer: Viewer, id: string): Promise<ImportJobRow> {
  const job = await em.findOne(ImportJob, { id });
  if (!job || (job.ownerId !== viewer.id && viewer.role !== 'admin')) throw notFound('Import');
  return job;
}

export const SAMPLE_ROWS = 5;

/** Rows imported, failed and still to do, counted from the rows themselves. */
export async function progressOf(em: EntityManager, importId: string) {
  const rows = await em
    .getConnection()
    .execute<{ status: string; n: number }[]>(
      'select status, count(*)::int as n from import_rows where import_id = ? group by status',
      [importId],
    );
  const count = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
  const imported = count('imported');
  const failed = count('failed');
  const pending = count('pending');
  return { total: imported + failed + pending, imported, failed, pending };
}

/** The import as the API shows it: its columns and first rows, the mapping, where it stands. */
export async function importView(em: EntityManager, job: ImportJobRow) {
  const [sample, progress, fields] = await Promise.all([
    em.find(ImportRow, { importId: job.id }, { orderBy: { rowNumber: 'asc' }, limit: SAMPLE_ROWS }),
    progressOf(em, job.id),
    importableFields(em),
  ]);
  return {
    id: job.id,
    fileName: job.fileName,
    format: job.format,
    encoding: job.encoding ?? null,
    delimiter: job.delimiter ?? null,
    columns: job.columns,
    rowCount: job.rowCount,
    sample: sample.map((r) => ({ rowNumber: r.rowNumber, cells: r.cells })),
    mapping: (job.mapping ?? {}) as Record<string, number>,
    suggestedMapping: guessMapping(job.columns, fields) as Record<string, number>,
    defaults: { pipelineId: job.defaults?.pipelineId ?? null, currency: job.defaults?.currency ?? null },
    status: job.status,
    progress,
    ownerId: job.ownerId,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    version: job.version,
  };
}

/** Imports the viewer made (an administrator: everyone's), newest first. */
export async function listImports(em: EntityManager, viewer: Viewer, limit = 20) {
  const jobs = await em.find(ImportJob, viewer.role === 'admin' ? {} : { ownerId: viewer.id }, {
    orderBy: { createdAt: 'desc' },
    limit,
  });
  return Promise.all(
    jobs.map(async (j) => ({
      id: j.id,
      fileName: j.fileName,
      status: j.status,
      rowCount: j.rowCount,
      progress: await progressOf(em, j.id),
      createdAt: j.createdAt.toISOString(),
    })),
  );
}

export const PREVIEW_MAX = 100;

/**
 * What importing the first rows would do, with the given mapping (or the import's): per row its errors, or the
 * client it would use (an existing one, by what it matched) and the stage its deal would start in. Writes nothing.
 */
export async function previewImport(
  em: EntityManager,
  viewer: Viewer,
  job: ImportJobRow,
  opts: { mapping?: ImportMapping; defaults?: ImportDefaults; limit: number },
) {
  const shaped = {
    columns: job.columns,
    mapping: opts.mapping ?? job.mapping,
    defaults: opts.defaults ?? job.defaults,
  };
  const [rows, refs] = await Promise.all([
    em.find(
      ImportRow,
      { importId: job.id },
      { orderBy: { rowNumber: 'asc' }, limit: Math.min(opts.limit, PREVIEW_MAX) },
    ),
    loadRefs(em, viewer),
  ]);
  const gates = new Gates(em);
  const out = [];
  for (const r of rows) {
    const checked = await checkRow(shaped, r.cells, refs, gates);
    const plan = checked.plan;
    const match = plan ? await matchClient(em, viewer, plan.client) : null;
    const stage = plan?.deal
      ? refs.pipelines.flatMap((p) => p.stages).find((s) => s.id === plan.deal!.stageId)
      : undefined;
    out.push({
      rowNumber: r.rowNumber,
      cells: r.cells,
      errors: checked.errors,
      client: plan
        ? match
          ? { action: 'match' as const, id: match.id, name: match.name, matchedOn: match.matchedOn }
          : { action: 'create' as const, id: null, name: plan.client.name, matchedOn: [] }
        : null,
      contact: plan?.contact ? { name: plan.contact.name } : null,
      deal: plan?.deal
        ? {
            title: plan.deal.title,
            amount: plan.deal.amount,
            currency: plan.deal.currency,
            pipelineId: plan.deal.pipelineId,
            stageId: plan.deal.stageId,
            stageName: stage?.name ?? '',
            ownerId: plan.deal.ownerId,
          }
        : null,
    });
  }
  return {
    rows: out,
    checked: out.length,
    withErrors: out.filter((r) => r.errors.length > 0).length,
    total: job.rowCount,
  };
}

/** The rows that failed, with what was wrong, in file order (for the result page). */
export async function failedRows(em: EntityManager, job: ImportJobRow, limit: number, afterRow = 0) {
  const rows = await em.find(
    ImportRow,
    { importId: job.id, status: 'failed', rowNumber: { $gt: afterRow } },
    { orderBy: { rowNumber: 'asc' }, limit: limit + 1 },
  );
  const items = rows.slice(0, limit).map((r) => ({
    rowNumber: r.rowNumber,
    cells: r.cells,
    errors: r.errors ?? [],
  }));
  return { items, nextAfter: rows.length > limit ? items[items.length - 1].rowNumber : null };
}

/** The failed rows as a CSV file to fix and import again (rules.ts errorsCsv). */
export async function errorsFile(em: EntityManager, job: ImportJobRow): Promise<string> {
  const rows = await em.find(ImportRow, { importId: job.id, status: 'failed' }, { orderBy: { rowNumber: 'asc' } });
  return errorsCsv(
    job.columns,
    rows.map((r) => ({ rowNumber: r.rowNumber, cells: r.cells, errors: r.errors ?? [] })),
    job.delimiter === ';' || job.delimiter === '\t' ? job.delimiter : ',',
  );
}
