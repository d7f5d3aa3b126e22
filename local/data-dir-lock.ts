// One `npm start` per data directory: two runtimes on one dynalite directory and
// one sandbox state file would corrupt both. The lock is a file holding the pid
// of the process that owns the directory, created exclusively; a lock whose
// process no longer runs (a crash, a kill -9) is taken over.
import { openSync, readFileSync, renameSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`${dataDir} is in use by process ${pid} (another npm start?): stop it, or set PAYMENTS_DATA_DIR to another directory.`);
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  path: string;
  release(): void;
}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const holderOf = (path: string): number | undefined => {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // removed meanwhile
  }
};

/** Takes the lock of `dataDir` (an existing directory) for this process, or throws DataDirInUseError. */
export function lockDataDir(dataDir: string, pid = process.pid): DataDirLock {
  const path = join(dataDir, 'runtime.lock');
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeFileSync(fd, `${pid}\n`);
      closeSync(fd);
      return {
        path,
        release: () => {
          if (holderOf(path) === pid) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = holderOf(path);
    if (holder !== undefined && holder !== pid && isRunning(holder)) throw new DataDirInUseError(dataDir, holder);
    // Left by a process that no longer runs (or half written): set it aside, then try again.
    // Renaming is atomic, so of two starts taking over at once only one moves it.
    try {
      renameSync(path, `${path}.stale-${pid}`);
      rmSync(`${path}.stale-${pid}`, { force: true });
    } catch {
      // Another start took it over first: the next attempt sees its lock.
    }
  }
  throw new Error(`could not take the lock ${path}`);
}
