// One reconciliation pass: settles the
// actions whose outcome was left unknown (their request gone, their lease over),
// settles creations whose answer was lost and never retried (found at the
// provider with /checkout/find by the provider unique_id, or known not to exist),
// and re-reads checkouts in a non-final state not read for `staleSeconds`.
// Reads go through /batch/create (at most 50 each), within the provider's
// throttle (a sliding window of calls), and no provider call starts after the deadline: what
// is left waits for the next pass. One pass at a time (a lease). Every change it
// makes to a checkout leaves one audit record (actor `system:reconciler`).
import { randomUUID } from 'node:crypto';
import { isFinal, reconcile as mergeStatus } from '#functions/domain/checkout-state.ts';
import { InvalidStateError } from '#functions/domain/errors.ts';
import { isInFlight, pendingActionOf } from '#functions/domain/recorded-actions.ts';
import { CallWindow } from '#functions/domain/call-window.ts';
import type { OpenEntry } from '#functions/ports/checkout-repository.ts';
import type { MerchantCredential } from '#functions/ports/payment-provider.ts';
import type { Checkout, CreationIntent } from '#functions/domain/checkout.ts';
import type { ReconciliationLease } from '#functions/ports/reconciliation-lease.ts';
import { recordSystemChange, type AuditDeps } from './audit.ts';
import { settle } from './checkout-actions.ts';
import { isoAt, recordObservation, statusOf, type CheckoutDeps } from './checkout-records.ts';
import { checkoutFromProvider, recordCreated } from './checkouts.ts';
import { credentialOf } from './merchants.ts';

export interface ReconcileDeps extends CheckoutDeps {
  lease: ReconciliationLease;
  /** Where its changes are audited (docs/audit.md); absent, nothing is recorded. */
  audit?: AuditDeps;
  /** Waits (injected so tests need not). */
  sleep?: (ms: number) => Promise<void>;
}

export interface ReconcileSettings {
  staleSeconds: number;
  /** No provider call starts this long after the pass began (20 s). */
  deadlineMs: number;
  /** The provider's throttle: calls per window (a batch is one call). */
  throttle: { calls: number; windowMs: number };
  batchSize: number;
}

export const defaultReconcileSettings = (staleSeconds: number): ReconcileSettings => ({
  staleSeconds,
  deadlineMs: 20_000,
  throttle: { calls: 30, windowMs: 10_000 },
  batchSize: 50,
});

export interface ReconcileReport {
  checked: number;
  updated: number;
  settled: number;
  unresolved: number;
  startedAt: string;
  finishedAt: string;
}

/** States a checkout may leave without our asking (re-read when stale). */
const watchedStates = new Set(['new', 'authorized', 'captured']);
/** Pages of /checkout/find read to look for one lost creation. */
const maxFindPages = 5;

export async function runReconciliation(deps: ReconcileDeps, settings: ReconcileSettings): Promise<ReconcileReport> {
  const started = deps.clock.now();
  const token = randomUUID();
  // Held a little past the deadline: the last batch's answer and its writes.
  const lease = await deps.lease.acquire(token, started, settings.deadlineMs + 40_000);
  if (!lease.acquired) {
    throw new InvalidStateError('A reconciliation pass is already running', {
      retryAfterSeconds: Math.max(1, Math.ceil((lease.expiresAt - started) / 1000)),
    });
  }
  try {
    return await pass(deps, settings, started);
  } finally {
    await deps.lease.release(token);
  }
}

