import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { fixtures, login, startHarness, type Harness } from '../support/harness.ts';
import { workflowBundle } from '../../runtime/worker.ts';
import { dealWorkflowId } from '../../workflows/deal-contract.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const HISTORIES = path.join(ROOT, 'test', 'fixtures', 'histories');
let h: Harness;
let liveHistory: unknown;

/** Drives one deal through every kind of change over HTTP and returns its workflow history as JSON. */
async function recordDealHistory(harness: Harness) {
  const f = fixtures(harness);
  const user = await f.user('manager');
  const client = await f.client(user.id);
  const kind = await f.documentKind();
  const p = await f.pipeline([['New', 'open', [], []], ['Proposal', 'open', ['amount'], [kind.id]], ['Lost', 'lost', [], []]]);
  const s = await login(harness, user.email);
  const deal = (await s.post('/deals', { title: 'Recorded', clientId: client.id, pipelineId: p.id })).body;
  await s.post(`/deals/${deal.id}/stage`, { stageId: p.stages[1].id }); // refused: never in history
  await s.patch(`/deals/${deal.id}`, { changes: { title: 'Recorded deal', expectedCloseDate: '2027-01-31' } });
  const form = new FormData();
  form.set('documentKindId', kind.id);
  form.set('file', new Blob(['proposal']), 'p.pdf');
  const att = (await s.request('POST', `/deals/${deal.id}/attachments`, form)).body;
  await s.post(`/deals/${deal.id}/stage`, { stageId: p.stages[1].id, changes: { amount: '10', currency: 'EUR' } });
  await s.post(`/deals/${deal.id}/stage`, { stageId: p.stages[2].id, lostReason: 'Budget cut' });
  await s.delete(`/deals/${deal.id}/attachments/${att.attachmentId}`);
  const history = await harness.ctx.temporal.workflow.getHandle(dealWorkflowId(deal.id)).fetchHistory();
  return JSON.parse(historyToJSON(history)) as { events: Record<string, unknown>[] };
}

beforeAll(async () => {
  h = await startHarness();
  liveHistory = await recordDealHistory(h);
  if (process.env.RECORD_HISTORIES === '1') {
    fs.writeFileSync(path.join(HISTORIES, `deal-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`), JSON.stringify(liveHistory, null, 1));
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
    const histories = [liveHistory, ...committed.map((f) => JSON.parse(fs.readFileSync(path.join(HISTORIES, f), 'utf8')))];
    for (const [i, json] of histories.entries()) {
      await expect(Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON(json), `deal-replay-${i}`)).resolves.toBeUndefined();
    }
  });

  it('fails the replay of that history against a workflow that changed its commands', async () => {
    const changed = await bundleWorkflowCode({
      workflowsPath: path.join(ROOT, 'test', 'fixtures', 'workflows', 'deal-with-extra-timer.ts'),
      logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } as never,
    });
    await expect(Worker.runReplayHistory({ workflowBundle: changed }, historyFromJSON(liveHistory), 'deal-replay-changed'))
      .rejects.toThrow(/nondetermin/i);
  });
});
