import { useDraggable } from '@dnd-kit/core';
import { Menu } from '@mantine/core';
import { memo, useState } from 'react';
import type { Deal, Stage } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, navigate } from '../../router.js';
import { Avatar, Icon } from '../../ui.js';
import { ArchiveConfirm } from '../archive/archive-actions.js';
import { NextActivity } from '../calendar/next-activity.js';
import { StageAge } from './stage-age.js';

const stop = (e: { stopPropagation: () => void }) => e.stopPropagation();
const today = () => new Date().toISOString().slice(0, 10);

/**
 * "Move to…": in a portal (never clipped by the column), from a 44 px button at full strength. The Mantine menu is
 * mounted on the first click only, so a board of hundreds of cards renders plain buttons.
 */
function CardMenu({ deal, stages, onMove }: { deal: Deal; stages: Stage[]; onMove: (s: Stage) => void }) {
  const { t, name } = useI18n();
  const [armed, setArmed] = useState(false);
  const [archiving, setArchiving] = useState(false);
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
    <>
      <Menu position="bottom-end" withinPortal shadow="md" width={250} trapFocus returnFocus defaultOpened>
        <Menu.Target>{trigger}</Menu.Target>
        <Menu.Dropdown data-testid="move-menu">
          <Menu.Label>{t('board.moveTo')}</Menu.Label>
          {stages.map((s) => (
            <Menu.Item
              key={s.id}
              disabled={s.id === deal.stageId}
              data-testid="move-to"
              data-stage-id={s.id}
              leftSection={<span className={`stage-dot stage-dot-${s.kind}`} />}
              rightSection={
                s.id === deal.stageId ? (
                  <Icon name="check" size={14} />
                ) : s.requiredFields.length + s.requiredDocumentKinds.length > 0 ? (
                  <Icon name="lock" size={13} />
                ) : null
              }
              onClick={() => onMove(s)}
            >
              {name(s)}
            </Menu.Item>
          ))}
          <Menu.Divider />
          <Menu.Item
            leftSection={<Icon name="archive" size={14} />}
            onClick={() => setArchiving(true)}
            data-testid="card-archive"
          >
            {t('archive.actionEllipsis')}
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      {archiving ? (
        // the dialog is portalled, but its React events still bubble to the card: kept from dragging or opening it
        <div
          style={{ display: 'contents' }}
          onClick={stop}
          onPointerDown={stop}
          onMouseDown={stop}
          onTouchStart={stop}
          onKeyDown={stop}
        >
          <ArchiveConfirm deal={deal} onClose={() => setArchiving(false)} />
        </div>
      ) : null}
    </>
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
      <NextActivity deal={deal} />
      {moving ? <div className="deal-card-status">{t('board.moving')}</div> : null}
    </>
  );
}

/** A card on the board: dragged by pointer, touch (press and hold) or keyboard (Space, arrows, Space). */
export const DealCard = memo(function DealCard({
  deal,
  stages,
  moving,
  onMove,
}: {
  deal: Deal;
  stages: Stage[];
  moving: boolean;
  onMove: (deal: Deal, s: Stage) => void;
}) {
  const { t } = useI18n();
  // a focusable group (not a button: it holds the deal's link and menu), picked up with Space by keyboard users
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({
    id: deal.id,
    data: { deal },
    disabled: moving,
    attributes: { role: 'group', roleDescription: t('board.cardRole') },
  });
  return (
    <article
      ref={setNodeRef}
      {...attributes}
      {...listeners}
      className={`deal-card ${moving ? 'deal-card-moving' : ''} ${isDragging ? 'deal-card-dragging' : ''}`}
      data-testid="deal-card"
      data-deal-id={deal.id}
      aria-busy={moving || undefined}
      aria-label={t('board.dragHandle', { title: deal.title })}
      onClick={(e) => {
        if (!(e.target as HTMLElement).closest('a, button, [role=menu]')) navigate(`/deals/${deal.id}`);
      }}
    >
      <CardFace deal={deal} stages={stages} moving={moving} onMove={(s) => onMove(deal, s)} />
    </article>
  );
});
