import { useEffect, useRef, useState } from 'react';
import { ApiError, api, type Pipeline, type StageKind } from '../api.js';
import { useDocumentTitle } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { useLabels } from '../labels.js';
import { navigate, useLocation } from '../router.js';
import { useRefData } from '../session.js';
import { Button, Card, Empty, ErrorBox, Field, Icon, Loading, useToast } from '../ui.js';
import { RequirementsAdmin } from './admin-fields.js';

interface DraftStage {
  key: string;
  id?: string;
  name: string;
  kind: StageKind;
  requiredFields: string[];
  requiredDocumentKinds: string[];
  /** whole numbers as typed; '' not set */
  stuckAfterDays: string;
  winProbability: string;
}
interface Draft {
  id?: string;
  name: string;
  version?: number;
  archived?: boolean;
  stages: DraftStage[];
}

let seq = 0;
/** a whole number from lo to hi, as typed */
const wholeIn = (v: string, lo: number, hi: number) => /^\d+$/.test(v) && Number(v) >= lo && Number(v) <= hi;
const newKey = () => `new-${++seq}`;

function draftOf(p: Pipeline): Draft {
  return {
    id: p.id,
    name: p.name,
    version: p.version,
    archived: p.archived,
    stages: [...p.stages]
      .sort((a, b) => a.position - b.position)
      .map((s) => ({
        key: s.id,
        id: s.id,
        name: s.name,
        kind: s.kind,
        requiredFields: [...s.requiredFields],
        requiredDocumentKinds: [...s.requiredDocumentKinds],
        stuckAfterDays: s.stuckAfterDays === null ? '' : String(s.stuckAfterDays),
        winProbability: s.winProbability === null ? '' : String(s.winProbability),
      })),
  };
}

