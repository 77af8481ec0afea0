import { Suspense, lazy, memo, useCallback, useState } from 'react';
import type { Deal, Stage } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.js';
import { Avatar, Icon } from '../../ui.js';
import { NextActivity } from '../calendar/next-activity.js';
import { StageAge } from './stage-age.js';
import type { DragPort } from './drag-port.js';

const CardMoveMenu = lazy(() => import('./card-menu.js').then((m) => ({ default: m.CardMoveMenu })));
const today = () => new Date().toISOString().slice(0, 10);

/**
 * "Move to…": in a portal (never clipped by the column), from a 44 px button at full strength. The Mantine menu is
 * loaded and mounted on the first click only (card-menu.tsx), so a board of hundreds of cards renders plain buttons.
 */
function CardMenu({ deal, stages, onMove }: { deal: Deal; stages: Stage[]; onMove: (s: Stage) => void }) {
  const { t } = useI18n();
  const [armed, setArmed] = useState(false);
  const trigger = (
    <button
      type="button"
      className="card-menu-btn"
      aria-label={t('board.moveMenu', { title: deal.title })}
      aria-haspopup="menu"
      title={t('board.moveTo')}
      data-testid="deal-card-menu"
      onPointerDown={(e) => e.stopPropagation()}
      onMouseDown={(e) => e.stopPropagation()}
      onTouchStart={(e) => e.stopPropagation()}
      onKeyDown={(e) => e.stopPropagation()}
      onClick={armed ? undefined : () => setArmed(true)}
    >
      <Icon name="more" size={18} />
    </button>
  );
  if (!armed) return trigger;
  return (
    <Suspense fallback={trigger}>
      <CardMoveMenu deal={deal} stages={stages} onMove={onMove} trigger={trigger} />
    </Suspense>
  );
}

/** The face of a card, also drawn under the pointer while it is dragged. */
export function CardFace({
  deal,
  stages,
  moving,
  onMove,
}: {
  deal: Deal;
  stages: Stage[];
  moving?: boolean;
  onMove?: (s: Stage) => void;
}) {
  const { t, money, date } = useI18n();
  const overdue = !!deal.expectedCloseDate && !deal.closedAt && deal.expectedCloseDate < today();
  return (
    <>
      <div className="deal-card-top">
        <Link to={`/deals/${deal.id}`} className="deal-card-title" data-testid="deal-card-title" draggable={false}>
          {deal.title}
        </Link>
        <NextActivity deal={deal} />
        {onMove ? <CardMenu deal={deal} stages={stages} onMove={onMove} /> : null}
      </div>
      <div className="deal-card-line">
        <span className="deal-card-client" title={deal.clientName}>
          {deal.clientName}
        </span>
        <span className="deal-card-amount" data-testid="deal-card-amount">
          {deal.amount !== null ? money(deal.amount, deal.currency) : <span className="muted">{t('common.none')}</span>}
        </span>
        <span
          className="deal-card-owner"
          data-testid="deal-card-owner"
          title={t('board.owner', { name: deal.ownerName })}
        >
          <Avatar name={deal.ownerName} size={22} />
        </span>
      </div>
      {deal.expectedCloseDate ? (
        <div className="deal-card-bottom">
          <span
            className={`chip ${overdue ? 'chip-red' : ''}`}
            data-testid={overdue ? 'overdue' : 'close-date'}
            title={overdue ? t('board.overdue') : t('field.expectedCloseDate')}
          >
            <Icon name="clock" size={12} /> {date(deal.expectedCloseDate)}
          </span>
        </div>
      ) : null}
      <StageAge deal={deal} stages={stages} />
      {moving ? <div className="deal-card-status">{t('board.moving')}</div> : null}
    </>
  );
}

/**
 * A card on the board: dragged by pointer, touch (press and hold) or keyboard (Space, arrows, Space) once dnd-kit is
 * there (board-dnd.tsx, after the first paint): its presses go through the drag port.
 */
export const DealCard = memo(function DealCard({
  deal,
  stages,
  moving,
  dragging,
  port,
  onMove,
}: {
  deal: Deal;
  stages: Stage[];
  moving: boolean;
  dragging: boolean;
  port: DragPort;
  onMove: (deal: Deal, s: Stage) => void;
}) {
  const { t } = useI18n();
  const id = deal.id;
  const ref = useCallback((el: HTMLElement | null) => port.node(id, el), [port, id]);
  // a focusable group (not a button: it holds the deal's link and menu), picked up with Space by keyboard users
  return (
    <article
      ref={ref}
      role="group"
      tabIndex={0}
      aria-roledescription={t('board.cardRole')}
      aria-disabled={moving}
      onMouseDown={(e) => port.fire(id, 'onMouseDown', e)}
      onTouchStart={(e) => port.fire(id, 'onTouchStart', e)}
      onKeyDown={(e) => port.fire(id, 'onKeyDown', e)}
      className={`deal-card ${moving ? 'deal-card-moving' : ''} ${dragging ? 'deal-card-dragging' : ''}`}
      data-testid="deal-card"
      data-deal-id={id}
      aria-busy={moving || undefined}
      aria-label={t('board.dragHandle', { title: deal.title })}
      onClick={(e) => {
        if (!(e.target as HTMLElement).closest('a, button, [role=menu]')) navigate(`/deals/${id}`);
      }}
    >
      <CardFace deal={deal} stages={stages} moving={moving} onMove={(s) => onMove(deal, s)} />
    </article>
  );
});
