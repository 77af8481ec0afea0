/**
 * Replays deal workflow histories with the current workflow code: those recorded by this run and those committed in
 * test/fixtures/histories (recorded by earlier versions of the code). A change to the workflow that would break a
 * running deal's history fails here.
 *
 * Recording fixtures: `RECORD_HISTORIES=1 npx vitest run test/workflows/replay.test.ts` writes every history this
 * run records to test/fixtures/histories/deal-<name>-<date>.json; `RECORD_HISTORIES=queued-moves,queued-gives-up`
 * writes only those. Commit new shapes; keep the old files (they are what deals started by older code look like).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { fixtures, login, startHarness, type Harness } from '../support/harness.ts';
import { replayAll, type HistoryJson } from '../support/replay.ts';
import { workflowBundle } from '../../runtime/worker.ts';
import { dealWorkflowId, type DealWorkflowInput } from '../../workflows/deal-contract.ts';
import { Deal } from '../../modules/deals/entities.ts';
import { dealStateOf } from '../../modules/deals/state.ts';
import { dealIdFor } from '../../modules/deals/commands.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const HISTORIES = path.join(ROOT, 'test', 'fixtures', 'histories');
let h: Harness;
let liveHistory: unknown;

async function historyOf(harness: Harness, dealId: string, runId?: string): Promise<HistoryJson> {
  const history = await harness.ctx.temporal.workflow.getHandle(dealWorkflowId(dealId), runId).fetchHistory();
  return JSON.parse(historyToJSON(history)) as HistoryJson;
}

/**
 * Drives deals through the paths a deal workflow's history can take, over HTTP where a user would:
 * a new deal with every kind of change; a run started from Postgres after its workflow was lost, then a
 * concurrent burst; a chain that continues as new and resyncs from a stale snapshot; a deal archived and restored;
 * a deal created into a run that continues as new after a few edits.
 *
 * Commands queued in the workflow behind a running write (a timer each) happened while writes were regular
 * activities: since writes run as local activities inside the task that accepted the command, a command sent during
 * a write waits at the server for that task instead, so this code no longer records that shape. The histories of it
 * recorded before (deal-queued-*) are kept and replayed, as deals started then may still be running.
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
    (await s.post('/deals', { title, clientId: client.id, pipelineId: p.id })).body as { id: string };

  const deal = await newDeal('Recorded');
  await s.post(`/deals/${deal.id}/stage`, { stageId: p.stages[1].id }); // refused: never in history
  await s.patch(`/deals/${deal.id}`, { changes: { title: 'Recorded deal', expectedCloseDate: '2027-01-31' } });
  const form = new FormData();
  form.set('documentKindId', kind.id);
  form.set('file', new Blob(['proposal']), 'p.pdf');
  const att = (await s.request('POST', `/deals/${deal.id}/attachments`, form)).body as { attachmentId: string };
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

  // a deal created into a run that continues as new after three Updates: create, two edits; a third edit
  // lands in the continued run
  const key = `replay-${randomUUID()}`;
  const createdId = dealIdFor(user.id, key);
  const placeholder: DealWorkflowInput = {
    deal: {
      id: createdId,
      title: '',
      clientId: client.id,
      contactId: null,
      ownerId: user.id,
      pipelineId: p.id,
      stageId: p.stages[0].id,
      amount: null,
      currency: null,
      expectedCloseDate: null,
      custom: {},
      lostReason: null,
      documentKinds: {},
      version: 0,
    },
    created: false,
    updatesPerRun: 3,
  };
  const createdRun = await harness.ctx.temporal.workflow.start('dealWorkflow', {
    workflowId: dealWorkflowId(createdId),
    taskQueue: harness.taskQueue,
    args: [placeholder],
  });
  const created = await s.request(
    'POST',
    '/deals',
    { title: 'Created then continued', clientId: client.id, pipelineId: p.id },
    { 'idempotency-key': key },
  );
  expect((created.body as { id: string }).id).toBe(createdId);
  for (let i = 1; i <= 3; i++) {
    const r = await s.patch(`/deals/${createdId}`, { changes: { title: `Created then edited ${i}` } });
    expect(r.status).toBe(200);
  }

  return {
    'new-deal': await historyOf(harness, deal.id),
    'started-from-postgres': await historyOf(harness, restarted.id),
    'resync-then-continue-as-new': await historyOf(harness, chained.id, first.firstExecutionRunId),
    'continued-run': await historyOf(harness, chained.id),
    'archive-restore': await historyOf(harness, archived.id),
    'created-then-continued': await historyOf(harness, createdId, createdRun.firstExecutionRunId),
    'created-continued-run': await historyOf(harness, createdId),
  };
}

let live: Record<string, HistoryJson>;

beforeAll(async () => {
  h = await startHarness();
  live = await recordHistories(h);
  liveHistory = live['new-deal'];
  const record = process.env.RECORD_HISTORIES;
  if (record) {
    const stamp = new Date().toISOString().slice(0, 10);
    const names = record === '1' ? Object.keys(live) : record.split(',');
    for (const name of names) {
      if (!live[name]) throw new Error(`RECORD_HISTORIES: no history named ${name}`);
      fs.writeFileSync(path.join(HISTORIES, `deal-${name}-${stamp}.json`), JSON.stringify(live[name], null, 1));
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

  it('keeps replaying histories with commands queued behind a write: the wait is a timer, cancelled or fired', () => {
    const committed = (name: string) => {
      const file = fs
        .readdirSync(HISTORIES)
        .filter((f) => f.startsWith(`deal-${name}-`))
        .sort()
        .at(-1);
      expect(file, name).toBeDefined();
      return (JSON.parse(fs.readFileSync(path.join(HISTORIES, file!), 'utf8')) as HistoryJson).events.map((e) =>
        e.eventType.replace('EVENT_TYPE_', ''),
      );
    };
    const count = (name: string, type: string) => committed(name).filter((t) => t === type).length;
    // every new deal's run has one timer already, its create window, cancelled when the create arrives
    expect(count('queued-moves', 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toBe(5); // create, 2 × 2 moves
    expect(count('queued-moves', 'TIMER_STARTED')).toBe(1 + 2);
    expect(count('queued-moves', 'TIMER_CANCELED')).toBe(1 + 2);
    expect(count('queued-gives-up', 'TIMER_STARTED')).toBe(1 + 1);
    expect(count('queued-gives-up', 'TIMER_CANCELED')).toBe(1);
    expect(count('queued-gives-up', 'TIMER_FIRED')).toBe(1);
    const types = live['created-then-continued'].events.map((e) => e.eventType.replace('EVENT_TYPE_', ''));
    expect(types).toContain('WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
    expect(types.filter((t) => t === 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toHaveLength(3);
  });

  it('has committed histories of every shape this run records, so older shapes stay replayed', () => {
    const committed = fs.readdirSync(HISTORIES);
    for (const name of Object.keys(live)) {
      expect(
        committed.some((f) => f.startsWith(`deal-${name}-`)),
        `a committed history of ${name}`,
      ).toBe(true);
    }
  });

  it('replays the history recorded in this run and every committed history with the current code', async () => {
    const bundle = await workflowBundle(path.join(ROOT, '.data', 'cache'));
    const committed = fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));
    expect(committed.length).toBeGreaterThan(0);
    const histories: [string, HistoryJson][] = [
      ...Object.entries(live).map(([name, json]): [string, HistoryJson] => [`live ${name}`, json]),
      ...committed.map((f): [string, HistoryJson] => [
        f,
        JSON.parse(fs.readFileSync(path.join(HISTORIES, f), 'utf8')) as HistoryJson,
      ]),
    ];
    expect(live['resync-then-continue-as-new'].events.map((e) => e.eventType)).toContain(
      'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    );
    expect(await replayAll(bundle, histories)).toEqual([]);
  });

  it('fails the replay of that history against a workflow that changed its commands', async () => {
    const changed = await bundleWorkflowCode({
      workflowsPath: path.join(ROOT, 'test', 'fixtures', 'workflows', 'deal-with-extra-timer.ts'),
      logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} },
    });
    await expect(
      Worker.runReplayHistory({ workflowBundle: changed }, historyFromJSON(liveHistory), 'deal-replay-changed'),
    ).rejects.toThrow(/nondetermin/i);
    // the batch replay the other tests use names each history that fails
    const failed = await replayAll(changed, [
      ['first copy', liveHistory as HistoryJson],
      ['second copy', liveHistory as HistoryJson],
    ]);
    expect(failed.map((f) => f.split(':')[0]).sort()).toEqual(['first copy', 'second copy']);
    expect(failed[0]).toMatch(/nondetermin/i);
  });
});
