// An in-memory CheckoutRepository for unit tests: the same contract as the
// DynamoDB adapter (conditional create and update, copies in and out), plus
// seams to lose races on purpose.
import { type CheckoutRepository, type OpenEntry } from '#functions/ports/checkout-repository.ts';
import { CheckoutAlreadyExistsError, ConcurrentUpdateError, type Checkout, type CreationIntent } from '#functions/domain/checkout.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';
import type { AtomicWrite } from '#functions/ports/atomic-write.ts';

export class MemoryCheckouts implements CheckoutRepository {
  readonly items = new Map<string, Checkout>();
  readonly creations = new Map<string, CreationIntent>();
  readonly watched = new Set<string>();
  readonly listCalls: { method: string; key?: string; page: PageRequest }[] = [];
  /** Makes the next `n` updates lose a race: a concurrent writer bumps the version first. */
  concurrentWritesPending = 0;
  createRaces = false;

  async create(checkout: Checkout) {
    if (this.createRaces) {
      this.items.set(checkout.id, { ...checkout, createdAt: 'raced' });
      throw new CheckoutAlreadyExistsError(checkout.id);
    }
    if (this.items.has(checkout.id)) throw new CheckoutAlreadyExistsError(checkout.id);
    this.items.set(checkout.id, structuredClone(checkout));
  }
  async get(id: string) {
    const item = this.items.get(id);
    return item && structuredClone(item);
  }
  async getMany(ids: readonly string[]) {
    return ids.flatMap((id) => (this.items.has(id) ? [structuredClone(this.items.get(id)!)] : []));
  }
  async getByProviderCheckoutId(provider: string, providerCheckoutId: string) {
    const found = [...this.items.values()].find((c) => c.provider.name === provider && c.provider.checkoutId === providerCheckoutId);
    return found && structuredClone(found);
  }
  async update(checkout: Checkout, expectedVersion: number) {
    const stored = this.items.get(checkout.id);
    if (this.concurrentWritesPending > 0 && stored) {
      this.concurrentWritesPending -= 1;
      this.items.set(stored.id, { ...stored, version: stored.version + 1 });
      throw new ConcurrentUpdateError(checkout.id, expectedVersion);
    }
    if (!stored || stored.version !== expectedVersion) throw new ConcurrentUpdateError(checkout.id, expectedVersion);
    const next = { ...checkout, version: expectedVersion + 1 };
    this.items.set(checkout.id, structuredClone(next));
    return structuredClone(next);
  }
  private page(filter: (c: Checkout) => boolean, page: PageRequest): Page<Checkout> {
    const sorted = [...this.items.values()].filter(filter).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    const start = page.cursor ? Number(page.cursor) : 0;
    const items = sorted.slice(start, start + page.limit);
    return { items, nextCursor: start + page.limit < sorted.length ? String(start + page.limit) : null };
  }
  async listByAccount(accountId: string, page: PageRequest) {
    this.listCalls.push({ method: 'listByAccount', key: accountId, page });
    return this.page((c) => c.accountId === accountId, page);
  }
  async listByPayer(payerSub: string, page: PageRequest) {
    this.listCalls.push({ method: 'listByPayer', key: payerSub, page });
    return this.page((c) => c.payerSub === payerSub, page);
  }
  async listByOwner(ownerSub: string, page: PageRequest) {
    this.listCalls.push({ method: 'listByOwner', key: ownerSub, page });
    return this.page((c) => c.ownerSub === ownerSub, page);
  }
  async listAll(page: PageRequest) {
    this.listCalls.push({ method: 'listAll', page });
    return this.page(() => true, page);
  }
  async recordCreationIntent(intent: CreationIntent) {
    if (this.creations.has(intent.checkoutId)) return false;
    this.creations.set(intent.checkoutId, structuredClone(intent));
    return true;
  }
  async clearCreationIntent(checkoutId: string) {
    this.creations.delete(checkoutId);
  }
  /** Applied by applyCreatedWrites, all or nothing, as DynamoDB applies a transaction. */
  createdWrites(checkout: Checkout, { watch }: { watch: boolean }): readonly AtomicWrite[] {
    return [{ created: structuredClone(checkout), watch }] as unknown as AtomicWrite[];
  }
  /** For a store's completeWith: false, with nothing written, if a checkout is stored already. */
  applyCreatedWrites(writes: readonly AtomicWrite[]): boolean {
    const created = writes as unknown as { created: Checkout; watch: boolean }[];
    if (created.some(({ created: checkout }) => this.items.has(checkout.id))) return false;
    for (const { created: checkout, watch } of created) {
      this.items.set(checkout.id, structuredClone(checkout));
      if (watch) this.watched.add(checkout.id);
      this.creations.delete(checkout.id);
    }
    return true;
  }
  async watch(checkoutId: string) {
    this.watched.add(checkoutId);
  }
  async unwatch(checkoutId: string) {
    this.watched.delete(checkoutId);
  }
  async listOpen(page: { limit: number; cursor?: string }): Promise<Page<OpenEntry>> {
    const all: OpenEntry[] = [
      ...[...this.watched].sort().map((checkoutId) => ({ kind: 'checkout' as const, checkoutId })),
      ...[...this.creations.values()].map((intent) => ({ kind: 'creation' as const, intent: structuredClone(intent) })),
    ];
    const start = page.cursor ? Number(page.cursor) : 0;
    return { items: all.slice(start, start + page.limit), nextCursor: start + page.limit < all.length ? String(start + page.limit) : null };
  }
}
