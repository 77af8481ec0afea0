import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { fixtures, login, startHarness, type Harness } from '../support/harness.ts';
import { workflowBundle } from '../../runtime/worker.ts';
import { dealWorkflowId } from '../../workflows/deal-contract.ts';
import { Deal } from '../../modules/deals/entities.ts';
import { dealStateOf } from '../../modules/deals/state.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const HISTORIES = path.join(ROOT, 'test', 'fixtures', 'histories');
let h: Harness;
let liveHistory: unknown;

type HistoryJson = { events: { eventType: string }[] };

async function historyOf(harness: Harness, dealId: string, runId?: string): Promise<HistoryJson> {
  const history = await harness.ctx.temporal.workflow.getHandle(dealWorkflowId(dealId), runId).fetchHistory();
  return JSON.parse(historyToJSON(history)) as HistoryJson;
}

/**
 * Drives deals through the paths a deal workflow's history can take, over HTTP where a user would:
 * a new deal with every kind of change; a run started from Postgres after its workflow was lost, then a
 * concurrent burst; a chain that continues as new and resyncs from a stale snapshot; a deal archived and restored.
 */
async function recordHistories(harness: Harness): Promise<Record<string, HistoryJson>> {
  const f = fixtures(harness);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const kind = await f.documentKind();
  const p = await f.pipeline([
    ['New', 'open', [], []],
    ['Proposal', 'open', ['amount'], [kind.id]],
    ['Lost', 'lost', [], []],
  ]);
  const s = await login(harness, user.email);
  const newDeal = async (title: string) =>
    (await s.post('/deals', { title, clientId: client.id, pipelineId: p.id })).body;

  const deal = await newDeal('Recorded');
  await s.post(`/deals/${deal.id}/stage`, { stageId: p.stages[1].id }); // refused: never in history
  await s.patch(`/deals/${deal.id}`, { changes: { title: 'Recorded deal', expectedCloseDate: '2027-01-31' } });
  const form = new FormData();
  form.set('documentKindId', kind.id);
  form.set('file', new Blob(['proposal']), 'p.pdf');
  const att = (await s.request('POST', `/deals/${deal.id}/attachments`, form)).body;
  await s.post(`/deals/${deal.id}/stage`, { stageId: p.stages[1].id, changes: { amount: '10', currency: 'EUR' } });
  await s.post(`/deals/${deal.id}/stage`, { stageId: p.stages[2].id, lostReason: 'Budget cut' });
  await s.delete(`/deals/${deal.id}/attachments/${att.attachmentId}`);

  const restarted = await newDeal('Restarted');
  await harness.ctx.temporal.workflow.getHandle(dealWorkflowId(restarted.id)).terminate('lost');
  await Promise.all(
    Array.from({ length: 6 }, (_, i) => s.patch(`/deals/${restarted.id}`, { changes: { title: `Burst ${i}` } })),
  );

  const archived = await newDeal('Archived');
  await s.post(`/deals/${archived.id}/archive`, {});
  await s.patch(`/deals/${archived.id}`, { changes: { title: 'Refused while archived' } }); // never in history
  await s.post(`/deals/${archived.id}/restore`, {});
  await s.patch(`/deals/${archived.id}`, { changes: { title: 'Archived and restored' } });

  const chained = await newDeal('Chained');
  const stale = await dealStateOf(
    harness.ctx.orm.em.fork(),
    await harness.ctx.orm.em.fork().findOneOrFail(Deal, { id: chained.id }),
  );
  await s.patch(`/deals/${chained.id}`, { changes: { title: 'Chained 2' } });
  await harness.ctx.temporal.workflow.getHandle(dealWorkflowId(chained.id)).terminate('lost');
  const first = await harness.ctx.temporal.workflow.start('dealWorkflow', {
    workflowId: dealWorkflowId(chained.id),
    taskQueue: harness.taskQueue,
    args: [{ deal: stale, created: true, updatesPerRun: 3 }],
  });
  for (let i = 0; i < 4; i++) await s.patch(`/deals/${chained.id}`, { changes: { title: `Chained ${i + 3}` } });

  return {
    'new-deal': await historyOf(harness, deal.id),
    'started-from-postgres': await historyOf(harness, restarted.id),
    'resync-then-continue-as-new': await historyOf(harness, chained.id, first.firstExecutionRunId),
    'continued-run': await historyOf(harness, chained.id),
    'archive-restore': await historyOf(harness, archived.id),
  };
}

let live: Record<string, HistoryJson>;

beforeAll(async () => {
  h = await startHarness();
  live = await recordHistories(h);
  liveHistory = live['new-deal'];
  if (process.env.RECORD_HISTORIES === '1') {
    const stamp = new Date().toISOString().slice(0, 10);
    for (const [name, json] of Object.entries(live)) {
      fs.writeFileSync(path.join(HISTORIES, `deal-${name}-${stamp}.json`), JSON.stringify(json, null, 1));
    }
  }
});
afterAll(() => h?.close());

describe('deal workflow determinism', () => {
  it('keeps rejected commands out of history: only accepted Updates are recorded', () => {
    const events = (liveHistory as { events: { eventType: string }[] }).events;
    const accepted = events.filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED');
    expect(accepted).toHaveLength(6); // create, edit, attach, move, lose, detach; the refused move is absent
  });

  it('replays the history recorded in this run and every committed history with the current code', async () => {
    const bundle = await workflowBundle(path.join(ROOT, '.data', 'cache'));
    const committed = fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
    expect(committed.length).toBeGreaterThan(0);
    const histories = [
      ...Object.values(live),
      ...committed.map((f) => JSON.parse(fs.readFileSync(path.join(HISTORIES, f), 'utf8'))),
    ];
    expect(live['resync-then-continue-as-new'].events.map((e) => e.eventType)).toContain(
      'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    );
    for (const [i, json] of histories.entries()) {
      await expect(
        Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON(json), `deal-replay-${i}`),
      ).resolves.toBeUndefined();
    }
  });

  it('fails the replay of that history against a workflow that changed its commands', async () => {
    const changed = await bundleWorkflowCode({
      workflowsPath: path.join(ROOT, 'test', 'fixtures', 'workflows', 'deal-with-extra-timer.ts'),
      logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} },
    });
    await expect(
      Worker.runReplayHistory({ workflowBundle: changed }, historyFromJSON(liveHistory), 'deal-replay-changed'),
    ).rejects.toThrow(/nondetermin/i);
  });
});
