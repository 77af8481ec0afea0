/** The app's modal dialog on Mantine's Modal: its own chunk, so the board's first paint does not load it. */
import { Modal } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useI18n } from './i18n/index.js';
import type { DialogProps } from './ui.js';

export function ModalDialog({ title, subtitle, onClose, children, footer, wide, testId, busy }: DialogProps) {
  const { t } = useI18n();
  const body = useRef<HTMLDivElement>(null);
  // the first field gets the focus (Mantine would focus the close button); the opener gets it back on close
  useEffect(() => {
    const id = setTimeout(() => {
      body.current?.querySelector<HTMLElement>('input:not([type=hidden]):not([type=file]), select, textarea')?.focus();
    }, 30);
    return () => clearTimeout(id);
  }, []);
  return (
    <Modal
      opened
      onClose={() => {
        if (!busy) onClose();
      }}
      size={wide ? 'xl' : 'lg'}
      centered
      attributes={{ content: { 'data-testid': testId } as Record<string, string> }}
      closeOnEscape={!busy}
      closeOnClickOutside={!busy}
      closeButtonProps={{ 'aria-label': t('common.close'), disabled: busy }}
      title={
        <div>
          <div className="modal-title">{title}</div>
          {subtitle ? <p className="modal-subtitle">{subtitle}</p> : null}
        </div>
      }
    >
      <div className="modal-body" ref={body}>
        {children}
      </div>
      {footer ? <footer className="modal-footer">{footer}</footer> : null}
    </Modal>
  );
}
