// The checkouts: the one collection that grows without end under a long
// `npm start` (one per payment). Every checkout has a small index entry in memory
// (what /checkout/find filters and sorts on, its pending automatic move, and
// where its latest version sits on disk); only the most recently used full
// records (`hotLimit`) stay in memory. A cold checkout is read back from the
// snapshot or the journal when asked for. A record changed since the last flush
// is never evicted: its only copy is in memory.
import type { CheckoutRecord, CheckoutState } from '#local/sandbox/records.ts';
import type { LineLocation } from '#local/sandbox/persistence/line-file.ts';

export type StoredFile = 'snapshot' | 'journal';

export interface CheckoutIndexEntry {
  checkout_id: number;
  account_id: number;
  state: CheckoutState;
  create_time: number;
  reference_id: string | null;
  next_transition: CheckoutRecord['next_transition'];
  /** Where the latest persisted version is; null until the first flush. */
  file: StoredFile | null;
  offset: number;
  length: number;
}

export interface CheckoutTableOptions {
  hotLimit: number;
  readRecord: (file: StoredFile, at: LineLocation) => CheckoutRecord;
  /** The persisted line itself, unparsed: compaction copies cold checkouts without decoding them. */
  readLine: (file: StoredFile, at: LineLocation) => Buffer;
  changed: (checkoutId: number) => void;
}

export class CheckoutTable {
  private readonly index = new Map<number, CheckoutIndexEntry>();
  /** Full records, least recently used first (a Map keeps insertion order). */
  private readonly hot = new Map<number, CheckoutRecord>();
  private readonly unflushed = new Set<number>();
  private readonly byAccount = new Map<number, number[]>();
  private readonly byDescription = new Map<string, number[]>();

  constructor(private readonly options: CheckoutTableOptions) {}

  get size(): number {
    return this.index.size;
  }

  get hotSize(): number {
    return this.hot.size;
  }

  has(checkoutId: number): boolean {
    return this.index.has(checkoutId);
  }

  /** The full record (read back from disk if cold). Mutate it only if you then call set(). */
  get(checkoutId: number): CheckoutRecord | undefined {
    const cached = this.hot.get(checkoutId);
    if (cached) {
      this.hot.delete(checkoutId);
      this.hot.set(checkoutId, cached);
      return cached;
    }
    const record = this.peek(checkoutId);
    if (record) {
      this.hot.set(checkoutId, record);
      this.evict();
    }
    return record;
  }

  /** Like get(), without making the record hot: for scans (listings, compaction). */
  peek(checkoutId: number): CheckoutRecord | undefined {
    const cached = this.hot.get(checkoutId);
    if (cached) return cached;
    const entry = this.index.get(checkoutId);
    if (!entry?.file) return undefined;
    return this.options.readRecord(entry.file, entry);
  }

  /** A cold checkout's persisted line, as written; undefined when the record is in memory (encode that one). */
  coldLine(checkoutId: number): Buffer | undefined {
    if (this.hot.has(checkoutId)) return undefined;
    const entry = this.index.get(checkoutId);
    return entry?.file ? this.options.readLine(entry.file, entry) : undefined;
  }

  /** Stores a new or changed checkout; it reaches the journal at the next flush. */
  set(record: CheckoutRecord): void {
    this.remember(record, null);
    this.hot.delete(record.checkout_id);
    this.hot.set(record.checkout_id, record);
    this.unflushed.add(record.checkout_id);
    this.options.changed(record.checkout_id);
  }

  /** Loading: the record is indexed where it was read from, and not kept. */
  loaded(record: CheckoutRecord, file: StoredFile, at: LineLocation): void {
    this.remember(record, { file, ...at });
    this.hot.delete(record.checkout_id);
  }

  /** The flush wrote this checkout's latest version there: its memory copy may now go. */
  persisted(checkoutId: number, file: StoredFile, at: LineLocation): void {
    const entry = this.index.get(checkoutId);
    if (!entry) return;
    entry.file = file;
    entry.offset = at.offset;
    entry.length = at.length;
    this.unflushed.delete(checkoutId);
  }

  /** Drops the least recently used clean records beyond the limit. */
  evict(): void {
    if (this.hot.size <= this.options.hotLimit) return;
    for (const id of this.hot.keys()) {
      if (this.hot.size <= this.options.hotLimit) break;
      if (!this.unflushed.has(id)) this.hot.delete(id);
    }
  }

  /** Every index entry, in id order (ids grow with creation). */
  entries(): IterableIterator<CheckoutIndexEntry> {
    return this.index.values();
  }

  entriesOfAccount(accountId: number): CheckoutIndexEntry[] {
    return (this.byAccount.get(accountId) ?? []).flatMap((id) => this.index.get(id) ?? []);
  }

  idsWithDescription(description: string): readonly number[] {
    return this.byDescription.get(description) ?? [];
  }

  private remember(record: CheckoutRecord, location: { file: StoredFile; offset: number; length: number } | null): void {
    const id = record.checkout_id;
    let entry = this.index.get(id);
    if (!entry) {
      entry = { checkout_id: id, account_id: record.account_id, state: record.state, create_time: record.create_time, reference_id: null, next_transition: null, file: null, offset: 0, length: 0 };
      this.index.set(id, entry);
      append(this.byAccount, record.account_id, id);
      append(this.byDescription, record.short_description, id);
    }
    entry.state = record.state;
    entry.reference_id = record.reference_id;
    entry.next_transition = record.next_transition;
    if (location) Object.assign(entry, location);
  }
}

function append<K>(map: Map<K, number[]>, key: K, id: number): void {
  const ids = map.get(key);
  if (ids) ids.push(id);
  else map.set(key, [id]);
}
