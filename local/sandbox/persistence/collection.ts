// A keyed collection of small records, all kept in memory; every set or delete
// is reported so that the store journals that key at its next flush. A record
// mutated in place must be set() again to be persisted.

export class Collection<K extends string | number, V> {
  private readonly items = new Map<K, V>();

  constructor(
    readonly kind: string,
    private readonly keyOf: (id: string) => K,
    private readonly changed: (kind: string, id: string) => void,
  ) {}

  get size(): number {
    return this.items.size;
  }

  get(key: K): V | undefined {
    return this.items.get(key);
  }

  has(key: K): boolean {
    return this.items.has(key);
  }

  values(): IterableIterator<V> {
    return this.items.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.items.entries();
  }

  set(key: K, value: V): void {
    this.items.set(key, value);
    this.changed(this.kind, String(key));
  }

  delete(key: K): void {
    if (this.items.delete(key)) this.changed(this.kind, String(key));
  }

  /** Loading: applies a persisted entry without journaling it again (`null` removes the key). */
  load(id: string, value: V | null): void {
    if (value === null) this.items.delete(this.keyOf(id));
    else this.items.set(this.keyOf(id), value);
  }

  /** The persisted value of a key: null once deleted. */
  persistedValue(id: string): V | null {
    return this.items.get(this.keyOf(id)) ?? null;
  }
}
