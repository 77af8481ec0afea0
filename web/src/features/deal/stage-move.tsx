/**
 * Moving a deal to another stage, shared by the board and the deal page. A pre-check asks the API what the
 * target stage lacks; when something is missing (or the stage is a lost stage) the stage dialog asks for exactly
 * that, uploads the documents one by one, then sends the move with the typed values in `changes`.
 */
import { Suspense, lazy, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, api, qs, type CommandResult, type Deal, type Missing, type Stage } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useRefData } from '../../session.js';
import { useErrorText, useToast } from '../../ui.js';

const StageDialog = lazy(() => import('./stage-dialog.js').then((m) => ({ default: m.StageDialog })));

export interface Target {
  deal: Deal;
  stage: Stage;
  missing: Missing;
  lost: boolean;
}

export interface MoveOptions {
  onMoved: (deal: Deal, before: Deal) => void;
  /** a move refused because the deal changed (409): read it again */
  onStale?: () => void;
  /** applied at once, before the server answers (the card jumps); returns how to take it back if the move fails */
  optimistic?: (deal: Deal, stage: Stage) => () => void;
  /** the stage dialog closed (moved or cancelled): e.g. give the focus back to the card */
  onDialogClosed?: (deal: Deal) => void;
}

/**
 * A move sends no expected version: the workflow serialises changes to a deal and checks the stage gate against
 * the deal as it is, so a colleague's edit of an unrelated field does not refuse the move.
 */
export function useStageMove({ onMoved, onStale, optimistic, onDialogClosed }: MoveOptions) {
  const { t, name } = useI18n();
  const toast = useToast();
  const errorText = useErrorText();
  const { stageById } = useRefData();
  const [target, setTarget] = useState<Target | null>(null);
  const [pending, setPending] = useState<{ dealId: string; stageId: string | null } | null>(null);
  const busy = useRef(false);
  const requestRef = useRef<(deal: Deal, stage: Stage, undo?: boolean) => Promise<void>>(async () => {});

  const moved = useCallback(
    (deal: Deal, before: Deal, stage: Stage, isUndo: boolean) => {
      onMoved(deal, before);
      const from = stageById(before.stageId)?.stage;
      toast(
        'ok',
        t(isUndo ? 'board.moveUndone' : 'board.moved', { title: deal.title, stage: name(stage) }),
        from && !isUndo
          ? {
              action: {
                label: t('board.undo'),
                testId: 'toast-undo',
                onClick: () => void requestRef.current(deal, from, true),
              },
            }
          : undefined,
      );
    },
    [onMoved, toast, t, name, stageById],
  );

  const failed = useCallback(
    (e: unknown) => {
      toast('error', errorText(e));
      if (e instanceof ApiError && e.status === 409) onStale?.();
    },
    [toast, errorText, onStale],
  );

  const requestMove = useCallback(
    async (deal: Deal, stage: Stage, isUndo = false) => {
      if (stage.id === deal.stageId || busy.current) return;
      busy.current = true;
      setPending({ dealId: deal.id, stageId: null });
      let rollback: (() => void) | null = null;
      try {
        let missing: Missing = { fields: [], documentKinds: [] };
        try {
          missing = (await api.get<{ missing: Missing }>(`/deals/${deal.id}/requirements${qs({ stageId: stage.id })}`))
            .missing;
        } catch (e) {
          if (!(e instanceof ApiError) || e.status === 0 || e.status === 401) throw e;
          // the move itself will say what is wrong
        }
        const needsDialog = stage.kind === 'lost' || missing.fields.length > 0 || missing.documentKinds.length > 0;
        if (needsDialog) {
          setTarget({ deal, stage, missing, lost: stage.kind === 'lost' });
          return;
        }
        setPending({ dealId: deal.id, stageId: stage.id });
        rollback = optimistic?.(deal, stage) ?? null;
        try {
          const r = await api.post<CommandResult>(`/deals/${deal.id}/stage`, { stageId: stage.id });
          rollback = null;
          moved(r.deal, deal, stage, isUndo);
        } catch (e) {
          rollback?.();
          rollback = null;
          if (e instanceof ApiError && e.code === 'STAGE_REQUIREMENTS_UNMET' && e.body.missing) {
            setTarget({ deal, stage, missing: e.body.missing as Missing, lost: stage.kind === 'lost' });
          } else if (e instanceof ApiError && e.code === 'LOST_REASON_REQUIRED') {
            setTarget({ deal, stage, missing, lost: true });
          } else throw e;
        }
      } catch (e) {
        rollback?.();
        failed(e);
      } finally {
        busy.current = false;
        setPending(null);
      }
    },
    [moved, failed, optimistic],
  );
  // the Undo of a move's notification asks for the move back through the latest requestMove
  useEffect(() => {
    requestRef.current = requestMove;
  }, [requestMove]);

  const dialog: ReactNode = target ? (
    <Suspense fallback={null}>
      <StageDialog
        key={`${target.deal.id}:${target.stage.id}`}
        {...target}
        onCancel={() => {
          setTarget(null);
          onDialogClosed?.(target.deal);
        }}
        onMoved={(deal) => {
          setTarget(null);
          moved(deal, target.deal, target.stage, false);
          onDialogClosed?.(deal);
        }}
        onStale={onStale}
      />
    </Suspense>
  ) : null;

  return { requestMove, dialog, pending };
}