async function pass(deps: ReconcileDeps, settings: ReconcileSettings, started: number): Promise<ReconcileReport> {
  const report = { checked: 0, updated: 0, settled: 0, unresolved: 0 };
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const bucket = new CallWindow(settings.throttle.calls, settings.throttle.windowMs);
  /** Waits for the throttle; false when the call could not start before the deadline. */
  const mayCall = async (): Promise<boolean> => {
    const wait = bucket.waitMs(deps.clock.now());
    if (deps.clock.now() + wait - started >= settings.deadlineMs) return false;
    if (wait > 0) await sleep(wait);
    return bucket.take(deps.clock.now());
  };
  const tokens = new Map<string, Promise<MerchantCredential>>();
  const tokenOf = (ownerSub: string) => {
    if (!tokens.has(ownerSub)) tokens.set(ownerSub, credentialOf(deps, ownerSub));
    return tokens.get(ownerSub)!;
  };

  const entries = await allOpenEntries(deps);
  const now = deps.clock.now();
  const staleBefore = now - settings.staleSeconds * 1000;

  for (const entry of entries) {
    if (entry.kind !== 'creation' || entry.intent.expiresAt > now) continue;
    const outcome = await settleCreation(deps, entry.intent, mayCall, tokenOf).catch(() => 'unresolved' as const);
    if (outcome === 'settled') report.settled += 1;
    if (outcome === 'unresolved') report.unresolved += 1;
  }

  const ids = entries.flatMap((entry) => (entry.kind === 'checkout' ? [entry.checkoutId] : []));
  const toRead: Checkout[] = [];
  for (let index = 0; index < ids.length; index += 100) {
    for (const checkout of await deps.checkouts.getMany(ids.slice(index, index + 100))) {
      const pending = pendingActionOf(checkout);
      if (pending) {
        // Still its request's: not left unknown (yet).
        if (!isInFlight(pending, now)) toRead.push(checkout);
      } else if (isFinal(checkout.state) || !watchedStates.has(checkout.state)) {
        await deps.checkouts.unwatch(checkout.id);
      } else if (Date.parse(checkout.lastReadAt ?? checkout.updatedAt) <= staleBefore) {
        toRead.push(checkout);
      }
    }
  }
  // Unknown outcomes first, then the stalest.
  toRead.sort((a, b) => Number(!pendingActionOf(a)) - Number(!pendingActionOf(b)) || (a.lastReadAt ?? a.updatedAt).localeCompare(b.lastReadAt ?? b.updatedAt));

  for (let index = 0; index < toRead.length; index += settings.batchSize) {
    const batch = toRead.slice(index, index + settings.batchSize);
    if (!(await mayCall())) {
      report.unresolved += toRead.slice(index).filter((c) => pendingActionOf(c)).length;
      break;
    }
    const reads = await Promise.all(batch.map(async (c) => ({ credential: await tokenOf(c.ownerSub), checkoutId: c.provider.checkoutId })));
    const answers = await deps.provider.getCheckouts(reads).catch((error: unknown) => batch.map(() => error as Error));
    for (const [position, checkout] of batch.entries()) {
      const answer = answers[position];
      const pending = pendingActionOf(checkout);
      if (!answer || answer instanceof Error) {
        if (pending) report.unresolved += 1;
        continue;
      }
      report.checked += 1;
      if (mergeStatus(checkout, statusOf(answer)).changed) report.updated += 1;
      let recorded: Checkout;
      if (pending) {
        const settled = await settle(deps, checkout, pending, reads[position]!.credential, 'reconciler', answer);
        if (settled.outcome === 'pending') report.unresolved += 1;
        else report.settled += 1;
        recorded = settled.checkout;
      } else {
        recorded = await recordObservation(deps, checkout, statusOf(answer), 'reconciler');
      }
      if (changedByReconciler(checkout, recorded)) await audited(deps, recorded.id);
    }
  }
  return { ...report, startedAt: new Date(started).toISOString(), finishedAt: isoAt(deps.clock) };
}

async function allOpenEntries(deps: ReconcileDeps): Promise<OpenEntry[]> {
  const entries: OpenEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.checkouts.listOpen({ limit: 100, ...(cursor ? { cursor } : {}) });
    entries.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return entries;
}

/**
 * A creation left unknown: recorded already (its retry came), found at the provider
 * (recorded now), or absent there (the intent is dropped: nothing was created).
 */
async function settleCreation(
  deps: ReconcileDeps,
  intent: CreationIntent,
  mayCall: () => Promise<boolean>,
  tokenOf: (ownerSub: string) => Promise<MerchantCredential>,
): Promise<'settled' | 'unresolved' | 'nothing'> {
  const recorded = await deps.checkouts.get(intent.checkoutId);
  if (recorded) {
    // Its pointer and watch entry were written with it, but a crash may have left one out.
    await recordCreated(deps, recorded, true);
    return 'nothing';
  }
  const credential = await tokenOf(intent.ownerSub);
  // The provider's clock may differ a little from ours.
  const startTime = Math.floor(Date.parse(intent.createdAt) / 1000) - 300;
  for (let page = 0; page < maxFindPages; page++) {
    if (!(await mayCall())) return 'unresolved';
    const found = await deps.provider.findCheckouts(credential, { accountId: intent.providerAccountId, startTime, start: page * 50, limit: 50 });
    const match = found.find((checkout) => checkout.uniqueId === intent.providerUniqueId);
    if (match) {
      const stored = await recordCreated(deps, checkoutFromProvider(intent, deps.provider.name, match, isoAt(deps.clock), 'reconciler'));
      // Not ours to audit when the creation's retry recorded it first (its request has its record).
      if (stored.changes.some((change) => change.source === 'reconciler')) await audited(deps, stored.id);
      return 'settled';
    }
    if (found.length < 50) {
      await deps.checkouts.clearCreationIntent(intent.checkoutId);
      // Never created: the mandate spending it held is given back.
      if (intent.mandate) await deps.mandates?.release(intent.mandate.id, intent.mandate.amount);
      return 'settled';
    }
  }
  return 'unresolved';
}

/**
 * Whether the reconciler's write changed what the checkout says (state, amounts, an action's outcome),
 * not only when it was last read: a pass that re-reads an unchanged checkout leaves no audit record.
 */
function changedByReconciler(before: Checkout, after: Checkout): boolean {
  if (after.version <= before.version) return false;
  const eventful = after.changes.some((change) => change.source === 'reconciler' && change.version > before.version);
  // Actions it read: one added meanwhile by a request is that request's change, audited with it.
  const actionSettled = before.actions.some((action) => after.actions.find((a) => a.id === action.id)?.state !== action.state);
  return eventful || actionSettled;
}

/** One `system:reconciler` record, once the change is committed (recordSystemChange never throws). */
async function audited(deps: ReconcileDeps, checkoutId: string): Promise<void> {
  if (deps.audit) await recordSystemChange(deps.audit, { actor: 'system:reconciler', action: 'checkouts.update', resource: { type: 'checkout', id: checkoutId } });
}
