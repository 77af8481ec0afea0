/**
 * Days the deal has been in its stage, and the "stuck" mark past the stage's threshold (text, not colour alone). A deal
 * that entered its stage today shows no line, so a fresh card stays as compact as before.
 */
import type { Deal, Stage } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Icon } from '../../ui.js';
import { daysInStage, isStuck } from '../../../../modules/deals/stage-time.js';

export function StageAge({ deal, stages }: { deal: Deal; stages: Stage[] }) {
  const { t } = useI18n();
  if (deal.closedAt) return null;
  const now = new Date();
  const limit = stages.find((s) => s.id === deal.stageId)?.stuckAfterDays ?? null;
  const days = daysInStage(deal.stageEnteredAt, now);
  const stuck = isStuck(deal, limit, now);
  if (days === 0 && !stuck) return null;
  return (
    <div className="deal-card-age">
      {stuck ? (
        <span className="chip chip-stuck" data-testid="stuck" title={t('board.stuckTitle', { count: limit ?? 0 })}>
          <Icon name="alert" size={12} /> {t('board.stuck')}
        </span>
      ) : null}
      <span className="deal-card-days" data-testid="days-in-stage">
        {t('board.daysInStage', { count: days })}
      </span>
    </div>
  );
}
