/**
 * Importing clients, contacts and deals from a CSV or XLSX file: upload → map the columns (guessed from the headers)
 * → preview the first rows with their errors → run with a progress bar → the result, with the failed rows to download.
 */
import { Alert, Badge, NativeSelect, Progress, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type ChangeEvent } from 'react';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.js';
import { useRefData } from '../../session.js';
import { Button, Empty, ErrorBox, Field, Icon, Loading, usePageTitle } from '../../ui.js';
import {
  CUSTOM_PREFIX,
  ROW_ERROR_CODES,
  TARGETS,
  errorsFileUrl,
  importErrorsQuery,
  importKey,
  importQuery,
  importsQuery,
  previewImport,
  saveMapping,
  startImport,
  uploadImport,
  type Defaults,
  type ImportJob,
  type ImportPreview,
  type Mapping,
  type RowError,
  type RowErrorCode,
  type Target,
} from './import-query.js';

/** /import: upload a file (and the latest imports); /import/:id: one import, at whatever step it is. */
export function ImportPage({ id }: { id?: string }) {
  const { t } = useI18n();
  usePageTitle(t('import.title'));
  return (
    <div className="page" data-testid="import-page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('import.title')}</h1>
        </div>
      </header>
      {id ? <ImportJobView id={id} /> : <Upload />}
    </div>
  );
}

