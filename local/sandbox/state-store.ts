// The sandbox's state, persisted incrementally under `${dataDir}/sandbox/`:
// - `journal.jsonl`: every change appended as one JSON line (the whole new
//   record of one key, or null for a removal); changes within WRITE_DELAY_MS
//   share one append, so a change costs the size of what changed, not of the state;
// - `snapshot.jsonl`: the whole state in the same format, written to a temporary
//   file, synced and renamed into place when the journal outgrows both
//   `compactAtBytes` and the snapshot (so compaction's cost, amortized, stays
//   constant per change); the journal is then emptied.
// Loading reads the snapshot, then replays the journal: entries are whole
// records, so replaying one twice (a crash between the rename and emptying the
// journal) changes nothing; a torn last line (a crash in the middle of an append)
// is ignored and cut off. A version-1 `state.json` is migrated on first open.
// Memory: see CheckoutTable; every other collection is small per payment.
import { randomInt } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Collection } from '#local/sandbox/persistence/collection.ts';
import { CheckoutTable, type StoredFile } from '#local/sandbox/persistence/checkout-table.ts';
import { encodeEntry, readEntries, readEntryAt, readLineAt, type Entry, type LineLocation } from '#local/sandbox/persistence/line-file.ts';
import { migrateLegacyState } from '#local/sandbox/persistence/legacy.ts';
import type { AccountRecord, CardRecord, CheckoutRecord, NextIds, PendingIpn, TokenRecord, UniqueIdRecord, UserRecord } from '#local/sandbox/records.ts';

export interface SandboxStoreOptions {
  /** Full checkout records kept in memory besides the index; default 5,000. */
  hotCheckouts?: number;
  /** The journal is compacted into the snapshot once larger than this and than the snapshot; default 8 MiB. */
  compactAtBytes?: number;
}

export interface StoreStats {
  checkouts: number;
  hotCheckouts: number;
  journalBytes: number;
  snapshotBytes: number;
  compactions: number;
}

const WRITE_DELAY_MS = 20;
const DEFAULT_HOT_CHECKOUTS = 5_000;
const DEFAULT_COMPACT_AT_BYTES = 8 * 1024 * 1024;
const SNAPSHOT = 'snapshot.jsonl';
const JOURNAL = 'journal.jsonl';
const NEXT_ID = 'next_id';
const CHECKOUTS = 'checkouts';
const NEWLINE = Buffer.from('\n');

export class SandboxStore {
  readonly users: Collection<number, UserRecord>;
  /** Keyed by the SHA-256 hex digest of the access token. */
  readonly tokens: Collection<string, TokenRecord>;
  readonly accounts: Collection<number, AccountRecord>;
  readonly creditCards: Collection<number, CardRecord>;
  readonly uniqueIds: Collection<string, UniqueIdRecord>;
  readonly pendingIpns: Collection<number, PendingIpn>;
  readonly checkouts: CheckoutTable;
  /** Why the last background write failed, if it did; close() writes again and throws if it still fails. */
  lastWriteError: unknown;

