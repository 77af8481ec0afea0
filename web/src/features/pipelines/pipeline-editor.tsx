/** One pipeline as a form (Mantine form): its name, and its stages in order with what each requires to be entered. */
import { Checkbox, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ApiError, type Pipeline, type StageKind } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useLabels } from '../../labels.js';
import { qk } from '../../query.js';
import { navigate } from '../../router.js';
import { useRefData } from '../../session.js';
import { Button, Card, ErrorBox, Field, Icon, useToast } from '../../ui.js';
import { useSavePipeline } from './pipelines-query.js';

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
export interface Draft {
  id?: string;
  name: string;
  version?: number;
  archived: boolean;
  stages: DraftStage[];
}

let seq = 0;
/** a whole number from lo to hi, as typed */
const wholeIn = (v: string, lo: number, hi: number) => /^\d+$/.test(v) && Number(v) >= lo && Number(v) <= hi;
/** A stage not saved yet (no id); the key tells the rows apart while they are reordered. */
export const newStage = (name: string, kind: StageKind): DraftStage => ({
  key: `new-${++seq}`,
  name,
  kind,
  requiredFields: [],
  requiredDocumentKinds: [],
  stuckAfterDays: '',
  winProbability: '',
});

export function draftOf(p: Pipeline): Draft {
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

export function PipelineEditor({ initial }: { initial: Draft }) {
  const { t } = useI18n();
  const toast = useToast();
  const { builtInFields, dealFields, documentKinds } = useRefData();
  const { fieldLabel, kindName } = useLabels();
  const required = (v: string) => (v.trim() ? null : t('error.requiredField'));
  const form = useForm<Draft>({
    mode: 'controlled',
    initialValues: initial,
    validate: {
      name: required,
      stages: {
        name: required,
        stuckAfterDays: (v: string) => (v && !wholeIn(v, 1, 3650) ? t('pipelines.stuckAfterInvalid') : null),
        winProbability: (v: string) => (v && !wholeIn(v, 0, 100) ? t('pipelines.winProbabilityInvalid') : null),
      },
    },
  });
  const draft = form.values;
  const [open, setOpen] = useState<string | null>(null);
  const save = useSavePipeline();
  const busy = save.isPending;
  const error = save.error;
  const dirty = form.isDirty();
  const errorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) errorRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [error]);

  const setStage = <K extends keyof DraftStage>(i: number, field: K, value: DraftStage[K]) =>
    form.setFieldValue(`stages.${i}.${field}`, value as never);
  const move = (i: number, dir: -1 | 1) => {
    const j = i + dir;
    if (j >= 0 && j < draft.stages.length) form.reorderListItem('stages', { from: i, to: j });
  };
  const toggle = (list: string[], v: string) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

  const submit = form.onSubmit((d) => {
    const stages = d.stages.map((s) => ({
      ...(s.id ? { id: s.id } : {}),
      name: s.name.trim(),
      kind: s.kind,
      requiredFields: s.requiredFields,
      requiredDocumentKinds: s.requiredDocumentKinds,
      stuckAfterDays: s.stuckAfterDays ? Number(s.stuckAfterDays) : null,
      winProbability: s.winProbability ? Number(s.winProbability) : null,
    }));
    if (d.id)
      save.mutate(
        {
          id: d.id,
          body: { name: d.name.trim(), version: d.version ?? 0, archived: d.archived, stages },
        },
        { onSuccess: () => toast('ok', t('pipelines.saved')) },
      );
    else
      save.mutate(
        { id: null, body: { name: d.name.trim(), stages } },
        {
          onSuccess: (p) => {
            toast('ok', t('pipelines.created'));
            navigate(`/admin/pipelines?id=${p.id}`, { replace: true });
          },
        },
      );
  });

  const qc = useQueryClient();
  const refreshPipelines = () => qc.invalidateQueries({ queryKey: qk.pipelines });
  const custom = dealFields;
  return (
    <Card testId="pipeline-editor">
      <form className="form-grid" noValidate onSubmit={submit}>
        <TextInput
          id="pl-name"
          label={t('pipelines.name')}
          withAsterisk
          maxLength={200}
          {...form.getInputProps('name')}
        />
        {draft.id ? (
          <Checkbox label={t('pipelines.archive')} {...form.getInputProps('archived', { type: 'checkbox' })} />
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
                      onChange={() => setStage(i, 'requiredFields', toggle(s.requiredFields, f.key))}
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
                    className={`input grow ${form.errors[`stages.${i}.name`] ? 'input-invalid' : ''}`}
                    aria-label={t('pipelines.stageName')}
                    aria-invalid={!!form.errors[`stages.${i}.name`] || undefined}
                    value={s.name}
                    onChange={(e) => setStage(i, 'name', e.target.value)}
                    maxLength={200}
                  />
                  <select
                    className="input input-kind"
                    aria-label={t('pipelines.kind')}
                    value={s.kind}
                    onChange={(e) => setStage(i, 'kind', e.target.value as StageKind)}
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
                    onClick={() => form.removeListItem('stages', i)}
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
                                  setStage(i, 'requiredDocumentKinds', toggle(s.requiredDocumentKinds, k.id))
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
                          error={form.errors[`stages.${i}.stuckAfterDays`] ? t('pipelines.stuckAfterInvalid') : null}
                        >
                          <input
                            id={`stuck-${s.key}`}
                            className="input input-narrow"
                            inputMode="numeric"
                            data-testid="stage-stuck-after"
                            value={s.stuckAfterDays}
                            onChange={(e) => setStage(i, 'stuckAfterDays', e.target.value.trim())}
                          />
                        </Field>
                        <Field
                          label={t('pipelines.winProbability')}
                          htmlFor={`win-${s.key}`}
                          hint={t('pipelines.winProbabilityHint')}
                          error={
                            form.errors[`stages.${i}.winProbability`] ? t('pipelines.winProbabilityInvalid') : null
                          }
                        >
                          <input
                            id={`win-${s.key}`}
                            className="input input-narrow"
                            inputMode="numeric"
                            data-testid="stage-win-probability"
                            value={s.winProbability}
                            onChange={(e) => setStage(i, 'winProbability', e.target.value.trim())}
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
              // new open stages go before the first closing stage
              const stages = draft.stages;
              const firstClosed = stages.findIndex((s) => s.kind !== 'open');
              const at = firstClosed < 0 ? stages.length : firstClosed;
              let name = t('pipelines.newStage');
              for (let n = 2; stages.some((x) => x.name.trim().toLowerCase() === name.toLowerCase()); n++)
                name = `${t('pipelines.newStage')} ${n}`;
              form.insertListItem('stages', newStage(name, 'open'), at);
            }}
          >
            {t('pipelines.addStage')}
          </Button>
        </div>
        <div ref={errorRef}>
          <ErrorBox
            error={error}
            onRetry={error instanceof ApiError && error.status === 409 ? () => void refreshPipelines() : undefined}
          />
        </div>
        <div className="form-actions">
          <Button
            onClick={() => {
              form.reset();
              save.reset();
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
