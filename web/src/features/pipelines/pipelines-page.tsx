/**
 * Pipelines for administrators: the list, the editor of the one chosen (its stages and what each requires), and under
 * it the document kinds and custom deal fields a requirement can name.
 */
import { useEffect } from 'react';
import { useI18n } from '../../i18n/index.js';
import { navigate, useLocation } from '../../router.js';
import { useRefData } from '../../session.js';
import { Button, Empty, ErrorBox, Loading, usePageTitle } from '../../ui.js';
import { PipelineEditor, draftOf, newStage } from './pipeline-editor.js';
import { RequirementsAdmin } from './requirements-admin.js';

export function PipelinesAdminPage() {
  const { t } = useI18n();
  usePageTitle(t('pipelines.title'));
  const { sourcePipelines: pipelines, pipelinesError, pipelinesLoading, reloadPipelines } = useRefData();
  const { query } = useLocation();
  const selected = query.get('id');
  const isNew = query.get('new') === '1';
  const pipeline = pipelines.find((p) => p.id === selected) ?? null;

  useEffect(() => {
    if (!selected && !isNew && pipelines.length) navigate(`/admin/pipelines?id=${pipelines[0].id}`, { replace: true });
  }, [selected, isNew, pipelines]);

  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('pipelines.title')}</h1>
        </div>
        <Button variant="primary" icon="plus" onClick={() => navigate('/admin/pipelines?new=1')}>
          {t('pipelines.new')}
        </Button>
      </header>
      {pipelinesLoading ? (
        <Loading />
      ) : (
        <div className="split">
          <nav className="split-nav" aria-label={t('pipelines.title')}>
            <ErrorBox error={pipelinesError} onRetry={() => void reloadPipelines()} />
            {pipelines.length === 0 && !pipelinesError ? <Empty icon="flow">{t('pipelines.empty')}</Empty> : null}
            {pipelines.map((p) => (
              <button
                key={p.id}
                type="button"
                className={`split-item ${p.id === selected ? 'active' : ''}`}
                onClick={() => navigate(`/admin/pipelines?id=${p.id}`)}
              >
                <span className="strong">{p.name}</span>
                <span className="muted small">
                  {p.stages.length} ·{' '}
                  {p.stages
                    .map((s) => s.name)
                    .slice(0, 3)
                    .join(' → ')}
                  {p.stages.length > 3 ? ' …' : ''}
                </span>
                {p.archived ? <span className="badge">{t('pipelines.archived')}</span> : null}
              </button>
            ))}
          </nav>
          <div className="split-main">
            {isNew ? (
              <PipelineEditor
                key="new"
                initial={{
                  name: t('pipelines.newName'),
                  archived: false,
                  stages: [
                    newStage(t('stageKind.open'), 'open'),
                    newStage(t('stageKind.won'), 'won'),
                    newStage(t('stageKind.lost'), 'lost'),
                  ],
                }}
              />
            ) : pipeline ? (
              <PipelineEditor key={`${pipeline.id}:${pipeline.version}`} initial={draftOf(pipeline)} />
            ) : pipelines.length ? (
              <Empty icon="flow">{t('pipelines.selectOne')}</Empty>
            ) : null}
          </div>
        </div>
      )}
      <RequirementsAdmin />
    </div>
  );
}
