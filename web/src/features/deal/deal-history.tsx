/** The deal's timeline: who did what and when, with the values each change set, and older entries on demand. */
import type { Contact } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useLabels } from '../../labels.js';
import { useRefData } from '../../session.js';
import { Button, Card, Empty, ErrorBox, Icon } from '../../ui.js';
import { archiveEventText } from '../archive/archive-actions.js';
import { isReferenceType, useReferenceText } from '../fields/reference-inputs.js';
import type { DealHistory } from './deal-history-query.js';

interface ChangeLine {
  key: string;
  label: string;
  value: string;
}
const BUILT_IN_ORDER = ['title', 'amount', 'currency', 'expectedCloseDate', 'contactId'];

/** A stored value as text: strings and numbers as they are, anything else as JSON. */
const textOf = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint'
      ? String(v)
      : (JSON.stringify(v) ?? '');

/** The values an event's data.changes set, as "label: value" lines in the user's language. */
function useChangeLines(contacts: Contact[] | undefined) {
  const { t, date, money, number } = useI18n();
  const { dealFields } = useRefData();
  const { fieldLabel } = useLabels();
  const referenceText = useReferenceText();
  return (changes: Record<string, unknown>): ChangeLine[] => {
    const cleared = t('history.cleared');
    const contactName = (id: string) => {
      if (!contacts) return '…';
      return contacts.find((c) => c.id === id)?.name ?? t('history.unknownContact');
    };
    const customValue = (key: string, v: unknown): string => {
      if (v === null || v === undefined || v === '') return cleared;
      const def = dealFields.find((f) => f.key === key);
      if (typeof v === 'object') {
        const m = v as { amount?: unknown; currency?: unknown };
        if (m.amount !== undefined)
          return money(textOf(m.amount), typeof m.currency === 'string' ? m.currency : null, { exact: true });
        return textOf(v);
      }
      if (def && isReferenceType(def.type))
        return typeof v === 'string' ? referenceText(v, t('reference.unknown')) : cleared;
      if (def?.type === 'date') return date(textOf(v));
      if (def?.type === 'number' && typeof v === 'number') return number(v);
      return textOf(v);
    };
    const out: ChangeLine[] = [];
    for (const [k, v] of Object.entries(changes)) {
      if (k === 'custom') {
        for (const [ck, cv] of Object.entries((v ?? {}) as Record<string, unknown>)) {
          out.push({ key: `custom.${ck}`, label: fieldLabel(ck), value: customValue(ck, cv) });
        }
        continue;
      }
      // the currency goes with the amount
      if (k === 'currency' && 'amount' in changes) continue;
      let value: string;
      if (v === null || v === undefined || v === '') value = cleared;
      else if (k === 'amount')
        value = money(textOf(v), typeof changes.currency === 'string' ? changes.currency : null, { exact: true });
      else if (k === 'expectedCloseDate') value = date(textOf(v));
      else if (k === 'contactId') value = contactName(textOf(v));
      else if (k === 'title') value = t('common.quoted', { text: textOf(v) });
      else value = textOf(v);
      out.push({ key: k, label: fieldLabel(k), value });
    }
    // the order of the form (the stored changes come in no particular order)
    const rank = (key: string) => {
      const b = BUILT_IN_ORDER.indexOf(key);
      if (b >= 0) return b;
      const c = dealFields.findIndex((f) => `custom.${f.key}` === key);
      return BUILT_IN_ORDER.length + (c >= 0 ? c : dealFields.length);
    };
    return out.sort((x, y) => rank(x.key) - rank(y.key));
  };
}

function ChangeList({ lines }: { lines: ChangeLine[] }) {
  if (!lines.length) return null;
  return (
    <ul className="change-list" data-testid="history-changes">
      {lines.map((l) => (
        <li key={l.key} data-key={l.key} data-testid="history-change">
          <span className="change-label">{l.label}:</span> <span className="change-value">{l.value}</span>
        </li>
      ))}
    </ul>
  );
}

