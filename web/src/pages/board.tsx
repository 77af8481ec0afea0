import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { api, qs, type BoardData, type Deal, type MoneyTotal, type Page, type Pipeline, type Stage } from '../api.js';
import { NewDealDialog } from '../deal-forms.js';
import { useAsync, useDebounced, useDocumentTitle, useMediaQuery } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { formatTotals, useLabels } from '../labels.js';
import { Link, navigate, useLocation } from '../router.js';
import { useRefData } from '../session.js';
import { useStageMove } from '../stage-move.js';
import { Avatar, Button, Empty, ErrorBox, Icon, Loading, Menu, Spinner, useErrorText, useToast } from '../ui.js';

const LAST_PIPELINE = 'dealflow.pipeline';

export function BoardPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const { pipelines, pipelinesError, pipelinesLoading, reloadPipelines } = useRefData();
  useDocumentTitle(t('board.title'));
  const active = pipelines.filter((p) => !p.archived);
  const wanted = query.get('pipeline') ?? localStorage.getItem(LAST_PIPELINE);
  const pipeline = pipelines.find((p) => p.id === wanted) ?? active[0] ?? null;

  useEffect(() => { if (pipeline) localStorage.setItem(LAST_PIPELINE, pipeline.id); }, [pipeline]);

  return (
    <div className="page page-board">
      <header className="page-header">
        <div className="page-title">
          <h1>{t('board.title')}</h1>
          {pipelines.length > 0 ? (
            <label className="pipeline-picker">
              <span className="sr-only">{t('board.pipeline')}</span>
              <Icon name="flow" size={16} />
              <select className="input input-inline" value={pipeline?.id ?? ''} data-testid="pipeline-picker"
                onChange={(e) => navigate(`/deals?pipeline=${e.target.value}`)}>
                {pipelines.map((p) => <option key={p.id} value={p.id}>{p.name}{p.archived ? ` (${t('pipelines.archived')})` : ''}</option>)}
              </select>
            </label>
          ) : null}
        </div>
      </header>
      {pipelinesLoading ? <Loading /> : pipelinesError ? <ErrorBox error={pipelinesError} onRetry={() => void reloadPipelines()} />
        : !pipeline ? <Empty icon="flow">{t('board.noPipelines')}</Empty>
        : <Board key={pipeline.id} pipeline={pipeline} />}
    </div>
  );
}

/** Deals per column in the first answer and in each "Load more" page. */
const PAGE = 50;

/** The board as loaded, with the filter it was loaded with ("Load more" pages must use the same one). */
type BoardState = BoardData & { q: string };

