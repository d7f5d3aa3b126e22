// Notifications from the provider. They are hints, never trusted for a state: the
// route token in the callback URI says a notice is meant for us, and the checkout
// is always fetched from the provider before anything changes. The receiver only
// reads the body (the provider's adapter knows its form), checks the token and
// queues the hint; the processor does the fetch, so a slow provider never makes
// the provider's callback time out.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { NotFoundError } from '#functions/domain/errors.ts';
import type { PlatformCredentials } from '#functions/ports/secrets.ts';
import type { IpnNotice, IpnQueue } from '#functions/ports/ipn-queue.ts';
import type { PaymentProvider } from '#functions/ports/payment-provider.ts';
import { recordSystemChange, type AuditDeps } from './audit.ts';
import type { CheckoutDeps } from './checkouts.ts';
import { refreshFromProvider } from './checkouts.ts';

/** The unguessable path segment of our callback URI, derived from one route secret (and the provider's name). */
export function routeTokenFor(providerName: string, routeSecret: string): string {
  return createHmac('sha256', routeSecret).update(`${providerName}-ipn-route-v1`).digest('base64url');
}

/** The callback URI given to the provider with each checkout: `/v1/ipn/<provider>/<route token>`. */
export function callbackUriFor(ipnBaseUrl: string, providerName: string, credentials: PlatformCredentials): string {
  return `${ipnBaseUrl.replace(/\/+$/, '')}/v1/ipn/${providerName}/${routeTokenFor(providerName, credentials.ipnRouteSecret)}`;
}

/**
 * True when the token derives from the current route secret or one kept after a
 * rotation (IPNs for old checkouts keep arriving). Every candidate is compared,
 * in constant time, so the answer's timing says nothing about the token.
 */
export function isValidRouteToken(providerName: string, token: string, credentials: PlatformCredentials): boolean {
  const presented = Buffer.from(token);
  let valid = false;
  for (const secret of [credentials.ipnRouteSecret, ...credentials.previousIpnRouteSecrets]) {
    const expected = Buffer.from(routeTokenFor(providerName, secret));
    const sameLength = expected.length === presented.length;
    // timingSafeEqual needs equal lengths; compare against itself otherwise to spend the same time.
    const equal = timingSafeEqual(expected, sameLength ? presented : expected) && sameLength;
    valid = valid || equal;
  }
  return valid;
}

export interface ReceiveIpnDeps {
  provider: Pick<PaymentProvider, 'name' | 'parseNotification'>;
  credentials: () => Promise<PlatformCredentials>;
  queue: IpnQueue;
  clock: { now(): number };
}

/**
 * Reads the notification (a malformed one is 400), checks the route token (a wrong
 * one is 404, as for any unknown path) and queues the hint.
 */
export async function receiveIpn(deps: ReceiveIpnDeps, routeToken: string, body: Readonly<Record<string, unknown>>): Promise<void> {
  const notification = deps.provider.parseNotification(body);
  if (!isValidRouteToken(deps.provider.name, routeToken, await deps.credentials())) throw new NotFoundError('No such resource');
  await deps.queue.enqueue({ provider: deps.provider.name, checkoutId: notification.checkoutId, receivedAt: new Date(deps.clock.now()).toISOString() });
}

export type IpnOutcome = 'updated' | 'unchanged' | 'unknown_checkout';

/**
 * Fetches the checkout from the provider and records what it says; an older read
 * never moves it backwards (IPNs are batched and may arrive out of order).
 * Failures throw, so the queue retries and finally dead-letters the notice.
 */
export async function processIpn(deps: CheckoutDeps & { audit?: AuditDeps }, notice: IpnNotice): Promise<IpnOutcome> {
  const checkout = await deps.checkouts.getByProviderCheckoutId(notice.provider, notice.checkoutId);
  // Not one of ours (or not recorded yet: the creating request records it right after the provider answered,
  // and the next IPN or any action will catch up). Nothing to retry.
  if (!checkout) return 'unknown_checkout';
  const refreshed = await refreshFromProvider(deps, checkout);
  if (refreshed.version === checkout.version) return 'unchanged';
  // A change without a request: audited as the provider's (functions/app/audit.ts).
  if (deps.audit) await recordSystemChange(deps.audit, { actor: `provider:${deps.provider.name}`, action: 'checkouts.update', resource: { type: 'checkout', id: checkout.id } });
  return 'updated';
}