  private nextIds: NextIds;
  private readonly collections: Map<string, Collection<string | number, unknown>>;
  /** Keys changed since the last flush, each once however often it changed. */
  private readonly dirty = new Map<string, { kind: string; id: string }>();
  private readonly compactAtBytes: number;
  private snapshotFd: number | undefined;
  private readonly journalFd: number;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private compactions = 0;
  private writeTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly directory: string,
    options: SandboxStoreOptions,
  ) {
    const changed = (kind: string, id: string) => this.markChanged(kind, id);
    const numeric = (id: string) => Number(id);
    const text = (id: string) => id;
    this.users = new Collection('users', numeric, changed);
    this.tokens = new Collection('tokens', text, changed);
    this.accounts = new Collection('accounts', numeric, changed);
    this.creditCards = new Collection('credit_cards', numeric, changed);
    this.uniqueIds = new Collection('unique_ids', text, changed);
    this.pendingIpns = new Collection('pending_ipns', numeric, changed);
    this.collections = new Map(
      [this.users, this.tokens, this.accounts, this.creditCards, this.uniqueIds, this.pendingIpns].map((c) => [c.kind, c as Collection<string | number, unknown>]),
    );
    this.checkouts = new CheckoutTable({
      hotLimit: options.hotCheckouts ?? DEFAULT_HOT_CHECKOUTS,
      readRecord: (file, at) => readEntryAt(this.fdOf(file), at).v as CheckoutRecord,
      readLine: (file, at) => readLineAt(this.fdOf(file), at),
      changed: (checkoutId) => this.markChanged(CHECKOUTS, String(checkoutId)),
    });
    this.compactAtBytes = options.compactAtBytes ?? DEFAULT_COMPACT_AT_BYTES;
    // Ids start at a random base so that two fresh sandboxes rarely hand out the same ids.
    const base = randomInt(1_000, 9_000) * 100_000;
    this.nextIds = { user: base + 1, account: base + 1, credit_card: base + 1, checkout: base + 1 };
    this.journalFd = openSync(join(directory, JOURNAL), 'a+');
  }

  /** Opens (or creates) the state under `directory`. */
  static open(directory: string, options: SandboxStoreOptions = {}): SandboxStore {
    mkdirSync(directory, { recursive: true });
    const store = new SandboxStore(directory, options);
    const legacy = join(directory, 'state.json');
    if (existsSync(join(directory, SNAPSHOT))) {
      store.snapshotFd = openSync(join(directory, SNAPSHOT), 'r');
      store.snapshotBytes = readEntries(store.snapshotFd, SNAPSHOT, (entry, at) => store.apply(entry, 'snapshot', at));
    } else if (existsSync(legacy)) {
      migrateLegacyState(JSON.parse(readFileSync(legacy, 'utf8')), (entry) => store.apply(entry, null, null));
      store.compact();
    }
    // Migrated (a crash may have come between the snapshot's rename and this removal).
    rmSync(legacy, { force: true });
    // A compaction that a crash interrupted before its rename left only its temporary file.
    for (const name of readdirSync(directory)) if (name.startsWith(`${SNAPSHOT}.`) && name.endsWith('.tmp')) rmSync(join(directory, name), { force: true });
    const validEnd = readEntries(store.journalFd, JOURNAL, (entry, at) => store.apply(entry, 'journal', at));
    // Cut a torn last line off, or the next append would be glued to it.
    if (fstatSync(store.journalFd).size > validEnd) ftruncateSync(store.journalFd, validEnd);
    store.journalBytes = validEnd;
    return store;
  }

  nextId(kind: keyof NextIds): number {
    const id = this.nextIds[kind];
    this.nextIds = { ...this.nextIds, [kind]: id + 1 };
    this.markChanged(NEXT_ID, '');
    return id;
  }

  /** Appends every change since the last flush to the journal now; compacts if the journal has grown enough. */
  flush(): void {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    if (this.closed) return;
    if (this.dirty.size > 0) {
      const lines: Buffer[] = [];
      const written: Array<{ checkoutId: number; at: LineLocation }> = [];
      let position = this.journalBytes;
      for (const { kind, id } of this.dirty.values()) {
        const line = encodeEntry(kind, id, this.currentValue(kind, id));
        if (kind === CHECKOUTS) written.push({ checkoutId: Number(id), at: { offset: position, length: line.length - 1 } });
        lines.push(line);
        position += line.length;
      }
      try {
        writeAll(this.journalFd, Buffer.concat(lines));
      } catch (error) {
        // Half an append (a full disk) would sit before the next one: cut it; the changes stay pending.
        ftruncateSync(this.journalFd, this.journalBytes);
        throw error;
      }
      this.journalBytes = position;
      this.dirty.clear();
      for (const { checkoutId, at } of written) this.checkouts.persisted(checkoutId, 'journal', at);
      this.checkouts.evict();
    }
    this.lastWriteError = undefined;
    if (this.journalBytes > Math.max(this.compactAtBytes, this.snapshotBytes)) this.compact();
  }

  /**
   * Writes the whole current state as a new snapshot and empties the journal;
   * changes not yet flushed are in the snapshot, so they need no journal line.
   */
  compact(): void {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    const temporary = join(this.directory, `${SNAPSHOT}.${process.pid}.tmp`);
    const fd = openSync(temporary, 'w');
    const locations: Array<{ checkoutId: number; at: LineLocation }> = [];
    let position = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const write = (line: Buffer) => {
      pending.push(line);
      pendingBytes += line.length;
      position += line.length;
      if (pendingBytes >= 1 << 20) {
        writeAll(fd, Buffer.concat(pending));
        pending = [];
        pendingBytes = 0;
      }
    };
    try {
      write(encodeEntry(NEXT_ID, '', this.nextIds));
      for (const collection of this.collections.values()) {
        for (const [key, value] of collection.entries()) write(encodeEntry(collection.kind, String(key), value));
      }
      for (const entry of this.checkouts.entries()) {
        // A cold checkout's line is copied as it is on disk: no decoding and encoding again.
        const cold = this.checkouts.coldLine(entry.checkout_id);
        const record = cold ? undefined : this.checkouts.peek(entry.checkout_id);
        const line = cold ? Buffer.concat([cold, NEWLINE]) : record ? encodeEntry(CHECKOUTS, String(entry.checkout_id), record) : undefined;
        if (!line) continue;
        locations.push({ checkoutId: entry.checkout_id, at: { offset: position, length: line.length - 1 } });
        write(line);
      }
      writeAll(fd, Buffer.concat(pending));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, join(this.directory, SNAPSHOT));
    if (this.snapshotFd !== undefined) closeSync(this.snapshotFd);
    this.snapshotFd = openSync(join(this.directory, SNAPSHOT), 'r');
    this.snapshotBytes = position;
    this.dirty.clear();
    for (const { checkoutId, at } of locations) this.checkouts.persisted(checkoutId, 'snapshot', at);
    this.checkouts.evict();
    ftruncateSync(this.journalFd, 0);
    this.journalBytes = 0;
    this.compactions += 1;
  }

  stats(): StoreStats {
    return {
      checkouts: this.checkouts.size,
      hotCheckouts: this.checkouts.hotSize,
      journalBytes: this.journalBytes,
      snapshotBytes: this.snapshotBytes,
      compactions: this.compactions,
    };
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.journalFd);
    if (this.snapshotFd !== undefined) closeSync(this.snapshotFd);
  }

  private markChanged(kind: string, id: string): void {
    this.dirty.set(`${kind}\u0000${id}`, { kind, id });
    if (this.closed || this.writeTimer) return;
    this.writeTimer = setTimeout(() => {
      try {
        this.flush();
      } catch (error) {
        // Kept in memory; the next change (or close) tries again and reports it.
        this.lastWriteError = error;
      }
    }, WRITE_DELAY_MS);
    this.writeTimer.unref();
  }

  private currentValue(kind: string, id: string): unknown {
    if (kind === NEXT_ID) return this.nextIds;
    if (kind === CHECKOUTS) return this.checkouts.peek(Number(id)) ?? null;
    return this.collections.get(kind)?.persistedValue(id) ?? null;
  }

  /** Applies one persisted entry; `file` is null for a migrated one (journaled by the compaction that follows). */
  private apply(entry: Entry, file: StoredFile | null, at: LineLocation | null): void {
    if (entry.k === NEXT_ID) {
      this.nextIds = entry.v as NextIds;
    } else if (entry.k === CHECKOUTS) {
      if (entry.v === null) return;
      if (file && at) this.checkouts.loaded(entry.v as CheckoutRecord, file, at);
      else this.checkouts.set(entry.v as CheckoutRecord);
    } else {
      this.collections.get(entry.k)?.load(entry.id, entry.v);
    }
  }

  private fdOf(file: StoredFile): number {
    const fd = file === 'journal' ? this.journalFd : this.snapshotFd;
    if (fd === undefined) throw new Error('sandbox state: no snapshot to read a checkout from');
    return fd;
  }
}

function writeAll(fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written);
}