const cents = (s: string) => {
  const neg = s.startsWith('-');
  const [whole, frac = ''] = (neg ? s.slice(1) : s).split('.');
  const n = BigInt(whole || '0') * 100n + BigInt((frac + '00').slice(0, 2));
  return neg ? -n : n;
};
const decimalOf = (n: bigint) => {
  const a = n < 0n ? -n : n;
  return `${n < 0n ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
};

/** The totals with a deal's amount added (sign 1) or taken out (sign -1), exactly, until the server's figures arrive. */
function shiftTotals(totals: MoneyTotal[], deal: Deal, sign: 1 | -1): MoneyTotal[] {
  if (deal.amount === null || deal.currency === null) return totals;
  const delta = cents(deal.amount) * BigInt(sign);
  const found = totals.some((x) => x.currency === deal.currency);
  const next = found
    ? totals.map((x) => (x.currency === deal.currency ? { ...x, amount: decimalOf(cents(x.amount) + delta) } : x))
    : [...totals, { currency: deal.currency, amount: decimalOf(delta) }];
  // a currency whose total drops to nothing goes; the server's figures follow right after and settle it
  return next.filter((x) => x.currency !== deal.currency || cents(x.amount) > 0n);
}

/** The board after a deal left its column (removed) and/or entered one (added); the newest change goes first. */
function shift(b: BoardState, removed: Deal | null, added: Deal | null): BoardState {
  return {
    ...b,
    stages: b.stages.map((c) => {
      let { deals, count, totals } = c;
      if (removed && removed.stageId === c.stageId && deals.some((d) => d.id === removed.id)) {
        deals = deals.filter((d) => d.id !== removed.id);
        count = Math.max(0, count - 1);
        totals = shiftTotals(totals, removed, -1);
      }
      if (added && added.stageId === c.stageId) {
        if (!deals.some((d) => d.id === added.id)) { count += 1; totals = shiftTotals(totals, added, 1); }
        deals = [added, ...deals.filter((d) => d.id !== added.id)];
      }
      return deals === c.deals ? c : { ...c, deals, count, totals };
    }),
  };
}

const matches = (d: Deal, q: string) => !q || d.title.toLowerCase().includes(q.toLowerCase());

/** How far from the board's left or right edge a dragged card makes it scroll, and the fastest step per frame. */
const EDGE_ZONE = 90;
const EDGE_SPEED = 22;

interface ScrollState { left: boolean; right: boolean; hiddenRight: string[]; hiddenLeft: string[]; active: string | null }
const NO_SCROLL: ScrollState = { left: false, right: false, hiddenRight: [], hiddenLeft: [], active: null };

/**
 * The board's horizontal scrolling: whether there is more to the left or right (for the fades and scroll buttons),
 * which stages are out of view, the column in view (for the stage strip on phones), and scrolling near an edge
 * while a card is dragged.
 */
function useBoardScroll(dragging: boolean, layout: unknown) {
  const ref = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<ScrollState>(NO_SCROLL);
  const frame = useRef(0);

  const measure = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const pad = parseFloat(getComputedStyle(el).paddingLeft) || 0;
    const viewLeft = el.scrollLeft;
    const viewRight = el.scrollLeft + el.clientWidth;
    const cols = [...el.querySelectorAll<HTMLElement>('[data-testid="stage-column"]')];
    const hiddenRight: string[] = [];
    const hiddenLeft: string[] = [];
    let active: string | null = null;
    let best = Infinity;
    for (const c of cols) {
      const name = c.dataset.stageName ?? '';
      if (c.offsetLeft + c.offsetWidth > viewRight + 2) hiddenRight.push(name);
      if (c.offsetLeft < viewLeft + pad - 2 - c.offsetWidth / 2) hiddenLeft.push(name);
      const d = Math.abs(c.offsetLeft - pad - viewLeft);
      if (d < best) { best = d; active = c.dataset.stageId ?? null; }
    }
    const next: ScrollState = {
      left: el.scrollLeft > 2, right: el.scrollLeft + el.clientWidth < el.scrollWidth - 2, hiddenRight, hiddenLeft, active,
    };
    setState((prev) => (prev.left === next.left && prev.right === next.right && prev.active === next.active
      && prev.hiddenRight.join('\n') === next.hiddenRight.join('\n') && prev.hiddenLeft.join('\n') === next.hiddenLeft.join('\n') ? prev : next));
  }, []);

  const onScroll = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => { frame.current = 0; measure(); });
  }, [measure]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    measure();
    const ro = new ResizeObserver(() => measure());
    ro.observe(el);
    for (const c of el.children) ro.observe(c);
    return () => { ro.disconnect(); cancelAnimationFrame(frame.current); frame.current = 0; };
  }, [measure, layout]);

  // while a card is dragged: the pointer near the left or right edge scrolls the board, faster the closer it is
  useEffect(() => {
    if (!dragging) return;
    const pointer: { x: number | null; y: number } = { x: null, y: 0 };
    const onOver = (e: globalThis.DragEvent) => { pointer.x = e.clientX; pointer.y = e.clientY; };
    let raf = 0;
    const tick = () => {
      const el = ref.current;
      if (el && pointer.x !== null) {
        const r = el.getBoundingClientRect();
        const zone = Math.min(EDGE_ZONE, r.width / 5);
        let step = 0;
        if (pointer.y >= r.top && pointer.y <= r.bottom) {
          if (pointer.x < r.left + zone && pointer.x > r.left - 80) step = -Math.min(1, (r.left + zone - pointer.x) / zone);
          else if (pointer.x > r.right - zone) step = Math.min(1, (pointer.x - (r.right - zone)) / zone);
        }
        if (step) el.scrollLeft += Math.round(step * EDGE_SPEED) || Math.sign(step);
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    document.addEventListener('dragover', onOver);
    return () => { cancelAnimationFrame(raf); document.removeEventListener('dragover', onOver); };
  }, [dragging]);

  const scrollToStage = useCallback((stageId: string) => {
    const el = ref.current;
    const col = el?.querySelector<HTMLElement>(`[data-testid="stage-column"][data-stage-id="${stageId}"]`);
    if (!el || !col) return;
    const pad = parseFloat(getComputedStyle(el).paddingLeft) || 0;
    el.scrollTo({ left: col.offsetLeft - pad, behavior: 'smooth' });
  }, []);

  const page = useCallback((dir: 1 | -1) => {
    const el = ref.current;
    if (el) el.scrollBy({ left: dir * Math.max(200, el.clientWidth * 0.7), behavior: 'smooth' });
  }, []);

  return { ref, state, onScroll, scrollToStage, page };
}

function Board({ pipeline }: { pipeline: Pipeline }) {
  const { t, money, number } = useI18n();
  const toast = useToast();
  const errorText = useErrorText();
  const { fieldLabel, kindName } = useLabels();
  const { reloadPipelines } = useRefData();
  const [filter, setFilter] = useState('');
  const q = useDebounced(filter.trim(), 300);
  /** bumped by every full load, so that a counts refresh started before it is dropped */
  const countsSeq = useRef(0);
  const board = useAsync<BoardState>(() => {
    countsSeq.current++;
    return api.get<BoardData>(`/deals/board${qs({ pipelineId: pipeline.id, perStage: PAGE, q })}`).then((r) => ({ ...r, q }));
  }, [pipeline.id, q]);
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  /** phones: one column at a time, a stage strip to jump between them, and no drag and drop */
  const narrow = useMediaQuery('(max-width: 800px)');
  const touch = useMediaQuery('(pointer: coarse)');
  const stripRef = useRef<HTMLDivElement>(null);
  const [creating, setCreating] = useState(false);
  const [loadingMore, setLoadingMore] = useState<Record<string, boolean>>({});
  const { data, setData, reload } = board;
  const scroll = useBoardScroll(dragging !== null, `${!!data}:${pipeline.stages.length}:${narrow}`);
  /** the filter the shown board was loaded with */
  const loadedQ = useRef('');
  loadedQ.current = data?.q ?? '';

  /** Takes the counts and totals from the server again, keeping the cards loaded so far. */
  const refreshCounts = useCallback(async (forQ: string) => {
    const id = ++countsSeq.current;
    try {
      const r = await api.get<BoardData>(`/deals/board${qs({ pipelineId: pipeline.id, perStage: 1, q: forQ })}`);
      if (id !== countsSeq.current) return;
      setData((prev) => (prev && prev.q === forQ ? {
        ...prev,
        stages: prev.stages.map((c) => {
          const fresh = r.stages.find((x) => x.stageId === c.stageId);
          return fresh ? { ...c, count: fresh.count, totals: fresh.totals } : c;
        }),
      } : prev));
    } catch { /* the counts adjusted in place stay until the next load */ }
  }, [pipeline.id, setData]);

  const onMoved = useCallback((d: Deal) => {
    setData((prev) => {
      if (!prev) return prev;
      const before = prev.stages.flatMap((c) => c.deals).find((x) => x.id === d.id) ?? null;
      return shift(prev, before, matches(d, prev.q) ? d : null);
    });
    void refreshCounts(loadedQ.current);
  }, [setData, refreshCounts]);
  const { requestMove, dialog, pending } = useStageMove({ onMoved, onStale: () => void reload() });

  // the board answered for other stages than the pipeline we know: someone changed it, so take it again
  const checkedStages = useRef<BoardData | null>(null);
  useEffect(() => {
    if (!data || checkedStages.current === data) return;
    checkedStages.current = data;
    const known = new Set(pipeline.stages.map((s) => s.id));
    if (data.stages.length !== known.size || data.stages.some((c) => !known.has(c.stageId))) void reloadPipelines();
  }, [data, pipeline.stages, reloadPipelines]);

  const allDeals = useMemo(() => (data?.stages ?? []).flatMap((c) => c.deals), [data]);

  const columns = useMemo(() => {
    const moving = pending?.stageId ? allDeals.find((d) => d.id === pending.dealId) ?? null : null;
    return new Map(pipeline.stages.map((s) => {
      const col = data?.stages.find((c) => c.stageId === s.id);
      let list = col?.deals ?? [];
      if (moving) {
        list = list.filter((d) => d.id !== moving.id);
        if (s.id === pending?.stageId) list = [moving, ...list];
      }
      return [s.id, { col, list }] as const;
    }));
  }, [data, allDeals, pipeline.stages, pending]);

  async function loadMore(stageId: string) {
    const col = data?.stages.find((c) => c.stageId === stageId);
    const cursor = col?.nextCursor;
    if (!data || !cursor || loadingMore[stageId]) return;
    const forQ = data.q;
    setLoadingMore((m) => ({ ...m, [stageId]: true }));
    try {
      const page = await api.get<Page<Deal>>(`/deals${qs({ stageId, limit: PAGE, cursor, q: forQ })}`);
      setData((prev) => (prev && prev.q === forQ ? {
        ...prev,
        stages: prev.stages.map((c) => (c.stageId === stageId && c.nextCursor === cursor ? {
          ...c,
          deals: [...c.deals, ...page.items.filter((d) => d.stageId === stageId && !c.deals.some((x) => x.id === d.id))],
          nextCursor: page.nextCursor,
        } : c)),
      } : prev));
    } catch (e) {
      toast('error', errorText(e));
    } finally {
      setLoadingMore((m) => ({ ...m, [stageId]: false }));
    }
  }

  // keep the stage of the column in view visible in the strip
  const activeStage = scroll.state.active;
  useEffect(() => {
    const strip = stripRef.current;
    const chip = activeStage ? strip?.querySelector<HTMLElement>(`[data-stage-id="${activeStage}"]`) : null;
    if (!strip || !chip) return;
    if (chip.offsetLeft < strip.scrollLeft || chip.offsetLeft + chip.offsetWidth > strip.scrollLeft + strip.clientWidth) {
      strip.scrollTo({ left: chip.offsetLeft - 14, behavior: 'smooth' });
    }
  }, [activeStage]);

  const gateText = (s: Stage) => [...s.requiredFields.map((k) => fieldLabel(k)), ...s.requiredDocumentKinds.map((k) => kindName(k, '…'))].join(', ');

  const drop = (e: DragEvent, stage: Stage) => {
    e.preventDefault();
    const id = e.dataTransfer.getData('application/x-dealflow-deal') || e.dataTransfer.getData('text/plain') || dragging;
    setOver(null);
    setDragging(null);
    const deal = allDeals.find((d) => d.id === id);
    if (deal) void requestMove(deal, stage);
  };

  return (
    <>
      <div className="toolbar">
        <div className="input-icon toolbar-search">
          <Icon name="search" size={16} />
          <input className="input" type="search" placeholder={t('board.filter')} aria-label={t('board.filter')} value={filter}
            onChange={(e) => setFilter(e.target.value)} data-testid="board-filter" />
          {board.loading && data ? <Spinner /> : null}
        </div>
        <div className="toolbar-spacer" />
        <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="new-deal">{t('board.newDeal')}</Button>
      </div>
      <ErrorBox error={board.error} onRetry={() => void reload()} />
      {board.loading && !data ? <Loading /> : !data ? null : (<>
        {narrow ? (
          <div className="stage-strip" ref={stripRef} role="group" aria-label={t('board.stages')} data-testid="stage-strip">
            {pipeline.stages.map((s) => {
              const n = data.stages.find((c) => c.stageId === s.id)?.count ?? 0;
              const isActive = activeStage === s.id;
              return (
                <button key={s.id} type="button" className={`strip-item ${isActive ? 'active' : ''}`} aria-current={isActive || undefined}
                  onClick={() => scroll.scrollToStage(s.id)} data-testid="stage-strip-item" data-stage-id={s.id}>
                  <span className={`stage-dot stage-dot-${s.kind}`} />
                  <span className="strip-name">{s.name}</span>
                  <span className="count" data-testid="stage-strip-count">{number(n)}</span>
                </button>
              );
            })}
          </div>
        ) : null}
        <div className={`board-wrap ${scroll.state.left ? 'can-left' : ''} ${scroll.state.right ? 'can-right' : ''}`}>
        <div className={`board ${dragging ? 'board-dragging' : ''}`} data-testid="board" aria-busy={board.loading || undefined}
          ref={scroll.ref} onScroll={scroll.onScroll}>
          {pipeline.stages.map((s) => {
            const { col, list } = columns.get(s.id) ?? { col: undefined, list: [] };
            const count = col?.count ?? 0;
            const gated = s.requiredFields.length > 0 || s.requiredDocumentKinds.length > 0;
            return (
              <section key={s.id} className={`column column-${s.kind} ${over === s.id ? 'column-over' : ''}`}
                data-testid="stage-column" data-stage-id={s.id} data-stage-name={s.name} aria-label={s.name}
                onDragOver={(e) => { if (dragging || e.dataTransfer.types.includes('application/x-dealflow-deal')) { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; if (over !== s.id) setOver(s.id); } }}
                onDragLeave={(e) => { if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver((o) => (o === s.id ? null : o)); }}
                onDrop={(e) => drop(e, s)}>
                <header className="column-header">
                  <div className="column-title">
                    <span className={`stage-dot stage-dot-${s.kind}`} />
                    <h2>{s.name}</h2>
                    <span className="count" data-testid="stage-count" title={t('board.count', { n: number(count) })}>{number(count)}</span>
                    {gated ? <span className="gate-icon" title={t('board.gated', { list: gateText(s) })} aria-label={t('board.gated', { list: gateText(s) })}><Icon name="lock" size={13} /></span> : null}
                  </div>
                  <div className="column-sum" data-testid="stage-sum">{formatTotals(col?.totals ?? [], money) || '\u00a0'}</div>
                </header>
                <div className="column-body">
                  {list.map((d) => (
                    <DealCard key={d.id} deal={d} stages={pipeline.stages} moving={pending?.dealId === d.id}
                      dragging={dragging === d.id}
                      onDragStart={() => setDragging(d.id)} onDragEnd={() => { setDragging(null); setOver(null); }}
                      onMove={(stage) => void requestMove(d, stage)} />
                  ))}
                  {list.length === 0 ? (
                    <div className={`column-empty ${narrow || touch ? 'column-empty-plain' : ''}`} data-testid="column-empty">
                      {q && !count ? t('board.noMatches') : narrow || touch ? t('board.noDeals') : t('board.empty')}
                    </div>
                  ) : null}
                  {col?.nextCursor ? (
                    <div className="column-more">
                      <Button size="sm" className="btn-block" busy={!!loadingMore[s.id]} onClick={() => void loadMore(s.id)} data-testid="load-more">
                        {t('common.loadMore')}
                      </Button>
                      <span className="column-more-note" data-testid="stage-shown">{t('board.shown', { shown: number(col.deals.length), total: number(count) })}</span>
                    </div>
                  ) : null}
                </div>
              </section>
            );
          })}
        </div>
        {scroll.state.left && !narrow ? (
          <button type="button" className="board-nav board-nav-left" onClick={() => scroll.page(-1)} data-testid="board-scroll-left"
            aria-label={t('board.scrollLeft')} title={scroll.state.hiddenLeft.length ? t('board.moreStages', { list: scroll.state.hiddenLeft.join(', ') }) : t('board.scrollLeft')}>
            <Icon name="chevronLeft" />
          </button>
        ) : null}
        {scroll.state.right && !narrow ? (
          <button type="button" className="board-nav board-nav-right" onClick={() => scroll.page(1)} data-testid="board-scroll-right"
            aria-label={t('board.scrollRight')} title={scroll.state.hiddenRight.length ? t('board.moreStages', { list: scroll.state.hiddenRight.join(', ') }) : t('board.scrollRight')}>
            <Icon name="chevronRight" />
            {scroll.state.hiddenRight.length ? <span className="board-nav-count">{number(scroll.state.hiddenRight.length)}</span> : null}
          </button>
        ) : null}
        </div>
      </>)}
      {dialog}
      {creating ? (
        <NewDealDialog pipelineId={pipeline.id} onClose={() => setCreating(false)}
          onCreated={(d) => {
            setCreating(false);
            toast('ok', t('newDeal.created', { title: d.title }));
            if (d.pipelineId === pipeline.id) {
              setData((prev) => (prev && matches(d, prev.q) ? shift(prev, null, d) : prev));
              void refreshCounts(loadedQ.current);
            } else navigate(`/deals?pipeline=${d.pipelineId}`);
          }} />
      ) : null}
    </>
  );
}

function DealCard({ deal, stages, moving, dragging, onDragStart, onDragEnd, onMove }: {
  deal: Deal; stages: Stage[]; moving: boolean; dragging: boolean; onDragStart: () => void; onDragEnd: () => void; onMove: (s: Stage) => void;
}) {
  const { t, money, date } = useI18n();
  const overdue = deal.expectedCloseDate && !deal.closedAt && deal.expectedCloseDate < new Date().toISOString().slice(0, 10);
  return (
    <article className={`deal-card ${moving ? 'deal-card-moving' : ''} ${dragging ? 'deal-card-dragging' : ''}`} draggable={!moving}
      data-testid="deal-card" data-deal-id={deal.id} aria-busy={moving || undefined}
      onDragStart={(e) => {
        e.dataTransfer.setData('application/x-dealflow-deal', deal.id);
        e.dataTransfer.setData('text/plain', deal.id);
        e.dataTransfer.effectAllowed = 'move';
        onDragStart();
      }}
      onDragEnd={onDragEnd}
      onClick={(e) => { if (!(e.target as HTMLElement).closest('a, button, [role=menu]')) navigate(`/deals/${deal.id}`); }}>
      <div className="deal-card-top">
        <Link to={`/deals/${deal.id}`} className="deal-card-title" data-testid="deal-card-title" draggable={false}>{deal.title}</Link>
        <Menu label={t('board.moveTo')} trigger={<Icon name="more" size={16} />} testId="deal-card-menu">
          {(close) => (
            <>
              <div className="menu-heading">{t('board.moveMenu', { title: deal.title })}</div>
              {stages.map((s) => (
                <button key={s.id} type="button" role="menuitem" className="menu-item" disabled={s.id === deal.stageId}
                  data-testid="move-to" data-stage-id={s.id}
                  onClick={() => { close(); onMove(s); }}>
                  <span className={`stage-dot stage-dot-${s.kind}`} />
                  <span className="grow">{s.name}</span>
                  {s.requiredFields.length + s.requiredDocumentKinds.length > 0 ? <Icon name="lock" size={13} className="muted" /> : null}
                  {s.id === deal.stageId ? <Icon name="check" size={14} /> : null}
                </button>
              ))}
            </>
          )}
        </Menu>
      </div>
      <div className="deal-card-client"><Icon name="building" size={13} /> {deal.clientName}</div>
      <div className="deal-card-bottom">
        <span className="deal-card-amount" data-testid="deal-card-amount">{deal.amount !== null ? money(deal.amount, deal.currency) : <span className="muted">{t('common.none')}</span>}</span>
        <span className="deal-card-meta">
          {deal.expectedCloseDate ? <span className={`chip ${overdue ? 'chip-red' : ''}`}><Icon name="clock" size={12} /> {date(deal.expectedCloseDate)}</span> : null}
          <Avatar name={deal.ownerName} size={22} />
        </span>
      </div>
      {moving ? <div className="deal-card-status">{t('board.moving')}</div> : null}
    </article>
  );
}
