import type { Announcements } from '@dnd-kit/core';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Suspense, lazy, startTransition, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { api, qs, type BoardData, type Deal, type Page, type Pipeline, type Stage } from '../../api.js';
import { useMediaQuery } from '@mantine/hooks';
import { useI18n } from '../../i18n/index.js';
import { useLabels } from '../../labels.js';
import { qk } from '../../query.js';
import { navigate } from '../../router.js';
import { useRefData } from '../../session.js';
import { useStageMove } from '../deal/stage-move.js';
import { Button, ErrorBox, Icon, Loading, useErrorText, useToast } from '../../ui.js';
import { PER_STAGE, boardQuery, filterParams, isEmptyFilter, type BoardFilter } from './board-query.js';
import { findDeal, shift } from './board-cache.js';
import { CardFace, DealCard } from './deal-card.js';
import { chunk, useChunk } from '../../chunk.js';
import { createDragPort, type DragPort } from './drag-port.js';
import type { BoardDndProps } from './board-dnd.js';
import { ColumnTotals } from './column-totals.js';

const NewDealDialog = lazy(() => import('../deal/new-deal-dialog.js').then((m) => ({ default: m.NewDealDialog })));

/* dragging (dnd-kit) comes after the first paint, its own chunk; the cards and columns meet it through a drag port */
const boardDnd = chunk(() => import('./board-dnd.js'));
const stageOf = (id: unknown) => String(id).replace(/^strip:/, '');
/**
 * Cards drawn at first in each column, enough to fill a screen: the first paint of a board of hundreds of cards
 * draws these only, and the rest follow at once after it, MORE_CARDS more per column at a time (each step a
 * transition of its own: the page stays responsive meanwhile, no step holds the browser long).
 */
const FIRST_CARDS = 6;
const MORE_CARDS = 12;

