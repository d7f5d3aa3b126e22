// How the IPN route secret is rotated: pure rules, no I/O. The secret derives the
// route token baked into each checkout's callback_uri at creation, and the provider calls
// that URI for as long as the checkout can change, so a rotated-out secret has to
// stay accepted that long. The rotation keeps the last secrets in
// `ipn_route_secret_previous`, newest first.
//
// How long a checkout can still get IPNs, counted from its creation:
// - chargebacks: the card networks' longest dispute windows run to 540 days after
//   the transaction (Visa, Mastercard: goods or services due later; 120 days for
//   most disputes);
// - the dispute that follows (representment, pre-arbitration, arbitration), which
//   moves the checkout again: allow 90 days;
// - the provider's retries of one IPN: about 2 days (the schedule is in its adapter's
//   notifications.ts).
// Hence 632 days. A token minted just before its secret is rotated out stays
// accepted for (kept × interval) days at least, so 90-day rotations need
// ceil(632 / 90) = 8 previous secrets; two more leave room for two unscheduled
// rotations (an emergency, an operator's "rotate now") within the horizon without
// cutting it short. 10 × 90 = 900 days ≥ 632.

/** The last day, after a checkout's creation, on which the provider may still send it an IPN. */
export const ipnDeliveryHorizonDays = 540 + 90 + 2;

/** Scheduled rotation interval of ipn_route_secret (the CDK rotation schedule reads it). */
export const ipnRouteSecretRotationDays = 90;

/** Unscheduled rotations the kept secrets absorb without shortening the horizon. */
export const unscheduledRotationAllowance = 2;

/** How many earlier secrets `ipn_route_secret_previous` keeps. */
export const previousIpnRouteSecretsKept =
  Math.ceil(ipnDeliveryHorizonDays / ipnRouteSecretRotationDays) + unscheduledRotationAllowance;

/** The part of the platform secret document the rotation changes; every other field is carried over as it is. */
export interface RotatableSecretDocument {
  readonly ipn_route_secret: string;
  readonly ipn_route_secret_previous?: readonly string[];
  readonly [field: string]: unknown;
}

/**
 * The next version of the platform secret document: `fresh` becomes the route
 * secret, the current one heads `ipn_route_secret_previous` (duplicates dropped,
 * trimmed to previousIpnRouteSecretsKept), and every other field (client_id,
 * client_secret, app_access_token: only the provider issues those) is copied unchanged.
 */
export function nextIpnRouteSecretDocument<D extends RotatableSecretDocument>(
  current: D,
  fresh: string,
): D & { ipn_route_secret: string; ipn_route_secret_previous: string[] } {
  const earlier = current.ipn_route_secret_previous ?? [];
  if (fresh === current.ipn_route_secret || earlier.includes(fresh)) {
    // Only a broken random source repeats a value; never rotate into a secret already accepted.
    throw new RangeError('The fresh IPN route secret equals one already in use');
  }
  const previous = [current.ipn_route_secret, ...earlier.filter((secret) => secret !== current.ipn_route_secret)];
  return { ...current, ipn_route_secret: fresh, ipn_route_secret_previous: previous.slice(0, previousIpnRouteSecretsKept) };
}
