/**
 * A worker cut off from Temporal for longer than its dispatchers' heartbeat timeout: Temporal times their activities
 * out, which spends each activity's one cancellation. When the worker is stopped afterwards (a deploy, Ctrl+C), its
 * dispatchers must still end, so the stop completes in seconds, not after the dispatchers' hour-long run.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { throughProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { until } from '../support/until.ts';
import { dispatchWorkflowId } from '../../workflows/dispatch.ts';

let h: Harness;
let workerTemporal: TcpProxy;

beforeAll(async () => {
  h = await startHarness({
    workerTemporalAddress: throughProxy((proxy) => (workerTemporal = proxy)),
  });
});
afterAll(async () => {
  workerTemporal?.restore();
  await h?.close();
  await workerTemporal?.close();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('stops a worker whose dispatchers missed their heartbeats, within seconds', async () => {
  const dispatcher = h.ctx.temporal.workflow.getHandle(dispatchWorkflowId(h.taskQueue, 0));
  const running = await until(
    async () => (await dispatcher.describe()).raw.pendingActivities?.length ?? 0,
    (n) => n > 0,
  );
  expect(running).toBeGreaterThan(0);
  // cut off past the heartbeat timeout (5 s): Temporal times the dispatchers' activities out
  workerTemporal.cut();
  await pause(9_000);
  workerTemporal.restore();
  await pause(2_000);
  const stopped = await Promise.race([
    h.worker.stop().then(() => 'stopped'),
    pause(60_000).then(() => 'still running after a minute'),
  ]);
  expect(stopped).toBe('stopped');
}, 120_000);
