/** A card's "Move to…" menu and its archive confirmation: their own chunk, loaded on the first click (deal-card.tsx). */
import { Menu } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import type { Deal, Stage } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Icon } from '../../ui.js';
import { ArchiveConfirm } from '../archive/archive-actions.js';

const stop = (e: { stopPropagation: () => void }) => e.stopPropagation();

export function CardMoveMenu({
  deal,
  stages,
  onMove,
  trigger,
}: {
  deal: Deal;
  stages: Stage[];
  onMove: (s: Stage) => void;
  trigger: ReactNode;
}) {
  const { t, name } = useI18n();
  const [archiving, setArchiving] = useState(false);
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
