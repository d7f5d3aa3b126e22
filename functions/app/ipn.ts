// Instant payment notifications. WePay's IPN carries no state and no signature:
// the route token in the callback URI says it is meant for us, and the checkout
// is always fetched from the provider before anything changes. The receiver only
// checks the token and queues the hint; the processor does the fetch, so a slow
// provider never makes WePay's callback time out.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { NotFoundError } from '#functions/domain/errors.ts';
import type { PlatformCredentials } from '#functions/ports/secrets.ts';
import type { IpnNotice, IpnQueue } from '#functions/ports/ipn-queue.ts';
import { recordSystemChange, type AuditDeps } from './audit.ts';
import type { CheckoutDeps } from './checkouts.ts';
import { refreshFromProvider } from './checkouts.ts';

const routeTokenContext = 'wepay-ipn-route-v1';

/** The unguessable path segment of our callback URI, derived from one route secret. */
export function routeTokenFor(routeSecret: string): string {
  return createHmac('sha256', routeSecret).update(routeTokenContext).digest('base64url');
}

/** The callback URI given to the provider with each checkout. */
export function callbackUriFor(ipnBaseUrl: string, credentials: PlatformCredentials): string {
  return `${ipnBaseUrl.replace(/\/+$/, '')}/v1/ipn/wepay/${routeTokenFor(credentials.ipnRouteSecret)}`;
}

/**
 * True when the token derives from the current route secret or one kept after a
 * rotation (IPNs for old checkouts keep arriving). Every candidate is compared,
 * in constant time, so the answer's timing says nothing about the token.
 */
export function isValidRouteToken(token: string, credentials: PlatformCredentials): boolean {
  const presented = Buffer.from(token);
  let valid = false;
  for (const secret of [credentials.ipnRouteSecret, ...credentials.previousIpnRouteSecrets]) {
    const expected = Buffer.from(routeTokenFor(secret));
    const sameLength = expected.length === presented.length;
    // timingSafeEqual needs equal lengths; compare against itself otherwise to spend the same time.
    const equal = timingSafeEqual(expected, sameLength ? presented : expected) && sameLength;
    valid = valid || equal;
  }
  return valid;
}

export interface ReceiveIpnDeps {
  credentials: () => Promise<PlatformCredentials>;
  queue: IpnQueue;
  clock: { now(): number };
}

/** Checks the route token (a wrong one is 404, as for any unknown path) and queues the hint. */
export async function receiveIpn(deps: ReceiveIpnDeps, routeToken: string, providerCheckoutId: string): Promise<void> {
  if (!isValidRouteToken(routeToken, await deps.credentials())) throw new NotFoundError('No such resource');
  await deps.queue.enqueue({ provider: 'wepay', checkoutId: providerCheckoutId, receivedAt: new Date(deps.clock.now()).toISOString() });
}

export type IpnOutcome = 'updated' | 'unchanged' | 'unknown_checkout';

/**
 * Fetches the checkout from the provider and records what it says; an older read
 * never moves it backwards (IPNs are batched and may arrive out of order).
 * Failures throw, so the queue retries and finally dead-letters the notice.
 */
export async function processIpn(deps: CheckoutDeps & { audit?: AuditDeps }, notice: IpnNotice): Promise<IpnOutcome> {
  const checkout = await deps.checkouts.getByProviderCheckoutId(notice.checkoutId);
  // Not one of ours (or not recorded yet: the creating request records it right after the provider answered,
  // and the next IPN or any action will catch up). Nothing to retry.
  if (!checkout) return 'unknown_checkout';
  const refreshed = await refreshFromProvider(deps, checkout);
  if (refreshed.version === checkout.version) return 'unchanged';
  // A change without a request: audited as the provider's (functions/app/audit.ts).
  if (deps.audit) await recordSystemChange(deps.audit, { actor: 'provider:wepay', action: 'checkouts.update', resource: { type: 'checkout', id: checkout.id } });
  return 'updated';
}
