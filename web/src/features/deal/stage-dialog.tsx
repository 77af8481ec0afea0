/** The stage dialog of a move (its own chunk: loaded when a move first needs it). */
import { useEffect, useState, type DragEvent } from 'react';
import {
  ApiError,
  api,
  uploadAttachment,
  type ClientDetail,
  type CommandResult,
  type Contact,
  type Deal,
  type Missing,
  type MissingField,
} from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { DECIMAL, useLabels } from '../../labels.js';
import { useRefData } from '../../session.js';
import { Button, Dialog, ErrorBox, Field, Icon, formatSize } from '../../ui.js';
import { MoneyWithCurrency, NumberField } from '../fields/money-input.js';
import { decimalOf } from '../fields/number-format.js';
import { ReferenceInput, isReferenceType } from '../fields/reference-inputs.js';
import type { Target } from './stage-move.js';

const NEW_CONTACT = '__new__';

type Values = Record<string, string>;

function emptyFor(f: MissingField, deal: Deal, locale: string): { value: string; currency: string } {
  const cur = deal.currency ?? (locale === 'ru' ? 'RUB' : 'EUR');
  if (f.key === 'amount') return { value: deal.amount ?? '', currency: cur };
  return { value: '', currency: cur };
}

export function StageDialog({
  deal: initialDeal,
  stage,
  missing: initialMissing,
  lost: initialLost,
  onCancel,
  onMoved,
  onStale,
}: Target & {
  onCancel: () => void;
  onMoved: (deal: Deal) => void;
  onStale?: () => void;
}) {
  const { t, locale, name } = useI18n();
  const { fieldLabel, kindName, optionName } = useLabels();
  const { dealFields } = useRefData();
  const [deal, setDeal] = useState(initialDeal);
  const [missing, setMissing] = useState(initialMissing);
  const [lost, setLost] = useState(initialLost);
  const [values, setValues] = useState<Values>(() =>
    Object.fromEntries(initialMissing.fields.map((f) => [f.key, emptyFor(f, initialDeal, locale).value])),
  );
  const [currencies, setCurrencies] = useState<Values>(() =>
    Object.fromEntries(initialMissing.fields.map((f) => [f.key, emptyFor(f, initialDeal, locale).currency])),
  );
  const [newContact, setNewContact] = useState('');
  const [files, setFiles] = useState<Record<string, File | null>>({});
  const [uploaded, setUploaded] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [stillMissing, setStillMissing] = useState(false);
  /** what the last 422 said is still lacking, highlighted in the list */
  const [lacking, setLacking] = useState<Set<string>>(new Set());
  const [phase, setPhase] = useState<
    { kind: 'idle' } | { kind: 'upload'; n: number; total: number } | { kind: 'move' }
  >({ kind: 'idle' });
  const [contacts, setContacts] = useState<Contact[] | null>(null);
  const busy = phase.kind !== 'idle';
  const needsContact = missing.fields.some((f) => f.type === 'contact' || f.key === 'contactId');

  useEffect(() => {
    if (!needsContact || contacts) return;
    api
      .get<ClientDetail>(`/clients/${deal.clientId}`)
      .then((c) => {
        const list = c.contacts ?? [];
        setContacts(list);
        if (!list.length) setValues((v) => ({ ...v, contactId: NEW_CONTACT }));
        // the only contact of the client is the one the stage wants, most likely: chosen, still changeable
        else if (list.length === 1) setValues((v) => (v.contactId ? v : { ...v, contactId: list[0].id }));
      })
      .catch((e) => {
        setContacts([]);
        setValues((v) => ({ ...v, contactId: NEW_CONTACT }));
        setError(e);
      });
  }, [needsContact, contacts, deal.clientId]);

  const set = (key: string, v: string) => {
    setValues((s) => ({ ...s, [key]: v }));
    setInvalid((s) => ({ ...s, [key]: '' }));
  };

  function validate(): { changes: Record<string, unknown>; ok: boolean } {
    const bad: Record<string, string> = {};
    const changes: Record<string, unknown> = {};
    const custom: Record<string, unknown> = {};
    for (const f of missing.fields) {
      const raw = (values[f.key] ?? '').trim();
      const type = f.key === 'contactId' ? 'contact' : f.type;
      if (type === 'money') {
        const amount = decimalOf(raw);
        const currency = (currencies[f.key] ?? '').trim().toUpperCase();
        if (!amount) {
          bad[f.key] = t('error.requiredField');
          continue;
        }
        if (!DECIMAL.test(amount)) {
          bad[f.key] = t('error.invalidAmount');
          continue;
        }
        if (!/^[A-Z]{3}$/.test(currency)) {
          bad[f.key] = t('error.invalidCurrency');
          continue;
        }
        if (f.key === 'amount') {
          changes.amount = amount;
          changes.currency = currency;
        } else custom[f.key] = { amount, currency };
      } else if (type === 'contact') {
        if (raw === NEW_CONTACT) {
          if (!newContact.trim()) bad[f.key] = t('error.requiredField');
        } else if (!raw) bad[f.key] = t('error.requiredField');
        else changes.contactId = raw;
      } else if (type === 'number') {
        const n = Number(decimalOf(raw));
        if (!raw) bad[f.key] = t('error.requiredField');
        else if (!Number.isFinite(n)) bad[f.key] = t('error.requiredField');
        else custom[f.key] = n;
      } else {
        if (!raw) {
          bad[f.key] = t('error.requiredField');
          continue;
        }
        if (f.key === 'expectedCloseDate') changes.expectedCloseDate = raw;
        else custom[f.key] = raw;
      }
    }
    for (const k of missing.documentKinds)
      if (!uploaded[k.id] && !files[k.id]) bad[`doc:${k.id}`] = t('error.chooseFile');
    if (lost && !reason.trim()) bad.lostReason = t('error.requiredField');
    if (Object.keys(custom).length) changes.custom = custom;
    setInvalid(bad);
    return { changes, ok: Object.values(bad).every((x) => !x) };
  }

  async function reloadDeal() {
    try {
      const fresh = await api.get<Deal>(`/deals/${deal.id}`);
      setDeal(fresh);
      if (fresh.stageId === stage.id) onMoved(fresh);
      onStale?.();
    } catch {
      /* the error shown already explains */
    }
  }

  async function submit() {
    if (busy) return;
    setError(null);
    setStillMissing(false);
    const { changes, ok } = validate();
    if (!ok) return;
    try {
      if (
        changes.contactId === undefined &&
        values.contactId === NEW_CONTACT &&
        missing.fields.some((f) => f.key === 'contactId')
      ) {
        setPhase({ kind: 'move' });
        const c = await api.post<Contact>(`/clients/${deal.clientId}/contacts`, { name: newContact.trim() });
        setContacts((cs) => [...(cs ?? []), c]);
        setValues((v) => ({ ...v, contactId: c.id }));
        setNewContact('');
        changes.contactId = c.id;
      }
      const toUpload = missing.documentKinds.filter((k) => !uploaded[k.id] && files[k.id]);
      for (let i = 0; i < toUpload.length; i++) {
        const k = toUpload[i];
        setPhase({ kind: 'upload', n: i + 1, total: toUpload.length });
        // no expected version: the upload must not fail because an unrelated field changed meanwhile
        const r = await uploadAttachment(deal.id, files[k.id]!, k.id);
        setDeal(r.deal);
        setUploaded((u) => ({ ...u, [k.id]: files[k.id]!.name }));
      }
      setPhase({ kind: 'move' });
      const body: Record<string, unknown> = { stageId: stage.id };
      if (Object.keys(changes).length) body.changes = changes;
      if (lost) body.lostReason = reason.trim();
      const r = await api.post<CommandResult>(`/deals/${deal.id}/stage`, body);
      onMoved(r.deal);
    } catch (e) {
      setPhase({ kind: 'idle' });
      if (e instanceof ApiError && e.code === 'STAGE_REQUIREMENTS_UNMET' && e.body.missing) {
        const m = e.body.missing as Missing;
        // keep the fields already asked for (their values are sent again) and add what the server still lacks
        setMissing((prev) => ({
          fields: [...prev.fields, ...m.fields.filter((f) => !prev.fields.some((p) => p.key === f.key))],
          documentKinds: [
            ...prev.documentKinds.filter((k) => uploaded[k.id] || m.documentKinds.some((x) => x.id === k.id)),
            ...m.documentKinds.filter((k) => !prev.documentKinds.some((p) => p.id === k.id)),
          ],
        }));
        setLacking(new Set([...m.fields.map((f) => f.key), ...m.documentKinds.map((k) => `doc:${k.id}`)]));
        setValues((v) => ({ ...Object.fromEntries(m.fields.map((f) => [f.key, ''])), ...v }));
        setCurrencies((c) => ({
          ...Object.fromEntries(m.fields.map((f) => [f.key, emptyFor(f, deal, locale).currency])),
          ...c,
        }));
        setStillMissing(true);
        setError(e);
      } else if (e instanceof ApiError && e.code === 'LOST_REASON_REQUIRED') {
        setLost(true);
        setInvalid((s) => ({ ...s, lostReason: t('error.requiredField') }));
        setError(e);
      } else {
        setError(e);
        if (e instanceof ApiError && e.status === 409) await reloadDeal();
      }
      return;
    }
  }

  const customDef = (key: string) => dealFields.find((f) => f.key === key);
  const hasRequirements = missing.fields.length > 0 || missing.documentKinds.length > 0;

  const moveLabel =
    phase.kind === 'upload'
      ? t('gate.uploading', { n: phase.n, total: phase.total })
      : phase.kind === 'move'
        ? t('gate.moving')
        : t('gate.move');

  return (
    <Dialog
      testId="gate-dialog"
      onClose={onCancel}
      busy={busy}
      title={t('gate.title', { stage: name(stage) })}
      subtitle={
        lost && !hasRequirements ? t('gate.lostIntro', { title: deal.title }) : t('gate.intro', { title: deal.title })
      }
      footer={
        <>
          <Button onClick={onCancel} disabled={busy} data-testid="gate-cancel">
            {t('common.cancel')}
          </Button>
          <Button
            variant={stage.kind === 'lost' ? 'danger' : 'primary'}
            onClick={() => void submit()}
            busy={busy}
            data-testid="gate-move"
          >
            {moveLabel}
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        className="gate-form"
        noValidate
      >
        {error ? (
          <ErrorBox error={error} testId="gate-error" title={stillMissing ? t('gate.stillMissing') : undefined} />
        ) : null}
        {hasRequirements ? (
          <div className="gate-section">
            <h4 className="section-label">
              <Icon name="lock" size={14} /> {t('gate.requiredFields')}
            </h4>
            <ul className="gate-list" data-testid="gate-requirements">
              {missing.fields.map((f) => {
                const id = `gate-${f.key}`;
                const type = f.key === 'contactId' ? 'contact' : f.type;
                const label = fieldLabel(f.key, f.label);
                const def = customDef(f.key);
                const options = f.options ?? def?.options ?? [];
                return (
                  <li
                    key={f.key}
                    className={`gate-item ${lacking.has(f.key) ? 'gate-item-lacking' : ''}`}
                    data-testid="gate-item"
                    data-key={f.key}
                  >
                    <Field
                      label={<span data-testid="gate-item-label">{label}</span>}
                      htmlFor={id}
                      error={invalid[f.key]}
                      required
                    >
                      {isReferenceType(type) ? (
                        <ReferenceInput
                          id={id}
                          type={type}
                          dealId={deal.id}
                          value={values[f.key] ?? ''}
                          onChange={(v) => set(f.key, v)}
                          invalid={!!invalid[f.key]}
                        />
                      ) : type === 'money' ? (
                        <MoneyWithCurrency
                          id={id}
                          amount={values[f.key] ?? ''}
                          currency={currencies[f.key] ?? ''}
                          onAmount={(v) => set(f.key, v)}
                          onCurrency={(v) => setCurrencies((c) => ({ ...c, [f.key]: v }))}
                          invalid={!!invalid[f.key]}
                          testId={`gate-field-${f.key}`}
                          currencyTestId={`gate-currency-${f.key}`}
                        />
                      ) : type === 'date' ? (
                        <input
                          id={id}
                          type="date"
                          className="input"
                          value={values[f.key] ?? ''}
                          onChange={(e) => set(f.key, e.target.value)}
                          data-testid={`gate-field-${f.key}`}
                        />
                      ) : type === 'number' ? (
                        <NumberField
                          id={id}
                          value={values[f.key] ?? ''}
                          onChange={(v) => set(f.key, v)}
                          invalid={!!invalid[f.key]}
                          allowNegative
                          data-testid={`gate-field-${f.key}`}
                        />
                      ) : type === 'select' ? (
                        <select
                          id={id}
                          className="input"
                          value={values[f.key] ?? ''}
                          onChange={(e) => set(f.key, e.target.value)}
                          data-testid={`gate-field-${f.key}`}
                        >
                          <option value="">{t('gate.selectPlaceholder')}</option>
                          {options.map((o) => (
                            <option key={o} value={o}>
                              {optionName(def, o)}
                            </option>
                          ))}
                        </select>
                      ) : type === 'contact' ? (
                        <>
                          <select
                            id={id}
                            className="input"
                            value={values[f.key] ?? ''}
                            onChange={(e) => set(f.key, e.target.value)}
                            data-testid={`gate-field-${f.key}`}
                            disabled={contacts === null}
                          >
                            <option value="">
                              {contacts === null ? t('app.loading') : t('gate.selectPlaceholder')}
                            </option>
                            {(contacts ?? []).map((c) => (
                              <option key={c.id} value={c.id}>
                                {c.name}
                                {c.position ? ` · ${c.position}` : ''}
                              </option>
                            ))}
                            <option value={NEW_CONTACT}>{t('gate.newContact')}</option>
                          </select>
                          {values[f.key] === NEW_CONTACT ? (
                            <input
                              className="input mt-2"
                              placeholder={t('gate.newContactName')}
                              aria-label={t('gate.newContactName')}
                              value={newContact}
                              onChange={(e) => {
                                setNewContact(e.target.value);
                                setInvalid((s) => ({ ...s, [f.key]: '' }));
                              }}
                              data-testid="gate-new-contact"
                            />
                          ) : null}
                          {contacts && contacts.length === 0 ? (
                            <div className="field-hint">{t('gate.noContacts')}</div>
                          ) : null}
                        </>
                      ) : (
                        <input
                          id={id}
                          className="input"
                          value={values[f.key] ?? ''}
                          onChange={(e) => set(f.key, e.target.value)}
                          data-testid={`gate-field-${f.key}`}
                        />
                      )}
                    </Field>
                  </li>
                );
              })}
              {missing.documentKinds.map((k) => (
                <li
                  key={k.id}
                  className={`gate-item ${lacking.has(`doc:${k.id}`) ? 'gate-item-lacking' : ''}`}
                  data-testid="gate-item"
                  data-key={`doc:${k.id}`}
                >
                  <FileSlot
                    label={kindName(k.id, k.name)}
                    kindId={k.id}
                    file={files[k.id] ?? null}
                    uploadedName={uploaded[k.id]}
                    disabled={busy}
                    error={invalid[`doc:${k.id}`]}
                    onFile={(f) => {
                      setFiles((s) => ({ ...s, [k.id]: f }));
                      setInvalid((s) => ({ ...s, [`doc:${k.id}`]: '' }));
                    }}
                  />
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {lost ? (
          <Field label={t('field.lostReason')} htmlFor="gate-lost-reason" error={invalid.lostReason} required>
            <textarea
              id="gate-lost-reason"
              className="input"
              rows={3}
              value={reason}
              onChange={(e) => {
                setReason(e.target.value);
                setInvalid((s) => ({ ...s, lostReason: '' }));
              }}
              data-testid="gate-lost-reason"
            />
          </Field>
        ) : null}
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </form>
    </Dialog>
  );
}

function FileSlot({
  label,
  kindId,
  file,
  uploadedName,
  onFile,
  error,
  disabled,
}: {
  label: string;
  kindId: string;
  file: File | null;
  uploadedName?: string;
  onFile: (f: File | null) => void;
  error?: string;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const [over, setOver] = useState(false);
  const id = `gate-file-${kindId}`;
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const f = e.dataTransfer.files?.[0];
    if (f && !disabled) onFile(f);
  };
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      <span className="field-label">
        <span data-testid="gate-item-label">{label}</span>
        <span className="req" aria-hidden="true">
          *
        </span>
      </span>
      <label
        htmlFor={id}
        className={`file-slot ${over ? 'file-slot-over' : ''} ${file || uploadedName ? 'file-slot-filled' : ''}`}
        onDragOver={(e) => {
          if (e.dataTransfer.types.includes('Files')) {
            e.preventDefault();
            setOver(true);
          }
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <Icon name={uploadedName ? 'check' : file ? 'file' : 'upload'} />
        {uploadedName ? (
          <span className="file-slot-name">
            {uploadedName} <span className="badge badge-green">{t('gate.uploaded')}</span>
          </span>
        ) : file ? (
          <span className="file-slot-name">
            {file.name} <span className="muted">{formatSize(file.size)}</span>
          </span>
        ) : (
          <span className="file-slot-name muted">{t('gate.chooseFile')}</span>
        )}
        {!uploadedName ? <span className="file-slot-action">{file ? t('gate.changeFile') : ''}</span> : null}
        <input
          id={id}
          type="file"
          className="sr-only"
          disabled={disabled || !!uploadedName}
          aria-label={label}
          data-testid={`gate-file-${kindId}`}
          onChange={(e) => onFile(e.target.files?.[0] ?? null)}
        />
      </label>
      {error ? (
        <div className="field-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}
