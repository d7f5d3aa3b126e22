// An agent's checkout under its mandate: the mandate's status and
// scope before velocity, then its spending in one conditional write right before the
// provider, given back when the charge is declined or turns out never to have happened.
import { AuthenticationError, MandateExceededError, MandateScopeError } from '#functions/domain/errors.ts';
import { mandateStatus, scopeViolation, type Mandate, type SpendRefusal } from '#functions/domain/mandate.ts';
import type { Principal } from '#functions/domain/principal.ts';
import type { CheckoutDeps } from './checkout-records.ts';

function refusalError(refusal: SpendRefusal | 'active'): Error {
  switch (refusal) {
    case 'revoked':
      return new AuthenticationError('token_revoked', 'The mandate of this agent token was revoked');
    case 'expired':
      return new AuthenticationError('token_expired', 'The mandate of this agent token has expired');
    case 'missing':
      return new AuthenticationError('token_invalid', 'The agent token is not valid');
    case 'per_checkout_max':
      return new MandateExceededError('amount is over the mandate\'s per_checkout_max', { param: 'amount' });
    case 'total_max':
      return new MandateExceededError('This checkout would take the mandate\'s spending over its total_max', { param: 'amount' });
    case 'max_checkouts':
      return new MandateExceededError('The mandate\'s max_checkouts is reached');
    case 'active':
      return new Error('an active mandate is no refusal');
  }
}

/**
 * The caller's mandate when it is an agent (undefined for a user). Read fresh, never cached:
 * a revocation between the authorizer and here still refuses the request.
 */
export async function agentMandateFor(
  deps: Pick<CheckoutDeps, 'mandates' | 'clock'>,
  principal: Principal,
  checkout: { currency: string; accountId: string },
): Promise<Mandate | undefined> {
  if (principal.mandateId === undefined) return undefined;
  if (!deps.mandates) throw new Error('an agent checkout needs the mandate repository');
  const mandate = await deps.mandates.get(principal.mandateId);
  if (!mandate) throw refusalError('missing');
  const status = mandateStatus(mandate, deps.clock.now());
  if (status !== 'active') throw refusal(mandate.id, status);
  const outOfScope = scopeViolation(mandate, checkout);
  if (outOfScope !== undefined) {
    throw new MandateScopeError(outOfScope, { param: checkout.currency !== mandate.currency ? 'currency' : 'account_id' });
  }
  return mandate;
}

// Refusals are logged by the HTTP envelope ("request refused" with the code), on a line that
// carries the request's mandate_id (the create handler appends it).
function refusal(_mandateId: string, why: SpendRefusal): Error {
  return refusalError(why);
}

/** Spends or refuses; a refusal drops the creation intent (nothing will be created). */
export async function spendMandate(deps: Pick<CheckoutDeps, 'mandates' | 'clock' | 'checkouts'>, mandate: Mandate, amount: number, checkoutId: string): Promise<void> {
  const why = await deps.mandates!.spend(mandate.id, amount, new Date(deps.clock.now()).toISOString());
  if (why === undefined) return;
  await deps.checkouts.clearCreationIntent(checkoutId);
  throw refusal(mandate.id, why);
}

export async function releaseMandateSpend(deps: Pick<CheckoutDeps, 'mandates'>, mandateId: string, amount: number): Promise<void> {
  await deps.mandates?.release(mandateId, amount);
}
