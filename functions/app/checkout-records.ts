// What every checkout use case shares: the dependencies, the deterministic ids,
// who may see or act on a checkout, and the one way a change is written: a
// conditional write of the whole item, re-read and re-applied when another writer
// got there first. A change is a function of the fresh copy, so re-applying it is
// always right, and there is no retry count that could give up after the provider
// already acted.
import type { MandateRepository } from '#functions/ports/mandate-repository.ts';
import { createHash } from 'node:crypto';
import { withChange, type ChangeSource } from '#functions/domain/checkout-changes.ts';
import { reconcile, type CheckoutStatus } from '#functions/domain/checkout-state.ts';
import { ProviderUnavailableError } from '#functions/domain/errors.ts';
import { hasRole, type Principal } from '#functions/domain/principal.ts';
import { type CheckoutRepository } from '#functions/ports/checkout-repository.ts';
import { ConcurrentUpdateError, type Checkout } from '#functions/domain/checkout.ts';
import type { Clock } from '#functions/ports/clock.ts';
import type { MerchantRepository } from '#functions/ports/merchant-repository.ts';
import type { PaymentProvider, ProviderCheckout } from '#functions/ports/payment-provider.ts';
import type { TokenVault } from '#functions/ports/token-vault.ts';
import type { VelocityDeps } from './velocity.ts';

export interface CheckoutDeps {
  checkouts: CheckoutRepository;
  merchants: MerchantRepository;
  provider: PaymentProvider;
  vault: TokenVault;
  clock: Clock;
  /** The URI the provider sends this checkout's IPNs to; none means no IPNs (then reads catch up on actions). */
  callbackUri?: () => Promise<string | undefined>;
  /**
   * How long a recorded intent (an action's or a creation's) belongs to the request
   * that wrote it: others wait meanwhile, and only after it may an intent whose
   * provider call left no trace be settled as never done. Longer than a provider
   * call can take (all attempts). Default 60 s (IDEMPOTENCY_LOCK_SECONDS).
   */
  intentLeaseMs?: number;
  /** Card-testing protection on creation (app/velocity.ts); none means no limits. */
  velocity?: VelocityDeps;
  /** Agents' mandates: checked and spent on an agent's creation, released when it never happened. */
  mandates?: MandateRepository;
}

export const defaultIntentLeaseMs = 60_000;

const digest = (...parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('base64url');

/**
 * The unique_id sent to the provider, derived from (payer, unique_id) alone: every
 * retry of the request, from any Lambda, asks the provider for the same checkout.
 */
export function providerUniqueIdFor(payerSub: string, uniqueId: string): string {
  return `pay_${digest('provider-unique-id', payerSub, uniqueId)}`;
}

/** Our checkout id, derived the same way, so a retry after a crash finds the record it may have written. */
export function checkoutIdFor(payerSub: string, uniqueId: string): string {
  return `chk_${digest('checkout-id', payerSub, uniqueId).slice(0, 24)}`;
}

/** An action's id, derived from (principal, unique_id): a retry finds the intent its first attempt wrote. */
export function actionIdFor(principalSub: string, uniqueId: string, action: 'capture' | 'cancel' | 'refund'): string {
  const prefix = action === 'refund' ? 'rfd' : 'act';
  return `${prefix}_${digest('checkout-action', principalSub, uniqueId).slice(0, 24)}`;
}

export function statusOf(observed: ProviderCheckout): CheckoutStatus {
  return {
    state: observed.state,
    amountRefunded: observed.amountRefunded,
    amountChargedBack: observed.amountChargedBack,
  };
}

export function canView(principal: Principal, checkout: Checkout): boolean {
  // An agent's `sub` is its payer's: it sees only the checkouts made under its own mandate.
  if (principal.mandateId !== undefined) return checkout.agent?.mandateId === principal.mandateId;
  return checkout.payerSub === principal.sub || checkout.ownerSub === principal.sub || hasRole(principal, 'ops');
}

export function canAct(principal: Principal, checkout: Checkout): boolean {
  return (checkout.ownerSub === principal.sub && hasRole(principal, 'merchant')) || hasRole(principal, 'ops');
}

export const isoAt = (clock: Clock) => new Date(clock.now()).toISOString();

/** Beyond this many lost races in a row something is wrong; the caller's request stays retryable (503). */
const maxWriteRounds = 200;

/**
 * Writes `change(fresh)` with a conditional write, re-reading and re-applying it
 * after a concurrent writer. `change` returns undefined when nothing needs writing.
 * The change's event-ready entry is appended in the same write.
 */
export async function commitChange(
  deps: Pick<CheckoutDeps, 'checkouts' | 'clock'>,
  checkout: Checkout,
  source: ChangeSource,
  change: (fresh: Checkout) => Checkout | undefined,
): Promise<Checkout> {
  let current = checkout;
  for (let round = 0; round < maxWriteRounds; round++) {
    const changed = change(current);
    if (!changed) return current;
    const at = isoAt(deps.clock);
    const next = withChange(current, { ...changed, updatedAt: at }, { version: current.version + 1, at, source });
    try {
      return await deps.checkouts.update(next, current.version);
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      const fresh = await deps.checkouts.get(current.id);
      if (!fresh) throw error;
      current = fresh;
      // Under a burst of writers, spread the retries out a little.
      if (round >= 3) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 10 * round)));
    }
  }
  throw new ProviderUnavailableError('The checkout is changing too often to record this now; retry with the same unique_id', 1);
}

/** The checkout with an observation of the provider merged in (never moving backwards). */
export function observed(checkout: Checkout, status: CheckoutStatus, readAt?: string): Checkout {
  const merged = reconcile(checkout, status);
  return {
    ...checkout,
    state: merged.state,
    amountRefunded: merged.amountRefunded,
    amountChargedBack: merged.amountChargedBack,
    ...(readAt === undefined ? {} : { lastReadAt: readAt }),
  };
}

/**
 * Records an observation of the provider. Only the reconciler writes when nothing
 * but the read time changed: its reads are what keep a checkout from going stale.
 */
export async function recordObservation(
  deps: Pick<CheckoutDeps, 'checkouts' | 'clock'>,
  checkout: Checkout,
  status: CheckoutStatus,
  source: ChangeSource = 'ipn',
): Promise<Checkout> {
  return commitChange(deps, checkout, source, (current) => {
    const merged = reconcile(current, status);
    if (!merged.changed && source !== 'reconciler') return undefined;
    return observed(current, status, isoAt(deps.clock));
  });
}