export function PipelinesAdminPage() {
  const { t } = useI18n();
  useDocumentTitle(t('pipelines.title'));
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
                  stages: [
                    {
                      key: newKey(),
                      name: t('stageKind.open'),
                      kind: 'open',
                      requiredFields: [],
                      requiredDocumentKinds: [],
                      stuckAfterDays: '',
                      winProbability: '',
                    },
                    {
                      key: newKey(),
                      name: t('stageKind.won'),
                      kind: 'won',
                      requiredFields: [],
                      requiredDocumentKinds: [],
                      stuckAfterDays: '',
                      winProbability: '',
                    },
                    {
                      key: newKey(),
                      name: t('stageKind.lost'),
                      kind: 'lost',
                      requiredFields: [],
                      requiredDocumentKinds: [],
                      stuckAfterDays: '',
                      winProbability: '',
                    },
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

function PipelineEditor({ initial }: { initial: Draft }) {
  const { t } = useI18n();
  const toast = useToast();
  const { reloadPipelines, builtInFields, dealFields, documentKinds } = useRefData();
  const { fieldLabel, kindName } = useLabels();
  const [draft, setDraft] = useState<Draft>(initial);
  const [open, setOpen] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState<Record<string, boolean>>({});
  const dirty = JSON.stringify(draft) !== JSON.stringify(initial);
  const errorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) errorRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [error]);

  const setStage = (key: string, fn: (s: DraftStage) => DraftStage) =>
    setDraft((d) => ({ ...d, stages: d.stages.map((s) => (s.key === key ? fn(s) : s)) }));
  const move = (i: number, dir: -1 | 1) =>
    setDraft((d) => {
      const stages = [...d.stages];
      const j = i + dir;
      if (j < 0 || j >= stages.length) return d;
      [stages[i], stages[j]] = [stages[j], stages[i]];
      return { ...d, stages };
    });
  const toggle = (list: string[], v: string) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

  async function save() {
    const bad: Record<string, boolean> = {};
    if (!draft.name.trim()) bad.name = true;
    for (const s of draft.stages) {
      if (!s.name.trim()) bad[s.key] = true;
      if (s.stuckAfterDays && !wholeIn(s.stuckAfterDays, 1, 3650)) bad[`${s.key}:stuck`] = true;
      if (s.winProbability && !wholeIn(s.winProbability, 0, 100)) bad[`${s.key}:win`] = true;
    }
    setInvalid(bad);
    if (Object.keys(bad).length) return;
    setBusy(true);
    setError(null);
    const stages = draft.stages.map((s) => ({
      ...(s.id ? { id: s.id } : {}),
      name: s.name.trim(),
      kind: s.kind,
      requiredFields: s.requiredFields,
      requiredDocumentKinds: s.requiredDocumentKinds,
      stuckAfterDays: s.stuckAfterDays ? Number(s.stuckAfterDays) : null,
      winProbability: s.winProbability ? Number(s.winProbability) : null,
    }));
    try {
      if (draft.id) {
        await api.put<Pipeline>(`/pipelines/${draft.id}`, {
          name: draft.name.trim(),
          version: draft.version,
          archived: !!draft.archived,
          stages,
        });
        toast('ok', t('pipelines.saved'));
        await reloadPipelines();
      } else {
        const p = await api.post<Pipeline>('/pipelines', { name: draft.name.trim(), stages });
        toast('ok', t('pipelines.created'));
        await reloadPipelines();
        navigate(`/admin/pipelines?id=${p.id}`, { replace: true });
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const custom = dealFields;
  return (
    <Card testId="pipeline-editor">
      <form
        className="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Field
          label={t('pipelines.name')}
          htmlFor="pl-name"
          error={invalid.name ? t('error.requiredField') : null}
          required
        >
          <input
            id="pl-name"
            className="input"
            value={draft.name}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
            maxLength={200}
          />
        </Field>
        {draft.id ? (
          <label className="check">
            <input
              type="checkbox"
              checked={!!draft.archived}
              onChange={(e) => setDraft({ ...draft, archived: e.target.checked })}
            />
            {t('pipelines.archive')}
          </label>
        ) : null}
        <h4 className="section-label">{t('pipelines.stages')}</h4>
        <ol className="stage-editor">
          {draft.stages.map((s, i) => {
            const reqCount = s.requiredFields.length + s.requiredDocumentKinds.length;
            const expanded = open === s.key;
            const fieldChecks = (fields: { key: string; label: string }[]) => (
              <div className="checks">
                {fields.map((f) => (
                  <label key={f.key} className="check" data-testid="req-field" data-key={f.key}>
                    <input
                      type="checkbox"
                      checked={s.requiredFields.includes(f.key)}
                      onChange={() =>
                        setStage(s.key, (x) => ({ ...x, requiredFields: toggle(x.requiredFields, f.key) }))
                      }
                    />
                    {fieldLabel(f.key, f.label)}
                  </label>
                ))}
              </div>
            );
            return (
              <li key={s.key} className={`stage-row stage-row-${s.kind}`} data-testid="stage-row">
                <div className="stage-row-main">
                  <div className="reorder">
                    <button
                      type="button"
                      className="icon-btn icon-btn-sm"
                      onClick={() => move(i, -1)}
                      disabled={i === 0}
                      aria-label={t('common.moveUp')}
                      title={t('common.moveUp')}
                    >
                      <Icon name="chevronUp" size={14} />
                    </button>
                    <button
                      type="button"
                      className="icon-btn icon-btn-sm"
                      onClick={() => move(i, 1)}
                      disabled={i === draft.stages.length - 1}
                      aria-label={t('common.moveDown')}
                      title={t('common.moveDown')}
                    >
                      <Icon name="chevronDown" size={14} />
                    </button>
                  </div>
                  <span className="stage-num">{i + 1}</span>
                  <input
                    className={`input grow ${invalid[s.key] ? 'input-invalid' : ''}`}
                    aria-label={t('pipelines.stageName')}
                    value={s.name}
                    onChange={(e) => setStage(s.key, (x) => ({ ...x, name: e.target.value }))}
                    maxLength={200}
                  />
                  <select
                    className="input input-kind"
                    aria-label={t('pipelines.kind')}
                    value={s.kind}
                    onChange={(e) => setStage(s.key, (x) => ({ ...x, kind: e.target.value as StageKind }))}
                  >
                    <option value="open">{t('stageKind.open')}</option>
                    <option value="won">{t('stageKind.won')}</option>
                    <option value="lost">{t('stageKind.lost')}</option>
                  </select>
                  <button
                    type="button"
                    className={`chip chip-btn ${reqCount ? 'chip-blue' : ''}`}
                    aria-expanded={expanded}
                    data-testid="stage-requirements"
                    onClick={() => setOpen(expanded ? null : s.key)}
                  >
                    <Icon name="lock" size={12} /> {t('pipelines.requirementsCount', { n: reqCount })}
                    <Icon name={expanded ? 'chevronUp' : 'chevronDown'} size={12} />
                  </button>
                  <button
                    type="button"
                    className="icon-btn icon-btn-danger"
                    aria-label={t('pipelines.removeStage')}
                    title={t('pipelines.removeStage')}
                    onClick={() => setDraft((d) => ({ ...d, stages: d.stages.filter((x) => x.key !== s.key) }))}
                    disabled={draft.stages.length <= 1}
                  >
                    <Icon name="trash" size={16} />
                  </button>
                </div>
                {!expanded && (s.stuckAfterDays || s.winProbability) ? (
                  <div className="stage-row-reqs" data-testid="stage-board-settings">
                    {s.stuckAfterDays ? (
                      <span className="chip">
                        <Icon name="clock" size={12} /> {t('pipelines.stuckAfterChip', { n: Number(s.stuckAfterDays) })}
                      </span>
                    ) : null}
                    {s.winProbability ? (
                      <span className="chip">{t('pipelines.winProbabilityChip', { n: Number(s.winProbability) })}</span>
                    ) : null}
                  </div>
                ) : null}
                {!expanded && reqCount ? (
                  <div className="stage-row-reqs">
                    {s.requiredFields.map((k) => (
                      <span key={k} className="chip">
                        {fieldLabel(k)}
                      </span>
                    ))}
                    {s.requiredDocumentKinds.map((k) => (
                      <span key={k} className="chip">
                        <Icon name="file" size={12} /> {kindName(k, '?')}
                      </span>
                    ))}
                  </div>
                ) : null}
                {expanded ? (
                  <div className="stage-row-detail">
                    <fieldset>
                      <legend>{t('pipelines.requiredFields')}</legend>
                      <div className="muted small">{t('pipelines.builtIn')}</div>
                      {fieldChecks(builtInFields)}
                      {custom.length ? (
                        <>
                          <div className="muted small">{t('pipelines.custom')}</div>
                          {fieldChecks(custom)}
                        </>
                      ) : null}
                    </fieldset>
                    <fieldset>
                      <legend>{t('pipelines.requiredDocs')}</legend>
                      <div className="muted small">{t('pipelines.requiredDocsHint')}</div>
                      {documentKinds.length === 0 ? (
                        <div className="muted small">{t('pipelines.noDocKinds')}</div>
                      ) : (
                        <div className="checks">
                          {documentKinds.map((k) => (
                            <label key={k.id} className="check" data-testid="req-doc" data-kind-id={k.id}>
                              <input
                                type="checkbox"
                                checked={s.requiredDocumentKinds.includes(k.id)}
                                onChange={() =>
                                  setStage(s.key, (x) => ({
                                    ...x,
                                    requiredDocumentKinds: toggle(x.requiredDocumentKinds, k.id),
                                  }))
                                }
                              />
                              {kindName(k.id, k.name)}
                            </label>
                          ))}
                        </div>
                      )}
                    </fieldset>
                    <fieldset>
                      <legend>{t('pipelines.onTheBoard')}</legend>
                      <div className="stage-board-inputs">
                        <Field
                          label={t('pipelines.stuckAfter')}
                          htmlFor={`stuck-${s.key}`}
                          hint={t('pipelines.stuckAfterHint')}
                          error={invalid[`${s.key}:stuck`] ? t('pipelines.stuckAfterInvalid') : null}
                        >
                          <input
                            id={`stuck-${s.key}`}
                            className="input input-narrow"
                            inputMode="numeric"
                            data-testid="stage-stuck-after"
                            value={s.stuckAfterDays}
                            onChange={(e) => setStage(s.key, (x) => ({ ...x, stuckAfterDays: e.target.value.trim() }))}
                          />
                        </Field>
                        <Field
                          label={t('pipelines.winProbability')}
                          htmlFor={`win-${s.key}`}
                          hint={t('pipelines.winProbabilityHint')}
                          error={invalid[`${s.key}:win`] ? t('pipelines.winProbabilityInvalid') : null}
                        >
                          <input
                            id={`win-${s.key}`}
                            className="input input-narrow"
                            inputMode="numeric"
                            data-testid="stage-win-probability"
                            value={s.winProbability}
                            onChange={(e) => setStage(s.key, (x) => ({ ...x, winProbability: e.target.value.trim() }))}
                          />
                        </Field>
                      </div>
                    </fieldset>
                    <div className="stage-row-more">
                      <button
                        type="button"
                        className="link link-btn small"
                        data-testid="add-requirement-link"
                        onClick={() =>
                          document
                            .getElementById('requirements-admin')
                            ?.scrollIntoView({ behavior: 'smooth', block: 'start' })
                        }
                      >
                        <Icon name="plus" size={13} /> {t('pipelines.addRequirement')}
                      </button>
                    </div>
                  </div>
                ) : null}
              </li>
            );
          })}
        </ol>
        <div>
          <Button
            icon="plus"
            onClick={() => {
              const key = newKey();
              setDraft((d) => {
                // new open stages go before the first closing stage
                const firstClosed = d.stages.findIndex((s) => s.kind !== 'open');
                const at = firstClosed < 0 ? d.stages.length : firstClosed;
                const stages = [...d.stages];
                let name = t('pipelines.newStage');
                for (let n = 2; stages.some((x) => x.name.trim().toLowerCase() === name.toLowerCase()); n++)
                  name = `${t('pipelines.newStage')} ${n}`;
                stages.splice(at, 0, {
                  key,
                  name,
                  kind: 'open',
                  requiredFields: [],
                  requiredDocumentKinds: [],
                  stuckAfterDays: '',
                  winProbability: '',
                });
                return { ...d, stages };
              });
            }}
          >
            {t('pipelines.addStage')}
          </Button>
        </div>
        <div ref={errorRef}>
          <ErrorBox
            error={error}
            onRetry={error instanceof ApiError && error.status === 409 ? () => void reloadPipelines() : undefined}
          />
        </div>
        <div className="form-actions">
          <Button
            onClick={() => {
              setDraft(initial);
              setError(null);
              setInvalid({});
            }}
            disabled={!dirty || busy}
          >
            {t('common.reset')}
          </Button>
          <Button
            variant="primary"
            type="submit"
            busy={busy}
            disabled={!dirty && !!draft.id}
            data-testid="pipeline-save"
          >
            {draft.id
              ? busy
                ? t('common.saving')
                : t('common.save')
              : busy
                ? t('common.creating')
                : t('common.create')}
          </Button>
        </div>
      </form>
    </Card>
  );
}
