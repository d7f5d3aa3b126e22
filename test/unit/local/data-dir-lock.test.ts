// One `npm start` per data directory: the lock file, who holds it, and taking
// over a lock whose process is gone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirInUseError, lockDataDir } from '#local/data-dir-lock.ts';
import { newDataDir } from '../../support/local-runtime.ts';

/** A pid no process has: above Linux's largest pid_max. */
const goneProcess = 2 ** 22 + 12345;

test('the first start takes the lock, writing its pid; releasing it removes the file', () => {
  const dir = newDataDir('lock-');
  const lock = lockDataDir(dir);
  expect(readFileSync(join(dir, 'runtime.lock'), 'utf8').trim()).toBe(String(process.pid));
  lock.release();
  expect(existsSync(join(dir, 'runtime.lock'))).toBe(false);
});

test('a second start on a directory in use is refused with one message naming the directory and the holder', () => {
  const dir = newDataDir('lock-');
  const lock = lockDataDir(dir);
  try {
    // The parent of this test process is running: it stands for "another npm start".
    const error = (() => {
      try {
        lockDataDir(dir, process.ppid);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DataDirInUseError);
    expect((error as DataDirInUseError).message).toContain(dir);
    expect((error as DataDirInUseError).message).toContain(`process ${process.pid}`);
    expect((error as DataDirInUseError).message).not.toContain('\n');
  } finally {
    lock.release();
  }
});

test('a lock left by a process that no longer runs is taken over', () => {
  const dir = newDataDir('lock-');
  writeFileSync(join(dir, 'runtime.lock'), `${goneProcess}\n`);
  const lock = lockDataDir(dir);
  expect(readFileSync(join(dir, 'runtime.lock'), 'utf8').trim()).toBe(String(process.pid));
  lock.release();
});

test('release leaves a lock that another process has since taken', () => {
  const dir = newDataDir('lock-');
  const lock = lockDataDir(dir);
  writeFileSync(join(dir, 'runtime.lock'), `${process.ppid}\n`);
  lock.release();
  expect(readFileSync(join(dir, 'runtime.lock'), 'utf8').trim()).toBe(String(process.ppid));
});
