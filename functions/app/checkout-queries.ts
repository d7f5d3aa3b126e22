// Checkout reads with the API's visibility rules, and listings.
import { NotFoundError } from '#functions/domain/errors.ts';
import { couldBeCheckoutId, idInMessage } from '#functions/domain/ids.ts';
import { hasRole, type Principal } from '#functions/domain/principal.ts';
import type { Checkout } from '#functions/domain/checkout.ts';
import type { Page } from '#functions/domain/page.ts';
import { canView, type CheckoutDeps } from './checkout-records.ts';

/** Anyone but the payer, the account's owner and ops is told the checkout does not exist. */
export async function getCheckout(deps: Pick<CheckoutDeps, 'checkouts'>, principal: Principal, id: string): Promise<Checkout> {
  const checkout = couldBeCheckoutId(id) ? await deps.checkouts.get(id) : undefined;
  if (!checkout || !canView(principal, checkout)) throw new NotFoundError(`No checkout ${idInMessage(id, couldBeCheckoutId)}`, { param: 'id' });
  return checkout;
}

export interface ListCheckoutsInput {
  accountId?: string;
  limit: number;
  cursor?: string;
}

/** Bound on index pages read to fill one filtered page; a short page still carries its cursor. */
const maxFilteredReads = 10;

/**
 * Newest first. Ops see any checkout; a merchant those of accounts they own; a
 * payer their own (narrowed to one account when asked).
 */
export async function listCheckouts(deps: Pick<CheckoutDeps, 'checkouts' | 'merchants'>, principal: Principal, input: ListCheckoutsInput): Promise<Page<Checkout>> {
  const page = { limit: input.limit, ...(input.cursor ? { cursor: input.cursor } : {}) };
  if (hasRole(principal, 'ops')) {
    return input.accountId ? deps.checkouts.listByAccount(input.accountId, page) : deps.checkouts.listAll(page);
  }
  if (hasRole(principal, 'merchant')) {
    if (!input.accountId) return deps.checkouts.listByOwner(principal.sub, page);
    const account = await deps.merchants.getAccount(input.accountId);
    if (!account || account.ownerSub !== principal.sub) {
      throw new NotFoundError(`No merchant account ${input.accountId}`, { param: 'account_id' });
    }
    return deps.checkouts.listByAccount(input.accountId, page);
  }
  if (!input.accountId) return deps.checkouts.listByPayer(principal.sub, page);
  // A payer's checkouts at one account: read the payer's index and keep that account's.
  const items: Checkout[] = [];
  let cursor = input.cursor;
  for (let reads = 0; reads < maxFilteredReads; reads++) {
    const next = await deps.checkouts.listByPayer(principal.sub, { limit: input.limit - items.length, ...(cursor ? { cursor } : {}) });
    items.push(...next.items.filter((c) => c.accountId === input.accountId));
    if (next.nextCursor === null) return { items, nextCursor: null };
    cursor = next.nextCursor;
    if (items.length === input.limit) break;
  }
  return { items, nextCursor: cursor ?? null };
}
