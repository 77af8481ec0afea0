/**
 * The kit's semantics, on a record that exists only for these tests (test/fixtures/workflows/note.ts: its state,
 * its rule, its write) with its activities stubbed in memory, against a local Temporal (the CLI's dev server).
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import { send, type SendContext } from '../../modules/kit/send.ts';
import { DomainError } from '../../modules/shared/errors.ts';
import {
  createNote,
  noteKind,
  noteState,
  noteWorkflow,
  resyncNote,
  setText,
  type Note,
  type NoteActivities,
  type NoteInput,
} from '../fixtures/workflows/note.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const TEMPORAL = process.env.TEMPORAL_CLI ?? path.join(ROOT, '.tools', 'bin', 'temporal');

/** The note table and command_ops of the stub: what a real activity would keep in Postgres. */
const rows = new Map<string, Note>();
const ops = new Map<string, 'applied' | 'abandoned'>();
let mode: 'ok' | 'down' | 'commit-then-down' = 'ok';
let writeDelayMs = 0;
let writing = 0;
let mostAtOnce = 0;
const order: string[] = [];

const activities: NoteActivities = {
  async writeNote({ opId, note, fromVersion }) {
    writing++;
    mostAtOnce = Math.max(mostAtOnce, writing);
    try {
      if (writeDelayMs) await new Promise((r) => setTimeout(r, writeDelayMs));
      if (mode === 'down') throw new Error('connection refused');
      const claimed = ops.get(opId);
      if (claimed === 'abandoned') throw ApplicationFailure.nonRetryable('given up', 'COMMAND_ABANDONED');
      if (claimed === 'applied') return { version: rows.get(note.id)!.version };
      if ((rows.get(note.id)?.version ?? 0) !== fromVersion)
        throw ApplicationFailure.nonRetryable('moved on', 'VERSION_CONFLICT');
      ops.set(opId, 'applied');
      rows.set(note.id, { ...note, version: fromVersion + 1 });
      order.push(note.text);
      if (mode === 'commit-then-down') throw new Error('connection lost after commit');
      return { version: fromVersion + 1 };
    } finally {
      writing--;
    }
  },
  loadNote({ id }) {
    return Promise.resolve(rows.get(id) ?? null);
  },
  abandonOp({ opId }) {
    if (!ops.has(opId)) ops.set(opId, 'abandoned');
    return Promise.resolve(ops.get(opId)!);
  },
};

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let ctx: SendContext;
const taskQueue = `kit-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: TEMPORAL },
      extraArgs: ['--dynamic-config-value', 'system.enableActivityEagerExecution=true'],
    },
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    activities,
    workflowsPath: path.join(ROOT, 'test', 'fixtures', 'workflows', 'note.ts'),
  });
  running = worker.run();
  ctx = { temporal: env.client, taskQueue };
}, 180_000);
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

/** A note as the command layer would address it: started from its stored row when its workflow is not running. */
const target = (id: string, input?: Partial<NoteInput>) => ({
  kind: noteKind,
  workflow: noteWorkflow,
  id,
  start: (): NoteInput => ({ note: rows.get(id) ?? { id, text: '', version: 0 }, created: rows.has(id), ...input }),
});

async function newNote(text = 'first', input?: Partial<NoteInput>) {
  const id = randomUUID();
  const note = await send(ctx, target(id, input), createNote, {
    opId: randomUUID(),
    actorId: null,
    note: { id, text, version: 1 },
  });
  return { id, note };
}
const handle = (id: string) => env.client.workflow.getHandle(noteKind.workflowId(id));
const reason = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
  );

describe('a record built on the kit', () => {
  it('needs only its state, its rule and its write: create, change, refuse, all through the one sender', async () => {
    const { id, note } = await newNote();
    expect(note).toEqual({ id, text: 'first', version: 1 });
    const changed = await send(ctx, target(id), setText, {
      opId: randomUUID(),
      actorId: null,
      text: 'second',
      storedVersion: 1,
    });
    expect(changed).toEqual({ id, text: 'second', version: 2 });
    expect(await reason(send(ctx, target(id), setText, { opId: randomUUID(), actorId: null, text: '  ' }))).toBe(
      'TEXT_REQUIRED',
    );
    expect(
      await reason(
        send(ctx, target(id), setText, { opId: randomUUID(), actorId: null, text: 'x', expectedVersion: 1 }),
      ),
    ).toBe('VERSION_CONFLICT');
    // refused commands never reach history: two accepted Updates, the create and the change
    const history = await handle(id).fetchHistory();
    expect(history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(2);
    expect(rows.get(id)).toEqual({ id, text: 'second', version: 2 });
  });

  it('writes concurrent commands one at a time, in arrival order, each checked against the state before it', async () => {
    const { id } = await newNote();
    writeDelayMs = 150;
    mostAtOnce = 0;
    try {
      const texts = ['a', 'b', 'c', 'd', 'e'];
      const results = await Promise.all(
        texts.map((text) => handle(id).executeUpdate(setText, { args: [{ opId: randomUUID(), actorId: null, text }] })),
      );
      expect(results.map((r) => r.version).sort()).toEqual([2, 3, 4, 5, 6]);
      expect(mostAtOnce).toBe(1);
      // a command made against a version another write has since replaced is refused when its turn comes
      const [first, second] = await Promise.allSettled([
        handle(id).executeUpdate(setText, {
          args: [{ opId: randomUUID(), actorId: null, text: 'f', expectedVersion: 6 }],
        }),
        handle(id).executeUpdate(setText, {
          args: [{ opId: randomUUID(), actorId: null, text: 'g', expectedVersion: 6 }],
        }),
      ]);
      expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected']);
    } finally {
      writeDelayMs = 0;
    }
    expect(rows.get(id)!.version).toBe(7);
  });

  it('gives a failed write up by its opId, so it can never commit after the failure was reported', async () => {
    const { id } = await newNote();
    mode = 'down';
    const opId = randomUUID();
    try {
      expect(await reason(send(ctx, target(id), setText, { opId, actorId: null, text: 'lost' }))).toBe(
        'COMMAND_ABANDONED',
      );
    } finally {
      mode = 'ok';
    }
    expect(ops.get(opId)).toBe('abandoned');
    // a late attempt of the same command finds it given up
    await expect(
      activities.writeNote({ opId, note: { id, text: 'lost', version: 1 }, fromVersion: 1 }),
    ).rejects.toThrow('given up');
    expect(rows.get(id)).toMatchObject({ text: 'first', version: 1 });
  });

  it('keeps a write that committed before the give-up: the change stands and the command succeeds', async () => {
    const { id } = await newNote();
    mode = 'commit-then-down';
    try {
      const r = await send(ctx, target(id), setText, { opId: randomUUID(), actorId: null, text: 'kept' });
      expect(r).toMatchObject({ text: 'kept', version: 2 });
    } finally {
      mode = 'ok';
    }
    expect((await handle(id).query(noteState)).note).toMatchObject({ text: 'kept', version: 2 });
  });

  it('ends a run whose create never came, after the create window', async () => {
    const id = randomUUID();
    const h = await env.client.workflow.start(noteWorkflow, {
      workflowId: noteKind.workflowId(id),
      taskQueue,
      args: [{ note: { id, text: '', version: 0 }, created: false, createWindow: '1 second' }],
    });
    await h.result();
    expect((await h.describe()).status.name).toBe('COMPLETED');
  });

  it('continues as new after its Update budget, once every handler has finished, carrying the state', async () => {
    const { id } = await newNote('start', { updatesPerRun: 2 });
    const firstRun = (await handle(id).describe()).runId;
    for (const text of ['one', 'two', 'three']) {
      await send(ctx, target(id), setText, { opId: randomUUID(), actorId: null, text });
    }
    const now = await handle(id).describe();
    expect(now.runId).not.toBe(firstRun);
    expect(await handle(id).query(noteState)).toEqual({ note: { id, text: 'three', version: 4 }, handledTotal: 4 });
  });

  it('resyncs a workflow that holds another version than the row, then sends the command once more', async () => {
    const { id } = await newNote('old');
    rows.set(id, { id, text: 'restored elsewhere', version: 5 }); // the row moved on without the workflow
    const r = await send(
      ctx,
      target(id),
      setText,
      { opId: randomUUID(), actorId: null, text: 'after resync', storedVersion: 5 },
      {
        storedVersion: () => Promise.resolve(rows.get(id)!.version),
        resync: resyncNote,
      },
    );
    expect(r).toEqual({ id, text: 'after resync', version: 6 });
  });
});
