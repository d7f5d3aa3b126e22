// Jest globalSetup / globalTeardown: child processes started through
// test/support/child-processes.ts record their pid in one directory; at the end
// of the run, any of them still running is killed and fails the run, naming it.
// (Plain JavaScript: jest loads this file before any transform is set up.)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function setup() {
  // Set before jest starts its workers, which inherit the environment.
  process.env.PAYMENTS_TEST_PIDS_DIR = mkdtempSync(join(tmpdir(), 'payments-test-pids-'));
}

export async function teardown() {
  const dir = process.env.PAYMENTS_TEST_PIDS_DIR;
  if (!dir) return;
  const survivors = [];
  for (const name of readdirSync(dir)) {
    const pid = Number(name);
    try {
      process.kill(-pid, 0);
    } catch {
      continue; // the whole process group is gone
    }
    survivors.push(`${pid} ${readFileSync(join(dir, name), 'utf8').trim()}`);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Exited meanwhile.
    }
  }
  rmSync(dir, { recursive: true, force: true });
  if (survivors.length > 0) {
    throw new Error(`Child processes outlived the tests that started them (killed now):\n${survivors.join('\n')}`);
  }
}
