/**
 * Archiving a deal and restoring it: the deal page's banner and buttons, the confirmation the board's card menu opens
 * too, and the history lines of both events. An archived deal leaves the board, the list, searches and totals, is
 * read-only, and keeps its stage, fields, documents and history; restore puts it back in its stage.
 */
import { Button as MButton } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type CommandResult, type Deal } from '../../api.js';
import { useI18n, type T } from '../../i18n/index.js';
import { qk } from '../../query.js';
import { useRefData } from '../../session.js';
import { Button, Dialog, ErrorBox, Icon, toast, useErrorText } from '../../ui.js';

/** The history line of an archive or restore event; null for other kinds. */
export function archiveEventText(kind: string, t: T): string | null {
  if (kind === 'archived') return t('history.archived');
  if (kind === 'restored') return t('history.restored');
  return null;
}

function useArchiveCommand(deal: Pick<Deal, 'id' | 'title'>) {
  const { t, name } = useI18n();
  const { stageById } = useRefData();
  const qc = useQueryClient();
  const errorText = useErrorText();
  const restore = useMutation({
    mutationFn: () => api.post<CommandResult>(`/deals/${deal.id}/restore`, {}),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: qk.deals });
      const stage = stageById(r.stageId)?.stage;
      toast('ok', t('archive.restoredToast', { title: deal.title, stage: stage ? name(stage) : '' }));
    },
    onError: (e) => toast('error', errorText(e)),
  });
  const archive = useMutation({
    mutationFn: () => api.post<CommandResult>(`/deals/${deal.id}/archive`, {}),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: qk.deals });
      toast('ok', t('archive.archivedToast', { title: deal.title }), {
        action: { label: t('archive.restore'), onClick: () => restore.mutate(), testId: 'toast-restore' },
      });
    },
  });
  return { archive, restore };
}

/** "Archive this deal?" with what it means; archives on confirm. */
export function ArchiveConfirm({ deal, onClose }: { deal: Pick<Deal, 'id' | 'title'>; onClose: () => void }) {
  const { t } = useI18n();
  const { archive } = useArchiveCommand(deal);
  return (
    <Dialog
      title={t('archive.confirmTitle', { title: deal.title })}
      onClose={onClose}
      busy={archive.isPending}
      testId="archive-dialog"
      footer={
        <>
          <Button variant="ghost" onClick={onClose} disabled={archive.isPending}>
            {t('common.cancel')}
          </Button>
          <Button
            variant="danger"
            busy={archive.isPending}
            onClick={() => archive.mutate(undefined, { onSuccess: onClose })}
            data-testid="archive-confirm"
          >
            {t('archive.action')}
          </Button>
        </>
      }
    >
      <p>{t('archive.confirmText')}</p>
      <ErrorBox error={archive.error} />
    </Dialog>
  );
}

/** On the deal page: the archived banner with Restore, or an Archive button (with a confirmation). */
export function ArchiveActions({ deal }: { deal: Deal }) {
  const { t, dateTime } = useI18n();
  const { restore } = useArchiveCommand(deal);
  const [confirming, setConfirming] = useState(false);
  if (deal.archivedAt) {
    return (
      <div className="alert alert-warn archived-banner" role="status" data-testid="archived-banner">
        <Icon name="archive" />
        <div className="alert-row">
          <div>{t('archive.banner', { date: dateTime(deal.archivedAt) })}</div>
          <MButton size="sm" onClick={() => restore.mutate()} loading={restore.isPending} data-testid="deal-restore">
            {t('archive.restore')}
          </MButton>
        </div>
      </div>
    );
  }
  return (
    <div className="deal-actions">
      <MButton
        variant="subtle"
        color="gray"
        size="compact-sm"
        leftSection={<Icon name="archive" size={14} />}
        onClick={() => setConfirming(true)}
        data-testid="deal-archive"
      >
        {t('archive.action')}
      </MButton>
      {confirming ? <ArchiveConfirm deal={deal} onClose={() => setConfirming(false)} /> : null}
    </div>
  );
}
