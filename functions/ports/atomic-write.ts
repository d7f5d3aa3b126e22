// A write one repository prepares for another's atomic step (all or nothing with it):
// a created checkout's writes (CheckoutRepository.createdWrites) made with the request's
// stored answer (IdempotencyStore.completeWith). Opaque here: only the adapters of one
// store, which agree on its form, read it; the wiring gives both the same store.
declare const atomicWrite: unique symbol;

export interface AtomicWrite {
  readonly [atomicWrite]: true;
}
