import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ensureTemporalCli } from './temporal-cli.ts';
import { stopChild, stopOrphan } from './processes.ts';

export interface TemporalDevServer {
  address: string;
  uiUrl: string | null;
  /** the server's process id (the bench reads its CPU time) */
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function waitForPort(host: string, port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Starts `temporal server start-dev`; with dbFile its state survives restarts, without it lives in memory. */
export async function startTemporalDevServer(opts: {
  port: number;
  dbFile?: string;
  ui?: boolean;
  logFile?: string;
  log?: (m: string) => void;
  /** where the server's PID is recorded, so the next start can stop it if this process dies without stopping it */
  pidFile?: string;
}): Promise<TemporalDevServer> {
  const cli = await ensureTemporalCli(opts.log);
  if (opts.pidFile) {
    await stopOrphan(
      opts.pidFile,
      (p) => p.cmdline.includes('start-dev') && p.cmdline.includes(`--port ${opts.port}`),
      'SIGTERM',
      opts.log,
    );
  }
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--log-level',
    'error',
    '--namespace',
    'default',
    // an activity scheduled by a workflow task comes back in the answer to that task: one round trip less per deal change
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
  ];
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  const uiPort = opts.port + 1000;
  if (opts.ui) args.push('--ui-port', String(uiPort));
  else args.push('--headless');
  const out = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(cli, args, { stdio: ['ignore', out, out], detached: false });
  if (opts.pidFile && child.pid) fs.writeFileSync(opts.pidFile, `${child.pid}\n`);
  // however this process ends (process.exit from any exit hook, an uncaught error), the dev server ends with it
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', onExit);
  child.once('exit', () => process.off('exit', onExit));
  try {
    await waitForPort('127.0.0.1', opts.port, 60_000, child);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(
      `Temporal dev server did not start: ${(e as Error).message}${opts.logFile ? ` (log: ${opts.logFile})` : ''}`,
      { cause: e },
    );
  }
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.ui ? `http://127.0.0.1:${uiPort}` : null,
    pid: child.pid,
    stop: async () => {
      await stopChild(child, 'SIGTERM', 3000);
      if (opts.pidFile) fs.rmSync(opts.pidFile, { force: true });
    },
  };
}