export function DealHistoryCard({ history: h, contacts }: { history: DealHistory; contacts: Contact[] | undefined }) {
  const { events: history, hasOlder, loading: loadingOlder, error: olderError } = h;
  const onShowOlder = () => void h.loadOlder();
  const { t, dateTime } = useI18n();
  const { stageById } = useRefData();
  const changeLines = useChangeLines(contacts);
  const stageName = (id: string | null) => (id ? (stageById(id)?.stage.name ?? '?') : '');
  const stageKind = (id: string | null) => (id ? (stageById(id)?.stage.kind ?? 'open') : 'open');
  return (
    <Card title={t('deal.history')} testId="deal-history">
      {history.length === 0 ? (
        <Empty icon="clock">{t('history.empty')}</Empty>
      ) : (
        <ol className="timeline">
          {history.map((e) => {
            const changes = (e.data?.changes ?? {}) as Record<string, unknown>;
            const lines = changeLines(changes);
            const who = e.actorName ?? t('common.unknownUser');
            let what: string;
            switch (e.kind) {
              case 'created':
                what = t('history.created');
                break;
              case 'stage_changed':
                what = t('history.stage_changed');
                break;
              case 'attached':
                what = t('history.attached', { name: textOf(e.data?.fileName ?? '') });
                break;
              case 'detached':
                what = t('history.detached');
                break;
              case 'updated':
                what = t('history.updatedPlain');
                break;
              case 'reported':
                what = t('history.reported', { kind: textOf(e.data?.kind ?? '') });
                break;
              case 'regulation':
                what = t('history.regulation', {
                  step: textOf(e.data?.step ?? ''),
                  name: textOf(e.data?.name ?? ''),
                  node: textOf(e.data?.nodeName ?? ''),
                });
                break;
              default:
                what = archiveEventText(e.kind, t) ?? e.kind;
            }
            return (
              <li
                key={e.id}
                className={`timeline-item timeline-${e.kind}`}
                data-testid="history-item"
                data-kind={e.kind}
              >
                <span className="timeline-dot">
                  <Icon
                    name={
                      e.kind === 'stage_changed'
                        ? 'arrowRight'
                        : e.kind === 'attached' || e.kind === 'detached'
                          ? 'file'
                          : e.kind === 'created'
                            ? 'plus'
                            : e.kind === 'reported'
                              ? 'check'
                              : 'edit'
                    }
                    size={12}
                  />
                </span>
                <div className="timeline-body">
                  <div>
                    <strong>{who}</strong> {what}
                  </div>
                  {e.kind === 'stage_changed' ? (
                    <div className="stage-move" data-testid="history-move">
                      <span className={`stage-chip stage-chip-${stageKind(e.fromStageId)}`}>
                        {stageName(e.fromStageId)}
                      </span>
                      <Icon name="arrowRight" size={14} className="muted" />
                      <span className={`stage-chip stage-chip-${stageKind(e.toStageId)}`}>
                        {stageName(e.toStageId)}
                      </span>
                    </div>
                  ) : null}
                  {e.kind === 'updated' || e.kind === 'stage_changed' ? <ChangeList lines={lines} /> : null}
                  {e.kind === 'reported' ? (
                    <div className="history-report" data-testid="history-report">
                      {e.data?.outcome ? <strong>{textOf(e.data.outcome)}</strong> : null}
                      {e.data?.summary ? <div className="muted">{textOf(e.data.summary)}</div> : null}
                    </div>
                  ) : null}
                  {e.kind === 'stage_changed' && e.data?.lostReason ? (
                    <div className="muted small">{t('history.lostReason', { reason: textOf(e.data.lostReason) })}</div>
                  ) : null}
                  <time className="muted small" dateTime={e.at}>
                    {dateTime(e.at)}
                  </time>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      {hasOlder ? (
        <div className="history-more">
          <ErrorBox error={olderError} testId="history-more-error" />
          <Button size="sm" icon="chevronDown" busy={loadingOlder} onClick={onShowOlder} data-testid="history-more">
            {t('history.showOlder')}
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
