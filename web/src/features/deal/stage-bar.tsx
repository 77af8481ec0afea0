/**
 * The stage ribbon: every stage of the deal's pipeline, ticked where the deal has been (as far as the loaded history
 * tells), the current one marked; clicking another stage moves the deal there (through the stage dialog when gated).
 */
import type { Deal, Stage } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Icon } from '../../ui.js';
import { stagesReached } from './deal-history-query.js';
import type { DealHistory } from './deal-history-query.js';

type StepState = 'current' | 'done' | 'skipped' | 'todo';

export function StageBar({
  deal,
  stages,
  history,
  closed,
  pending,
  onMove,
}: {
  deal: Deal;
  stages: Stage[];
  history: DealHistory;
  /** the deal is in a won or lost stage */
  closed: boolean;
  /** a move is on its way: the ribbon waits */
  pending: boolean;
  onMove: (stage: Stage) => void;
}) {
  const { t } = useI18n();
  if (!stages.length) return null;
  const curIndex = stages.findIndex((s) => s.id === deal.stageId);
  const reached = stagesReached(history.events, history.hasOlder);
  const stepState = (s: Stage, i: number): StepState => {
    if (s.id === deal.stageId) return 'current';
    if (s.kind !== 'open') return 'todo';
    if (!reached.complete) {
      // the history shown does not go back to the creation: what it shows, else the stages before the current one
      if (reached.ids.has(s.id) && (closed || i < curIndex)) return 'done';
      return !closed && curIndex >= 0 && i < curIndex ? 'done' : 'todo';
    }
    if (reached.ids.has(s.id)) return closed || i < curIndex ? 'done' : 'todo';
    return closed ? 'skipped' : 'todo';
  };
  return (
    <div className="stage-bar" role="group" aria-label={t('deal.stageBar')} data-testid="stage-bar">
      {stages.map((s, i) => {
        const state = stepState(s, i);
        const isCurrent = state === 'current';
        const done = state === 'done';
        const gated = s.requiredFields.length + s.requiredDocumentKinds.length > 0;
        const note = done ? t('deal.stagePassed') : state === 'skipped' ? t('deal.stageNotReached') : null;
        return (
          <button
            key={s.id}
            type="button"
            aria-current={isCurrent ? 'step' : undefined}
            className={`stage-step stage-step-${s.kind} ${isCurrent ? 'is-current' : ''} ${done ? 'is-done' : ''} ${state === 'skipped' ? 'is-skipped' : ''}`}
            disabled={isCurrent || pending}
            onClick={() => onMove(s)}
            data-testid="stage-bar-item"
            data-stage-id={s.id}
            data-state={state}
            title={note ? `${s.name} — ${note}` : s.name}
          >
            {(isCurrent && s.kind !== 'lost') || done ? (
              <Icon name="check" size={12} />
            ) : isCurrent ? (
              <Icon name="ban" size={12} />
            ) : gated && state !== 'skipped' ? (
              <Icon name="lock" size={12} />
            ) : null}
            <span>{s.name}</span>
            {note ? <span className="sr-only">{` (${note})`}</span> : null}
          </button>
        );
      })}
    </div>
  );
}