export function Board({ pipeline, filter }: { pipeline: Pipeline; filter: BoardFilter }) {
  const { t, number, name } = useI18n();
  const toast = useToast();
  const errorText = useErrorText();
  const { fieldLabel, kindName } = useLabels();
  const { reloadPipelines } = useRefData();
  const qc = useQueryClient();
  const query = boardQuery(pipeline.id, filter);
  const key = query.queryKey;
  const board = useQuery({ ...query, placeholderData: keepPreviousData });
  const data = board.data?.pipelineId === pipeline.id ? board.data : undefined;
  /** phones: one column at a time, a stage strip to jump (and drop) between them */
  const narrow = useMediaQuery('(max-width: 800px)', undefined, { getInitialValueInEffect: false });
  const [creating, setCreating] = useState(false);
  const [loadingMore, setLoadingMore] = useState<Record<string, boolean>>({});
  const [dragged, setDragged] = useState<Deal | null>(null);
  /** the column (or strip stage) a dragged card is over */
  const [over, setOver] = useState<string | null>(null);
  const [port] = useState(createDragPort);
  const scrollRef = useRef<HTMLDivElement>(null);
  const stripRef = useRef<HTMLDivElement>(null);
  /** whether there is more to either side, and the names of the stages out of view there */
  const [edges, setEdges] = useState({ left: false, right: false, hiddenLeft: '', hiddenRight: '' });
  const [active, setActive] = useState<string | null>(null);
  /** cards drawn per column (Infinity: all of them) */
  const [perColumn, setPerColumn] = useState(FIRST_CARDS);
  const allCards = perColumn === Infinity;
  const longest = data ? Math.max(0, ...data.stages.map((c) => c.deals.length)) : 0;
  const hasData = !!data;
  useEffect(() => {
    if (!hasData || allCards) return;
    const id = setTimeout(() =>
      startTransition(() => setPerColumn((n) => (n + MORE_CARDS >= longest ? Infinity : n + MORE_CARDS))),
    );
    return () => clearTimeout(id);
  }, [hasData, allCards, perColumn, longest]);

  const patch = useCallback(
    (fn: (b: BoardData) => BoardData) => {
      qc.setQueryData<BoardData>(key, (b) => (b ? fn(b) : b));
    },
    [qc, key],
  );

  const focusCard = useCallback((dealId: string) => {
    requestAnimationFrame(() => {
      const card = document.querySelector<HTMLElement>(`[data-testid="deal-card"][data-deal-id="${dealId}"]`);
      card?.focus();
    });
  }, []);

  const { requestMove, dialog, pending } = useStageMove({
    // the card jumps at once; the columns' counts and totals change by this deal; a refused move puts all back
    optimistic: (deal, stage) => {
      const before = qc.getQueryData<BoardData>(key);
      patch((b) => shift(b, deal, { ...deal, stageId: stage.id, stageEnteredAt: new Date().toISOString() }));
      return () => {
        if (before) qc.setQueryData(key, before);
      };
    },
    onMoved: (deal, before) => {
      patch((b) =>
        shift(b, findDeal(b, before.id) ?? before, isEmptyFilter(filter) || findDeal(b, deal.id) ? deal : null),
      );
      // the deal page and other boards read it again when next shown; this board keeps its patched figures
      void qc.invalidateQueries({ queryKey: qk.deal(deal.id) });
      void qc.invalidateQueries({ queryKey: qk.managersAll });
      void qc.invalidateQueries({
        queryKey: qk.boards,
        predicate: (q) => q.queryKey !== key && q.queryKey[2] !== pipeline.id,
      });
    },
    onStale: () => void qc.invalidateQueries({ queryKey: key }),
    onDialogClosed: (deal) => focusCard(deal.id),
  });

  const move = useCallback((deal: Deal, stage: Stage) => void requestMove(deal, stage), [requestMove]);

  // the board answered for other stages than the pipeline we know: someone changed it, so take it again
  const checked = useRef<BoardData | null>(null);
  useEffect(() => {
    if (!data || checked.current === data) return;
    checked.current = data;
    const known = new Set(pipeline.stages.map((s) => s.id));
    if (data.stages.length !== known.size || data.stages.some((c) => !known.has(c.stageId))) void reloadPipelines();
  }, [data, pipeline.stages, reloadPipelines]);

  async function loadMore(stageId: string) {
    const col = data?.stages.find((c) => c.stageId === stageId);
    const cursor = col?.nextCursor;
    if (!cursor || loadingMore[stageId]) return;
    setLoadingMore((m) => ({ ...m, [stageId]: true }));
    try {
      const page = await api.get<Page<Deal>>(
        `/deals${qs({ stageId, limit: PER_STAGE, cursor, ...filterParams(filter) })}`,
      );
      patch((b) => ({
        ...b,
        stages: b.stages.map((c) =>
          c.stageId === stageId && c.nextCursor === cursor
            ? {
                ...c,
                deals: [
                  ...c.deals,
                  ...page.items.filter((d) => d.stageId === stageId && !c.deals.some((x) => x.id === d.id)),
                ],
                nextCursor: page.nextCursor,
              }
            : c,
        ),
      }));
    } catch (e) {
      toast('error', errorText(e));
    } finally {
      setLoadingMore((m) => ({ ...m, [stageId]: false }));
    }
  }

  /* ---- scrolling: fades and buttons at an edge with more stages behind it; the column in view on a phone ---- */
  const measure = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const left = el.scrollLeft > 2;
    const right = el.scrollLeft + el.clientWidth < el.scrollWidth - 2;
    const pad = parseFloat(getComputedStyle(el).paddingLeft) || 0;
    let best = Infinity;
    let id: string | null = null;
    const hl: string[] = [];
    const hr: string[] = [];
    for (const c of el.querySelectorAll<HTMLElement>('[data-testid="stage-column"]')) {
      const d = Math.abs(c.offsetLeft - pad - el.scrollLeft);
      if (d < best) {
        best = d;
        id = c.dataset.stageId ?? null;
      }
      if (c.offsetLeft + c.offsetWidth > el.scrollLeft + el.clientWidth + 2) hr.push(c.dataset.stageName ?? '');
      if (c.offsetLeft < el.scrollLeft + pad - 2 - c.offsetWidth / 2) hl.push(c.dataset.stageName ?? '');
    }
    const hiddenLeft = hl.join(', ');
    const hiddenRight = hr.join(', ');
    setEdges((p) =>
      p.left === left && p.right === right && p.hiddenLeft === hiddenLeft && p.hiddenRight === hiddenRight
        ? p
        : { left, right, hiddenLeft, hiddenRight },
    );
    setActive(id);
  }, []);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    // measured when the observer first reports (just after a layout), not at once: that would force a layout of
    // the whole board before its first paint
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [measure, hasData, narrow]);

  const scrollToStage = useCallback((stageId: string, smooth = true) => {
    const el = scrollRef.current;
    const col = el?.querySelector<HTMLElement>(`[data-testid="stage-column"][data-stage-id="${stageId}"]`);
    if (!el || !col) return;
    const pad = parseFloat(getComputedStyle(el).paddingLeft) || 0;
    el.scrollTo({ left: col.offsetLeft - pad, behavior: smooth ? 'smooth' : 'instant' });
  }, []);

  // a phone opens on the first stage that has deals
  const opened = useRef(false);
  useEffect(() => {
    if (!data || opened.current) return;
    opened.current = true;
    if (!narrow) return;
    const first = pipeline.stages.find((s) => (data.stages.find((c) => c.stageId === s.id)?.count ?? 0) > 0);
    if (first) requestAnimationFrame(() => scrollToStage(first.id, false));
  }, [data, narrow, pipeline.stages, scrollToStage]);

  useEffect(() => {
    const strip = stripRef.current;
    const chip = active ? strip?.querySelector<HTMLElement>(`[data-stage-id="${active}"]`) : null;
    if (!strip || !chip) return;
    if (
      chip.offsetLeft < strip.scrollLeft ||
      chip.offsetLeft + chip.offsetWidth > strip.scrollLeft + strip.clientWidth
    ) {
      strip.scrollTo({ left: chip.offsetLeft - 14, behavior: 'smooth' });
    }
  }, [active]);

  /* ---- drag and drop ---- */
  const stageName = useCallback(
    (id: unknown) => {
      const s = pipeline.stages.find((x) => x.id === stageOf(id));
      return s ? name(s) : '';
    },
    [pipeline.stages, name],
  );
  const titleOf = (id: unknown) => findDeal(data, String(id))?.title ?? '';
  const announcements: Announcements = {
    onDragStart: ({ active: a }) => t('dnd.start', { title: titleOf(a.id) }),
    onDragOver: ({ active: a, over }) =>
      over
        ? t('dnd.over', { title: titleOf(a.id), stage: stageName(over.id) })
        : t('dnd.outside', { title: titleOf(a.id) }),
    onDragEnd: ({ active: a, over }) =>
      over
        ? t('dnd.dropped', { title: titleOf(a.id), stage: stageName(over.id) })
        : t('dnd.cancelled', { title: titleOf(a.id) }),
    onDragCancel: ({ active: a }) => t('dnd.cancelled', { title: titleOf(a.id) }),
  };
  const onDragStart = (id: string) => setDragged(findDeal(data, id));
  const onDragEnd = (id: string, to: string | null) => {
    setDragged(null);
    setOver(null);
    const deal = findDeal(data, id);
    const stage = to ? pipeline.stages.find((s) => s.id === stageOf(to)) : null;
    if (deal && stage && stage.id !== deal.stageId) move(deal, stage);
    else if (deal) focusCard(deal.id);
  };
  const gateText = (s: Stage) =>
    [...s.requiredFields.map((k) => fieldLabel(k)), ...s.requiredDocumentKinds.map((k) => kindName(k, '…'))].join(', ');
  const filtered = !isEmptyFilter(filter);

  return (
    <>
      <div className="board-new">
        <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="new-deal">
          {t('board.newDeal')}
        </Button>
      </div>
      <ErrorBox error={board.error} onRetry={() => void board.refetch()} />
      {board.isPending ? (
        <Loading />
      ) : !data ? null : (
        <>
          {narrow ? (
            <div
              className="stage-strip"
              ref={stripRef}
              role="group"
              aria-label={t('board.stages')}
              data-testid="stage-strip"
            >
              {pipeline.stages.map((s) => (
                <StripItem
                  key={s.id}
                  stage={s}
                  port={port}
                  isOver={over === `strip:${s.id}`}
                  count={data.stages.find((c) => c.stageId === s.id)?.count ?? 0}
                  active={active === s.id}
                  onClick={() => scrollToStage(s.id)}
                />
              ))}
            </div>
          ) : null}
          <div className={`board-wrap ${edges.left ? 'can-left' : ''} ${edges.right ? 'can-right' : ''}`}>
            <div
              className={`board ${dragged ? 'board-dragging' : ''}`}
              data-testid="board"
              aria-busy={board.isFetching || undefined}
              ref={scrollRef}
              onScroll={measure}
            >
              {pipeline.stages.map((s) => {
                const col = data.stages.find((c) => c.stageId === s.id);
                const count = col?.count ?? 0;
                const list = col?.deals ?? [];
                const shown = allCards ? list : list.slice(0, perColumn);
                const gated = s.requiredFields.length > 0 || s.requiredDocumentKinds.length > 0;
                return (
                  <Column key={s.id} stage={s} port={port} isOver={over === s.id}>
                    <header className="column-header">
                      <div className="column-title">
                        <span className={`stage-dot stage-dot-${s.kind}`} />
                        <h2 title={name(s)}>{name(s)}</h2>
                        <span
                          className="count"
                          data-testid="stage-count"
                          title={t('board.dealCount', { count })}
                          aria-label={t('board.dealCount', { count })}
                        >
                          {number(count)}
                        </span>
                        {gated ? (
                          <span
                            className="gate-icon"
                            role="img"
                            title={t('board.gated', { list: gateText(s) })}
                            aria-label={t('board.gated', { list: gateText(s) })}
                          >
                            <Icon name="lock" size={13} />
                          </span>
                        ) : null}
                      </div>
                      <div className="column-sum" data-testid="stage-sum">
                        <ColumnTotals
                          totals={col?.totals ?? []}
                          currency={data.currency}
                          probability={s.winProbability}
                        />
                      </div>
                    </header>
                    <div className="column-body">
                      {shown.map((d) => (
                        <DealCard
                          key={d.id}
                          deal={d}
                          stages={pipeline.stages}
                          moving={pending?.dealId === d.id}
                          dragging={dragged?.id === d.id}
                          port={port}
                          onMove={move}
                        />
                      ))}
                      {list.length === 0 ? (
                        <div className="column-empty" data-testid="column-empty">
                          {filtered && !count ? t('board.noMatches') : t('board.noDeals')}
                        </div>
                      ) : null}
                      {col?.nextCursor ? (
                        <div className="column-more">
                          <Button
                            size="sm"
                            className="btn-block"
                            busy={!!loadingMore[s.id]}
                            onClick={() => void loadMore(s.id)}
                            data-testid="load-more"
                          >
                            {t('common.loadMore')}
                          </Button>
                          <span className="column-more-note" data-testid="stage-shown">
                            {t('board.shown', { shown: number(col.deals.length), total: number(count) })}
                          </span>
                        </div>
                      ) : null}
                    </div>
                  </Column>
                );
              })}
            </div>
            {edges.left && !narrow ? (
              <button
                type="button"
                className="board-nav board-nav-left"
                onClick={() => scrollRef.current?.scrollBy({ left: -400, behavior: 'smooth' })}
                data-testid="board-scroll-left"
                aria-label={t('board.scrollLeft')}
                title={edges.hiddenLeft ? t('board.moreStages', { list: edges.hiddenLeft }) : t('board.scrollLeft')}
              >
                <Icon name="chevronLeft" />
              </button>
            ) : null}
            {edges.right && !narrow ? (
              <button
                type="button"
                className="board-nav board-nav-right"
                onClick={() => scrollRef.current?.scrollBy({ left: 400, behavior: 'smooth' })}
                data-testid="board-scroll-right"
                aria-label={t('board.scrollRight')}
                title={edges.hiddenRight ? t('board.moreStages', { list: edges.hiddenRight }) : t('board.scrollRight')}
              >
                <Icon name="chevronRight" />
              </button>
            ) : null}
          </div>
          {allCards ? (
            <LateDnd
              port={port}
              cards={pipeline.stages.flatMap(
                (s) =>
                  data.stages
                    .find((c) => c.stageId === s.id)
                    ?.deals.map((d) => ({ id: d.id, disabled: pending?.dealId === d.id })) ?? [],
              )}
              drops={[
                ...pipeline.stages.map((s) => s.id),
                ...(narrow ? pipeline.stages.map((s) => `strip:${s.id}`) : []),
              ]}
              announcements={announcements}
              instructions={t('dnd.instructions')}
              onDragStart={onDragStart}
              onDragOver={setOver}
              onDragEnd={onDragEnd}
              onDragCancel={() => {
                setDragged(null);
                setOver(null);
              }}
              overlay={
                dragged ? (
                  <article className="deal-card deal-card-overlay">
                    <CardFace deal={dragged} stages={pipeline.stages} />
                  </article>
                ) : null
              }
            />
          ) : null}
        </>
      )}
      {dialog}
      {creating ? (
        <Suspense fallback={null}>
          <NewDealDialog
            pipelineId={pipeline.id}
            onClose={() => setCreating(false)}
            onCreated={(d) => {
              setCreating(false);
              toast('ok', t('newDeal.created', { title: d.title }));
              if (d.pipelineId === pipeline.id) {
                if (isEmptyFilter(filter)) patch((b) => shift(b, null, d));
                else void qc.invalidateQueries({ queryKey: key });
              } else navigate(`/deals?pipeline=${d.pipelineId}`);
            }}
          />
        </Suspense>
      ) : null}
    </>
  );
}

