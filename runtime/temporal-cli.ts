import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
const toolsBin = path.resolve(import.meta.dirname, '..', '.tools', 'bin');

function onPath(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * Finds the Temporal CLI: on PATH, in .tools/bin, else builds it with `go install` where Go is present,
 * else downloads the official release binary. Throws with what to install when none works.
 */
export async function ensureTemporalCli(log: (msg: string) => void = () => {}): Promise<string> {
  const local = path.join(toolsBin, 'temporal');
  if (fs.existsSync(local)) return local;
  const found = onPath('temporal');
  if (found) return found;
  const tried: string[] = [];
  const go = onPath('go');
  if (go) {
    log(`building the Temporal CLI with go install ${TEMPORAL_CLI_MODULE} (a few minutes, once)`);
    try {
      execFileSync(go, ['install', TEMPORAL_CLI_MODULE], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, GOBIN: toolsBin },
      });
      if (fs.existsSync(local)) return local;
    } catch (e) {
      tried.push(`go install failed: ${(e as { stderr?: Buffer }).stderr?.toString().slice(-400) ?? String(e)}`);
    }
  } else tried.push('go is not installed');
  const platform = os.platform() === 'darwin' ? 'darwin' : os.platform() === 'win32' ? 'windows' : 'linux';
  const arch = os.arch() === 'arm64' ? 'arm64' : 'amd64';
  const url = `https://temporal.download/cli/archive/latest?platform=${platform}&arch=${arch}`;
  try {
    log(`downloading the Temporal CLI from ${url}`);
    const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    fs.mkdirSync(toolsBin, { recursive: true });
    const archive = path.join(toolsBin, 'temporal.tar.gz');
    fs.writeFileSync(archive, Buffer.from(await res.arrayBuffer()));
    execFileSync('tar', ['-xzf', archive, '-C', toolsBin, 'temporal']);
    fs.rmSync(archive);
    if (fs.existsSync(local)) return local;
  } catch (e) {
    tried.push(`download failed: ${(e as Error).message}`);
  }
  throw new Error(
    `The Temporal CLI is needed to run a local Temporal dev server and was not found.\n  ${tried.join('\n  ')}\n` +
      `Install it (https://docs.temporal.io/cli) or put it on PATH, or set TEMPORAL_ADDRESS to an existing Temporal server.`,
  );
}
