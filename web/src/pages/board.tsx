import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import { allPages, type Deal, type Pipeline, type Stage } from '../api.js';
import { NewDealDialog } from '../deal-forms.js';
import { useAsync, useDocumentTitle } from '../hooks.js';
import { useI18n } from '../i18n/index.js';
import { sumByCurrency, useLabels } from '../labels.js';
import { Link, navigate, useLocation } from '../router.js';
import { useRefData } from '../session.js';
import { useStageMove } from '../stage-move.js';
import { Avatar, Button, Empty, ErrorBox, Icon, Loading, Menu, useToast } from '../ui.js';

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

function Board({ pipeline }: { pipeline: Pipeline }) {
  const { t, money } = useI18n();
  const toast = useToast();
  const { fieldLabel, kindName } = useLabels();
  const deals = useAsync(() => allPages<Deal>('/deals', { pipelineId: pipeline.id }), [pipeline.id]);
  const [filter, setFilter] = useState('');
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const { setData, reload } = deals;

  const onMoved = useCallback((d: Deal) => setData((list) => (list ?? []).map((x) => (x.id === d.id ? d : x))), [setData]);
  const { requestMove, dialog, pending } = useStageMove({ onMoved, onStale: () => void reload() });

  const visible = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return (deals.data ?? []).filter((d) => !f || d.title.toLowerCase().includes(f) || d.clientName.toLowerCase().includes(f));
  }, [deals.data, filter]);

  const byStage = useMemo(() => {
    const m = new Map<string, Deal[]>(pipeline.stages.map((s) => [s.id, []]));
    for (const d of visible) {
      const stageId = pending?.dealId === d.id && pending.stageId ? pending.stageId : d.stageId;
      m.get(stageId)?.push(d);
    }
    return m;
  }, [visible, pipeline.stages, pending]);

  const gateText = (s: Stage) => [...s.requiredFields.map((k) => fieldLabel(k)), ...s.requiredDocumentKinds.map((k) => kindName(k, '…'))].join(', ');

  const drop = (e: DragEvent, stage: Stage) => {
    e.preventDefault();
    const id = e.dataTransfer.getData('application/x-dealflow-deal') || e.dataTransfer.getData('text/plain') || dragging;
    setOver(null);
    setDragging(null);
    const deal = deals.data?.find((d) => d.id === id);
    if (deal) void requestMove(deal, stage);
  };

  return (
    <>
      <div className="toolbar">
        <div className="input-icon toolbar-search">
          <Icon name="search" size={16} />
          <input className="input" placeholder={t('board.filter')} aria-label={t('board.filter')} value={filter} onChange={(e) => setFilter(e.target.value)} />
        </div>
        <div className="toolbar-spacer" />
        <Button variant="primary" icon="plus" onClick={() => setCreating(true)} data-testid="new-deal">{t('board.newDeal')}</Button>
      </div>
      <ErrorBox error={deals.error} onRetry={() => void reload()} />
      {deals.loading && !deals.data ? <Loading /> : (
        <div className="board" data-testid="board">
          {pipeline.stages.map((s) => {
            const list = byStage.get(s.id) ?? [];
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
                    <span className="count" data-testid="stage-count">{list.length}</span>
                    {gated ? <span className="gate-icon" title={t('board.gated', { list: gateText(s) })} aria-label={t('board.gated', { list: gateText(s) })}><Icon name="lock" size={13} /></span> : null}
                  </div>
                  <div className="column-sum" data-testid="stage-sum">{sumByCurrency(list, money) || '\u00a0'}</div>
                </header>
                <div className="column-body">
                  {list.map((d) => (
                    <DealCard key={d.id} deal={d} stages={pipeline.stages} moving={pending?.dealId === d.id}
                      dragging={dragging === d.id}
                      onDragStart={() => setDragging(d.id)} onDragEnd={() => { setDragging(null); setOver(null); }}
                      onMove={(stage) => void requestMove(d, stage)} />
                  ))}
                  {list.length === 0 ? <div className="column-empty">{t('board.empty')}</div> : null}
                </div>
              </section>
            );
          })}
        </div>
      )}
      {dialog}
      {creating ? (
        <NewDealDialog pipelineId={pipeline.id} onClose={() => setCreating(false)}
          onCreated={(d) => {
            setCreating(false);
            toast('ok', t('newDeal.created', { title: d.title }));
            if (d.pipelineId === pipeline.id) setData((list) => [d, ...(list ?? [])]);
            else navigate(`/deals?pipeline=${d.pipelineId}`);
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
