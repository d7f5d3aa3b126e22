// The local runtime's stand-in for the KMS key: a random AES-256 wrapping key
// generated on first start under the data directory and reused afterwards, so
// tokens sealed in one run still open in the next.
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const KEY_BYTES = 32;

/** Where the local wrapping key lives under the data directory. */
export function localKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'token-key.bin');
}

/** Returns the local wrapping key, generating it (mode 0600 in a 0700 directory) on first call. */
export async function ensureLocalKey(dataDir: string): Promise<Buffer> {
  const path = localKeyPath(dataDir);
  await createPrivateFileOnce(path, () => randomBytes(KEY_BYTES));
  const key = await readFile(path);
  if (key.byteLength !== KEY_BYTES) {
    throw new Error(`${path} holds ${key.byteLength} bytes, not a ${KEY_BYTES}-byte key; move it aside to generate a new one (tokens sealed with it will no longer open)`);
  }
  return key;
}

/**
 * Creates `path` with `contents()` readable by the owner only, unless it exists.
 * Never overwrites: two processes starting at once both end up reading the same
 * file, because the content is written to a private temporary file and then
 * hard-linked into place, which fails if the name is already taken. A reader
 * therefore never sees a half-written file. Returns whether this call created it.
 */
export async function createPrivateFileOnce(path: string, contents: () => Uint8Array | string): Promise<boolean> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and ignored for an existing directory.
  await chmod(directory, 0o700);
  if (await exists(path)) return false;

  const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
  const file = await open(temporary, 'wx', 0o600);
  try {
    try {
      await file.writeFile(contents());
      await file.sync();
    } finally {
      await file.close();
    }
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
