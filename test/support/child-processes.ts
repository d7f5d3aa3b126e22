// Child processes a test starts (e.g. `npm start` as a user runs it). Each one
// leads its own process group, so stopping it also stops what it started (tsx
// runs the script in a grandchild); each pid is recorded where the global
// teardown (child-process-check.js) looks, so a process that outlives its test
// fails the run instead of keeping jest, and the machine, busy.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Spawned {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<Spawned>();

/** True while any process of the group led by `pid` runs. */
export function processGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function spawnTracked(command: string, args: string[], options: Omit<SpawnOptions, 'detached' | 'stdio'> = {}): Spawned {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pidFile = process.env.PAYMENTS_TEST_PIDS_DIR && child.pid ? join(process.env.PAYMENTS_TEST_PIDS_DIR, String(child.pid)) : undefined;
  if (pidFile) writeFileSync(pidFile, `${command} ${args.join(' ')}\n`);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const spawned: Spawned = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exit: new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        running.delete(spawned);
        // The leader is gone; the record stays while anything of its group still runs.
        if (pidFile && !processGroupAlive(child.pid!)) rmSync(pidFile, { force: true });
        resolve({ code, signal });
      }),
    ),
  };
  running.add(spawned);
  return spawned;
}

/**
 * Kills every tracked process group still running (SIGKILL) and waits for the
 * leaders to exit. Returns the command lines that had to be killed: a test's
 * afterEach expects none, since a passing test stops what it starts.
 */
export async function stopAllChildren(): Promise<string[]> {
  const survivors: string[] = [];
  for (const spawned of [...running]) {
    const pid = spawned.child.pid!;
    if (processGroupAlive(pid)) {
      survivors.push(`${pid}: ${spawned.child.spawnargs.join(' ')}`);
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Gone in the meantime.
      }
    }
    await spawned.exit;
  }
  return survivors;
}
