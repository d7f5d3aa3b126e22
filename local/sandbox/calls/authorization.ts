// Who may make a call: the app's client credentials, a bearer token (the app's,
// or a user's SHA-256-indexed one), and which accounts and checkouts a user's
// token may act on.
import type { ApiContext, Caller, Params } from '#local/sandbox/calls/context.ts';
import { requiredId, requiredString, sameSecret } from '#local/sandbox/calls/params.ts';
import { tokenDigest, type AccountRecord, type CheckoutRecord } from '#local/sandbox/records.ts';
import { invalidClient, invalidParameter, invalidToken, missingAuthorization, notYourAccount, revokedToken } from '#local/sandbox/wepay-errors.ts';

export function authenticate(context: ApiContext, authorization: string | undefined): Caller {
  if (!authorization) throw missingAuthorization();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw invalidToken();
  const token = match[1];
  if (sameSecret(token, context.app.accessToken)) return { kind: 'app' };
  const record = context.store.tokens.get(tokenDigest(token));
  if (!record) throw invalidToken();
  if (record.revoked) throw revokedToken();
  return { kind: 'user', userId: record.user_id };
}

export function checkClient(context: ApiContext, params: Params): void {
  const clientId = requiredString(params, 'client_id', 255);
  if (clientId !== String(context.app.clientId)) throw invalidClient();
}

export function checkClientSecret(context: ApiContext, params: Params): void {
  checkClient(context, params);
  const secret = requiredString(params, 'client_secret', 255);
  if (!sameSecret(secret, context.app.clientSecret)) throw invalidClient();
}

/**
 * The app token may act on every account (it is the platform's); a user's
 * token only on that user's accounts. Another user's account is access_denied.
 */
export function accountFor(context: ApiContext, caller: Caller, params: Params): AccountRecord {
  const accountId = requiredId(params, 'account_id');
  const account = context.store.accounts.get(accountId);
  if (!account) throw invalidParameter(`account ${accountId} does not exist`);
  if (caller.kind === 'user' && account.owner_user_id !== caller.userId) throw notYourAccount();
  return account;
}

export function checkoutFor(context: ApiContext, caller: Caller, params: Params): CheckoutRecord {
  const checkoutId = requiredId(params, 'checkout_id');
  const checkout = context.store.checkouts.get(checkoutId);
  if (!checkout) throw invalidParameter(`checkout ${checkoutId} does not exist`);
  const account = context.store.accounts.get(checkout.account_id);
  if (caller.kind === 'user' && account?.owner_user_id !== caller.userId) throw notYourAccount();
  return checkout;
}
