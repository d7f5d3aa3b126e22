// JSON lines on disk: one entry per line, `{"k": kind, "id": key, "v": value}`
// (`v: null` removes the key). The snapshot and the journal share the format, so
// one reader loads both. Reads are synchronous: the sandbox's calls are, and a
// cold checkout is read back in the middle of one.
import { readSync } from 'node:fs';

export interface Entry {
  k: string;
  id: string;
  v: unknown;
}

/** Where a line sits in a file, so that its record can be read back without keeping it in memory. */
export interface LineLocation {
  offset: number;
  length: number;
}

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

export function encodeEntry(kind: string, id: string, value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify({ k: kind, id, v: value ?? null })}\n`, 'utf8');
}

function parseEntry(text: string): Entry | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<Entry> | null;
    if (parsed === null || typeof parsed !== 'object' || typeof parsed.k !== 'string' || typeof parsed.id !== 'string' || !('v' in parsed)) {
      return undefined;
    }
    return parsed as Entry;
  } catch {
    return undefined;
  }
}

/**
 * Calls `onEntry` for every complete, valid line, in file order. Returns the end
 * of the last valid line: what follows it is a torn write (the process died in
 * the middle of an append) and is ignored. An invalid line followed by valid ones
 * is not a torn write but damage, and throws rather than silently dropping state.
 */
export function readEntries(fd: number, name: string, onEntry: (entry: Entry, at: LineLocation) => void): number {
  const buffer = Buffer.alloc(CHUNK_BYTES);
  let carry = Buffer.alloc(0);
  let carryStart = 0;
  let position = 0;
  let validEnd = 0;
  let damagedAt: number | undefined;
  for (;;) {
    const read = readSync(fd, buffer, 0, buffer.length, position);
    if (read === 0) break;
    position += read;
    const chunk = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, read)]) : buffer.subarray(0, read);
    let lineStart = 0;
    for (let newline = chunk.indexOf(NEWLINE, lineStart); newline !== -1; newline = chunk.indexOf(NEWLINE, lineStart)) {
      const offset = carryStart + lineStart;
      const entry = parseEntry(chunk.toString('utf8', lineStart, newline));
      if (entry === undefined) {
        damagedAt ??= offset;
      } else {
        if (damagedAt !== undefined) throw new Error(`sandbox ${name}: damaged line at byte ${damagedAt}, followed by valid ones`);
        onEntry(entry, { offset, length: newline - lineStart });
        validEnd = carryStart + newline + 1;
      }
      lineStart = newline + 1;
    }
    // Copied: `buffer` is reused by the next read.
    carry = Buffer.from(chunk.subarray(lineStart));
    carryStart += lineStart;
  }
  return validEnd;
}

/** The bytes of one line (without its newline), from where readEntries or an append said it is. */
export function readLineAt(fd: number, at: LineLocation): Buffer {
  const buffer = Buffer.alloc(at.length);
  if (readSync(fd, buffer, 0, at.length, at.offset) !== at.length) throw new Error(`sandbox state: no entry at byte ${at.offset}`);
  return buffer;
}

/** Reads one entry back from where readEntries or an append said it is. */
export function readEntryAt(fd: number, at: LineLocation): Entry {
  const entry = parseEntry(readLineAt(fd, at).toString('utf8'));
  if (entry === undefined) throw new Error(`sandbox state: no entry at byte ${at.offset}`);
  return entry;
}
