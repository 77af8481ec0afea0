/**
 * Stopping the local services Dealflow starts, always within seconds, and finding those a killed earlier run left
 * behind. An orphan is recognised by the PID its run recorded (Postgres's own postmaster.pid, our temporal.pid) and is
 * stopped only if that PID still runs the program we started there (its command line names our data), never another
 * program that reused the PID.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process and its working directory ('' when it is gone or not ours to read). */
export function describeProcess(pid: number): { cmdline: string; cwd: string } {
  const read = (f: () => string) => {
    try {
      return f();
    } catch {
      return '';
    }
  };
  return {
    cmdline: read(() => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')),
    cwd: read(() => fs.readlinkSync(`/proc/${pid}/cwd`)),
  };
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return true;
    await sleep(50);
  }
  return !pidAlive(pid);
}

/** Sends `signal`, then SIGKILL after graceMs; resolves when the process is gone. */
export async function stopPid(pid: number, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  if (await waitGone(pid, graceMs)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitGone(pid, 2000);
}

/**
 * Stops a child we spawned: nothing to do when it already exited (a crashed Postgres), else `signal`, then SIGKILL
 * after graceMs. The timers keep the process alive until the child is really gone.
 */
export async function stopChild(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Stops what an earlier run left running: the PID recorded in pidFile, when that process is alive and `isOurs` says
 * it is the program we started (by its command line and working directory).
 */
export async function stopOrphan(
  pidFile: string,
  isOurs: (p: { cmdline: string; cwd: string }) => boolean,
  signal: NodeJS.Signals,
  log?: (m: string) => void,
): Promise<boolean> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0].trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid || !pidAlive(pid)) return false;
  const p = describeProcess(pid);
  if (!isOurs(p)) return false;
  log?.(`stopping process ${pid} left running by an earlier run (${pidFile})`);
  await stopPid(pid, signal, 10_000);
  return true;
}

/** Resolves with the promise's value, or undefined after ms (the work goes on, but nobody waits for it). */
export async function within<T>(ms: number, p: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