/** dnd-kit's part of the board, once its chunk is there (drawn after the first cards: nothing waits for it) */
function LateDnd(props: BoardDndProps) {
  const m = useChunk(boardDnd);
  return m ? <m.BoardDnd {...props} /> : null;
}

/** The element of a card or column, given to the drag port (the same function for the same id: set once). */
function usePortRef(port: DragPort, id: string) {
  return useCallback((el: HTMLElement | null) => port.node(id, el), [port, id]);
}

function Column({
  stage,
  port,
  isOver,
  children,
}: {
  stage: Stage;
  port: DragPort;
  isOver: boolean;
  children: ReactNode;
}) {
  const { name } = useI18n();
  const ref = usePortRef(port, stage.id);
  return (
    <section
      ref={ref}
      className={`column column-${stage.kind} ${isOver ? 'column-over' : ''}`}
      data-testid="stage-column"
      data-stage-id={stage.id}
      data-stage-name={name(stage)}
      aria-label={name(stage)}
    >
      {children}
    </section>
  );
}

/** A stage in the phone's strip: shows its column, and takes a card dropped on it. */
function StripItem({
  stage,
  count,
  active,
  port,
  isOver,
  onClick,
}: {
  stage: Stage;
  count: number;
  active: boolean;
  port: DragPort;
  isOver: boolean;
  onClick: () => void;
}) {
  const { name, number } = useI18n();
  const ref = usePortRef(port, `strip:${stage.id}`);
  return (
    <button
      ref={ref}
      type="button"
      className={`strip-item ${active ? 'active' : ''} ${isOver ? 'strip-over' : ''}`}
      aria-current={active || undefined}
      onClick={onClick}
      data-testid="stage-strip-item"
      data-stage-id={stage.id}
    >
      <span className={`stage-dot stage-dot-${stage.kind}`} />
      <span className="strip-name">{name(stage)}</span>
      <span className="count" data-testid="stage-strip-count">
        {number(count)}
      </span>
    </button>
  );
}