function Upload() {
  const { t, dateTime } = useI18n();
  const qc = useQueryClient();
  const inputId = useId();
  const recent = useQuery(importsQuery);
  const upload = useMutation({
    mutationFn: uploadImport,
    onSuccess: (job) => {
      qc.setQueryData(importKey(job.id), job);
      void qc.invalidateQueries({ queryKey: importsQuery.queryKey });
      navigate(`/import/${job.id}`);
    },
  });
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) upload.mutate(file);
    e.target.value = '';
  };
  return (
    <>
      <div className="card import-card" data-testid="import-upload">
        <p>{t('import.uploadHint')}</p>
        <label htmlFor={inputId} className="sr-only">
          {t('import.chooseFile')}
        </label>
        <input
          id={inputId}
          type="file"
          accept=".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={onFile}
          disabled={upload.isPending}
          data-testid="import-file"
        />
        {upload.isPending ? <p className="muted">{t('import.uploading')}</p> : null}
        <ErrorBox error={upload.error} />
      </div>
      {recent.data?.items.length ? (
        <section className="mt-4">
          <h2>{t('import.recent')}</h2>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>{t('import.file')}</th>
                  <th>{t('import.status')}</th>
                  <th>{t('import.rows')}</th>
                  <th className="hide-sm">{t('import.when')}</th>
                </tr>
              </thead>
              <tbody>
                {recent.data.items.map((j) => (
                  <tr key={j.id}>
                    <td>
                      <Link to={`/import/${j.id}`} className="link">
                        {j.fileName}
                      </Link>
                    </td>
                    <td>{t(`import.state.${j.status}`)}</td>
                    <td>
                      {t('import.counts', {
                        imported: j.progress.imported,
                        failed: j.progress.failed,
                        total: j.rowCount,
                      })}
                    </td>
                    <td className="hide-sm">{dateTime(j.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}

function ImportJobView({ id }: { id: string }) {
  const q = useQuery(importQuery(id));
  if (q.isPending) return <Loading />;
  if (!q.data) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  const job = q.data;
  return (
    <>
      <FileSummary job={job} />
      {job.status === 'uploaded' ? <MappingStep job={job} /> : <RunStep job={job} />}
    </>
  );
}

function FileSummary({ job }: { job: ImportJob }) {
  const { t } = useI18n();
  return (
    <p className="muted import-file-summary" data-testid="import-file-summary">
      <Icon name="file" size={16} /> {job.fileName} ·{' '}
      {t('import.fileFacts', {
        rows: job.rowCount,
        columns: job.columns.length,
        format: job.format.toUpperCase(),
        encoding: job.encoding ?? '—',
      })}
    </p>
  );
}

/** The label of a target field: built-ins by the catalog, custom deal fields by the name the admin gave them. */
function useTargetLabel() {
  const { t, name } = useI18n();
  const { dealFields } = useRefData();
  return (target: string) => {
    if (target.startsWith(CUSTOM_PREFIX)) {
      const key = target.slice(CUSTOM_PREFIX.length);
      const f = dealFields.find((d) => d.key === key);
      return t('import.target.custom', { field: f ? name(f) : key });
    }
    return (TARGETS as readonly string[]).includes(target) ? t(`import.target.${target as Target}`) : target;
  };
}

function MappingStep({ job }: { job: ImportJob }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const { pipelines, dealFields } = useRefData();
  const label = useTargetLabel();
  const [mapping, setMapping] = useState<Mapping>(Object.keys(job.mapping).length ? job.mapping : job.suggestedMapping);
  const [defaults, setDefaults] = useState<Defaults>({
    pipelineId: job.defaults.pipelineId ?? pipelines.find((p) => !p.archived)?.id ?? null,
    currency: job.defaults.currency ?? '',
  });
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const targets = [
    ...TARGETS,
    ...dealFields
      .filter((f) => ['text', 'number', 'money', 'date', 'select'].includes(f.type))
      .map((f) => `${CUSTOM_PREFIX}${f.key}`),
  ];
  const targetOf = (col: number) => Object.entries(mapping).find(([, c]) => c === col)?.[0] ?? '';
  const assign = (col: number, target: string) => {
    const next: Mapping = {};
    for (const [k, c] of Object.entries(mapping)) if (c !== col && k !== target) next[k] = c;
    if (target) next[target] = col;
    setMapping(next);
    setPreview(null);
  };
  const cleanDefaults = (): Defaults => ({
    pipelineId: defaults.pipelineId || null,
    currency: defaults.currency?.trim() || null,
  });
  const check = useMutation({
    mutationFn: () => previewImport(job.id, mapping, cleanDefaults()),
    onSuccess: setPreview,
  });
  const start = useMutation({
    mutationFn: async () => {
      const saved = await saveMapping(job, mapping, cleanDefaults());
      return startImport(saved.id);
    },
    onSuccess: (j) => {
      qc.setQueryData(importKey(j.id), j);
      void qc.invalidateQueries({ queryKey: importKey(j.id) });
    },
  });
  return (
    <>
      <section className="card import-card" data-testid="import-mapping">
        <h2>{t('import.mapTitle')}</h2>
        <p className="muted">{t('import.mapHint')}</p>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{t('import.column')}</th>
                <th className="hide-sm">{t('import.sample')}</th>
                <th>{t('import.field')}</th>
              </tr>
            </thead>
            <tbody>
              {job.columns.map((col, i) => (
                <tr key={i} data-testid="import-column">
                  <td>
                    <strong>{col}</strong>
                  </td>
                  <td className="hide-sm muted small">
                    {job.sample
                      .map((r) => r.cells[i] ?? '')
                      .filter(Boolean)
                      .slice(0, 3)
                      .join(' · ')}
                  </td>
                  <td>
                    <NativeSelect
                      aria-label={t('import.fieldFor', { column: col })}
                      value={targetOf(i)}
                      data-testid={`import-target-${i}`}
                      onChange={(e) => assign(i, e.currentTarget.value)}
                      data={[
                        { value: '', label: t('import.skip') },
                        ...targets.map((tg) => ({ value: tg, label: label(tg) })),
                      ]}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="toolbar mt-4">
          <Field label={t('import.defaultPipeline')} htmlFor="import-pipeline">
            <NativeSelect
              id="import-pipeline"
              value={defaults.pipelineId ?? ''}
              onChange={(e) => {
                setDefaults({ ...defaults, pipelineId: e.currentTarget.value || null });
                setPreview(null);
              }}
              data={[
                { value: '', label: t('import.noDefault') },
                ...pipelines.filter((p) => !p.archived).map((p) => ({ value: p.id, label: p.name })),
              ]}
            />
          </Field>
          <Field label={t('import.defaultCurrency')} htmlFor="import-currency">
            <TextInput
              id="import-currency"
              value={defaults.currency ?? ''}
              placeholder="RUB"
              maxLength={10}
              onChange={(e) => {
                setDefaults({ ...defaults, currency: e.currentTarget.value });
                setPreview(null);
              }}
            />
          </Field>
        </div>
        <div className="toolbar mt-4">
          <Button variant="secondary" onClick={() => check.mutate()} busy={check.isPending} data-testid="import-check">
            {t('import.check')}
          </Button>
          <Button
            variant="primary"
            icon="upload"
            onClick={() => start.mutate()}
            busy={start.isPending}
            disabled={!preview}
            data-testid="import-start"
          >
            {t('import.start', { rows: job.rowCount })}
          </Button>
        </div>
        <ErrorBox error={check.error ?? start.error} />
      </section>
      {preview ? <PreviewTable job={job} preview={preview} /> : null}
    </>
  );
}

function PreviewTable({ job, preview }: { job: ImportJob; preview: ImportPreview }) {
  const { t, money } = useI18n();
  return (
    <section className="mt-4" data-testid="import-preview">
      <h2>{t('import.previewTitle')}</h2>
      <p className="muted">
        {t('import.previewSummary', { checked: preview.checked, errors: preview.withErrors, total: preview.total })}
      </p>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>{t('import.row')}</th>
              <th>{t('import.client')}</th>
              <th className="hide-sm">{t('import.deal')}</th>
              <th>{t('import.result')}</th>
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((r) => (
              <tr key={r.rowNumber} data-testid="import-preview-row" data-ok={r.errors.length === 0}>
                <td>{r.rowNumber}</td>
                <td>
                  {r.client ? (
                    <>
                      {r.client.name}{' '}
                      <Badge size="sm" variant="light" color={r.client.action === 'match' ? 'blue' : 'green'}>
                        {r.client.action === 'match' ? t('import.clientMatched') : t('import.clientNew')}
                      </Badge>
                    </>
                  ) : (
                    <span className="muted">{job.columns.length ? r.cells[0] : ''}</span>
                  )}
                </td>
                <td className="hide-sm">
                  {r.deal ? (
                    <>
                      {r.deal.title} · {r.deal.stageName}
                      {r.deal.amount ? ` · ${money(r.deal.amount, r.deal.currency)}` : ''}
                    </>
                  ) : null}
                </td>
                <td>
                  {r.errors.length ? (
                    <RowErrors errors={r.errors} />
                  ) : (
                    <Badge color="green" variant="light">
                      {t('import.rowOk')}
                    </Badge>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** What was wrong with a row, in the user's language (from the codes and details, never the server's sentence). */
function RowErrors({ errors }: { errors: RowError[] }) {
  const { t } = useI18n();
  const label = useTargetLabel();
  const { stageById } = useRefData();
  const text = (e: RowError) => {
    const details = e.details ?? {};
    const field = e.field && e.field !== 'deal' ? label(e.field) : '';
    const value = typeof details.value === 'string' ? details.value : '';
    if (e.code === 'STAGE_REQUIREMENTS_UNMET') {
      const missing = (details.missing ?? { fields: [], documentKinds: [] }) as {
        fields: { label: string }[];
        documentKinds: { name: string }[];
      };
      const list = [...missing.fields.map((f) => f.label), ...missing.documentKinds.map((k) => k.name)].join(', ');
      const stageId = typeof details.stageId === 'string' ? details.stageId : '';
      const stage = stageById(stageId)?.stage.name ?? (typeof details.stageName === 'string' ? details.stageName : '');
      return t('import.error.STAGE_REQUIREMENTS_UNMET', { stage, list });
    }
    if ((ROW_ERROR_CODES as readonly string[]).includes(e.code))
      return t(`import.error.${e.code as RowErrorCode}`, { field, value, column: e.column ?? '' });
    return t('import.errorOther', { code: e.code });
  };
  return (
    <ul className="import-errors" data-testid="import-row-errors">
      {errors.map((e, i) => (
        <li key={i} data-code={e.code}>
          {text(e)}
        </li>
      ))}
    </ul>
  );
}

function RunStep({ job }: { job: ImportJob }) {
  const { t } = useI18n();
  const p = job.progress;
  const done = p.imported + p.failed;
  const finished = job.status === 'done';
  const errors = useQuery({ ...importErrorsQuery(job.id), enabled: finished && p.failed > 0 });
  return (
    <section className="card import-card" data-testid="import-run" data-status={job.status}>
      <h2>{finished ? t('import.finished') : t('import.running')}</h2>
      <Progress.Root size="xl" aria-label={t('import.progress')} data-testid="import-progress">
        <Progress.Section value={p.total ? (p.imported / p.total) * 100 : 0} color="green" />
        <Progress.Section value={p.total ? (p.failed / p.total) * 100 : 0} color="red" />
      </Progress.Root>
      <p data-testid="import-counts" className="mt-2">
        {t('import.progressText', { done, total: p.total, imported: p.imported, failed: p.failed })}
      </p>
      {finished ? (
        <>
          {p.failed > 0 ? (
            <>
              <Alert color="orange" variant="light" title={t('import.failedTitle', { count: p.failed })}>
                {t('import.failedHint')}
              </Alert>
              <div className="toolbar mt-2">
                <a className="link" href={errorsFileUrl(job.id)} download data-testid="import-errors-download">
                  <Icon name="download" size={16} /> {t('import.downloadErrors')}
                </a>
              </div>
              {errors.data ? (
                <div className="table-wrap mt-2">
                  <table className="table" data-testid="import-failed-rows">
                    <thead>
                      <tr>
                        <th>{t('import.row')}</th>
                        <th>{t('import.result')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {errors.data.items.map((r) => (
                        <tr key={r.rowNumber}>
                          <td>{r.rowNumber}</td>
                          <td>
                            <RowErrors errors={r.errors} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : null}
            </>
          ) : (
            <Alert color="green" variant="light">
              {t('import.allImported')}
            </Alert>
          )}
          <div className="toolbar mt-4">
            <Link to="/deals" className="link">
              {t('import.toDeals')}
            </Link>
            <Link to="/clients" className="link">
              {t('import.toClients')}
            </Link>
            <Link to="/import" className="link">
              {t('import.another')}
            </Link>
          </div>
        </>
      ) : null}
      {!finished && !p.total ? <Empty icon="file">{t('import.queued')}</Empty> : null}
    </section>
  );
}
