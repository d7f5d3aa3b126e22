// Mandates: a payer's grant to an agent, its agt_ token, and
// the agent's authentication. Spending is in checkouts.ts (agent creations).
import { createHash, randomBytes } from 'node:crypto';
import { AuthenticationError, InvalidRequestError, NotFoundError, PermissionDeniedError, UnknownCardTokenError } from '#functions/domain/errors.ts';
import { couldBeAccountId, couldBeMandateId, idInMessage } from '#functions/domain/ids.ts';
import { assertValidNewMandate, mandateStatus, type Mandate, type NewMandate } from '#functions/domain/mandate.ts';
import { hasRole, type Principal } from '#functions/domain/principal.ts';
import type { CheckoutRepository } from '#functions/ports/checkout-repository.ts';
import type { Checkout } from '#functions/domain/checkout.ts';
import type { Page, PageRequest } from '#functions/domain/page.ts';
import type { Clock } from '#functions/ports/clock.ts';
import type { MandateRepository } from '#functions/ports/mandate-repository.ts';
import type { MerchantRepository } from '#functions/ports/merchant-repository.ts';
import type { PaymentProvider } from '#functions/ports/payment-provider.ts';

export interface MandateDeps {
  mandates: MandateRepository;
  clock: Clock;
}

export const agentTokenPrefix = 'agt_';

/** What is stored for a token: its SHA-256, never the token. */
export function agentTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newAgentToken(): string {
  return agentTokenPrefix + randomBytes(32).toString('base64url');
}

export async function createMandate(
  deps: MandateDeps & { merchants: Pick<MerchantRepository, 'getAccount'>; provider: Pick<PaymentProvider, 'lookUpCard'> },
  principal: Principal,
  input: NewMandate,
): Promise<{ mandate: Mandate; token: string }> {
  const now = deps.clock.now();
  assertValidNewMandate(input, now);
  for (const accountId of input.accountIds) {
    const account = couldBeAccountId(accountId) ? await deps.merchants.getAccount(accountId) : undefined;
    if (!account) throw new NotFoundError(`No merchant account ${idInMessage(accountId, couldBeAccountId)}`, { param: 'account_ids' });
  }
  // The card is checked now, not at the agent's first checkout: the payer learns of a bad token here.
  await deps.provider.lookUpCard(input.creditCardId).catch((error: unknown) => {
    if (error instanceof UnknownCardTokenError) {
      throw new InvalidRequestError('parameter_invalid', 'credit_card_id is not a card token the provider knows', { param: 'credit_card_id' });
    }
    throw error;
  });
  const token = newAgentToken();
  const mandate: Mandate = {
    id: `mdt_${randomBytes(12).toString('base64url')}`,
    payerSub: principal.sub,
    agent: input.agent,
    currency: input.currency,
    perCheckoutMax: input.perCheckoutMax,
    totalMax: input.totalMax,
    ...(input.maxCheckouts === undefined || input.maxCheckouts === null ? {} : { maxCheckouts: input.maxCheckouts }),
    accountIds: input.accountIds,
    creditCardId: input.creditCardId,
    expiresAt: new Date(Date.parse(input.expiresAt)).toISOString(),
    spent: 0,
    checkoutsCount: 0,
    createdAt: new Date(now).toISOString(),
  };
  await deps.mandates.create(mandate, agentTokenHash(token));
  return { mandate, token };
}

/** Its payer or ops; anyone else is told it does not exist. */
export async function getMandate(deps: Pick<MandateDeps, 'mandates'>, principal: Principal, id: string): Promise<Mandate> {
  const mandate = couldBeMandateId(id) ? await deps.mandates.get(id) : undefined;
  const visible = mandate && (hasRole(principal, 'ops') || (hasRole(principal, 'payer') && mandate.payerSub === principal.sub));
  if (!visible) throw new NotFoundError(`No mandate ${idInMessage(id, couldBeMandateId)}`, { param: 'id' });
  return mandate;
}

export function listMandates(deps: Pick<MandateDeps, 'mandates'>, principal: Principal, page: PageRequest): Promise<Page<Mandate>> {
  return hasRole(principal, 'ops') ? deps.mandates.listAll(page) : deps.mandates.listByPayer(principal.sub, page);
}

/** Idempotent: a revoked mandate answers as it is. */
export async function revokeMandate(deps: MandateDeps, principal: Principal, id: string): Promise<Mandate> {
  const mandate = await getMandate(deps, principal, id);
  if (mandate.revokedAt !== undefined) return mandate;
  return (await deps.mandates.revoke(mandate.id, new Date(deps.clock.now()).toISOString())) ?? mandate;
}

/** The agent's own mandate (`GET /v1/mandates/current`); a JWT caller has none. */
export async function currentMandate(deps: Pick<MandateDeps, 'mandates'>, principal: Principal): Promise<Mandate> {
  if (!hasRole(principal, 'agent') || principal.mandateId === undefined) throw new PermissionDeniedError('Only an agent token has a current mandate');
  const mandate = await deps.mandates.get(principal.mandateId);
  if (!mandate) throw new NotFoundError('No mandate for this token', { param: 'id' });
  return mandate;
}

/** Bound on index pages read to fill one filtered page; a short page still carries its cursor. */
const maxFilteredReads = 10;

/** The agent's transaction log: the payer's checkouts made under this mandate, newest first. */
export async function listMandateCheckouts(
  deps: Pick<MandateDeps, 'mandates'> & { checkouts: Pick<CheckoutRepository, 'listByPayer'> },
  principal: Principal,
  id: string,
  page: PageRequest,
): Promise<Page<Checkout>> {
  const mandate = await getMandate(deps, principal, id);
  const items: Checkout[] = [];
  let cursor = page.cursor;
  for (let reads = 0; reads < maxFilteredReads; reads++) {
    const next = await deps.checkouts.listByPayer(mandate.payerSub, { limit: page.limit - items.length, ...(cursor ? { cursor } : {}) });
    items.push(...next.items.filter((c) => c.agent?.mandateId === mandate.id));
    if (next.nextCursor === null) return { items, nextCursor: null };
    cursor = next.nextCursor;
    if (items.length === page.limit) break;
  }
  return { items, nextCursor: cursor ?? null };
}

/**
 * An `agt_` bearer token → the agent's principal. Read with no cache, strongly consistent:
 * a revocation answers the very next request 401 token_revoked.
 */
export async function authenticateAgent(deps: MandateDeps, token: string): Promise<Principal> {
  const mandate = /^agt_[A-Za-z0-9_-]{16,128}$/.test(token) ? await deps.mandates.getByTokenHash(agentTokenHash(token)) : undefined;
  if (!mandate) throw new AuthenticationError('token_invalid', 'The agent token is not valid');
  const status = mandateStatus(mandate, deps.clock.now());
  if (status === 'revoked') throw new AuthenticationError('token_revoked', 'The mandate of this agent token was revoked');
  if (status === 'expired') throw new AuthenticationError('token_expired', 'The mandate of this agent token has expired');
  return { sub: mandate.payerSub, roles: ['agent'], mandateId: mandate.id };
}
