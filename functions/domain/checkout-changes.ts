// The event-ready record of each change of a checkout. Every write that changes
// what a client may care about appends one entry, stamped with the version the
// write produced, naming the events the API contract derives from it. The entry is written
// in the same conditional write as the change itself, so a change and its record
// can never be separated by a crash; a publisher (the events feature) reads the
// entries it has not yet published (by version) and emits them at least once.
import type { CheckoutState } from './checkout-state.ts';
import type { RecordedAction } from './recorded-actions.ts';

export type CheckoutEventType =
  | 'checkout.created'
  | `checkout.${Exclude<CheckoutState, 'new'>}`
  | 'checkout.refund.succeeded'
  | 'checkout.updated';

/** Who made the change: a request, an IPN's fetch, or the reconciler. */
export type ChangeSource = 'api' | 'ipn' | 'reconciler';

export interface CheckoutChange {
  /** The checkout's version right after this change. */
  version: number;
  at: string;
  source: ChangeSource;
  types: CheckoutEventType[];
  /** For `checkout.refund.succeeded`: the refunds that succeeded in this change. */
  refundIds?: string[];
}

/** Older entries are dropped past this many: the publisher keeps up far sooner, and items stay small. */
export const maxRecordedChanges = 50;

export interface ChangeableCheckout {
  state: CheckoutState;
  amountRefunded: number;
  amountChargedBack: number;
  actions: RecordedAction[];
}

/** The events a change from `before` to `after` stands for (none: not worth an event). */
export function eventsOf(before: ChangeableCheckout | undefined, after: ChangeableCheckout): { types: CheckoutEventType[]; refundIds: string[] } {
  const types: CheckoutEventType[] = [];
  if (!before) {
    types.push('checkout.created');
    if (after.state !== 'new') types.push(`checkout.${after.state}` as CheckoutEventType);
    return { types, refundIds: [] };
  }
  if (after.state !== before.state && after.state !== 'new') types.push(`checkout.${after.state}` as CheckoutEventType);
  const succeededBefore = new Set(before.actions.filter((a) => a.action === 'refund' && a.state === 'succeeded').map((a) => a.id));
  const refundIds = after.actions.filter((a) => a.action === 'refund' && a.state === 'succeeded' && !succeededBefore.has(a.id)).map((a) => a.id);
  if (refundIds.length > 0) types.push('checkout.refund.succeeded');
  const amountsChanged = after.amountRefunded !== before.amountRefunded || after.amountChargedBack !== before.amountChargedBack;
  if (amountsChanged && after.state === before.state && refundIds.length === 0) types.push('checkout.updated');
  return { types, refundIds };
}

/** Appends the change's entry (if it stands for any event), keeping the last `maxRecordedChanges`. */
export function withChange<T extends ChangeableCheckout & { changes: CheckoutChange[] }>(
  before: ChangeableCheckout | undefined,
  after: T,
  entry: { version: number; at: string; source: ChangeSource },
): T {
  const { types, refundIds } = eventsOf(before, after);
  if (types.length === 0) return after;
  const change: CheckoutChange = { ...entry, types, ...(refundIds.length > 0 ? { refundIds } : {}) };
  return { ...after, changes: [...after.changes, change].slice(-maxRecordedChanges) };
}
