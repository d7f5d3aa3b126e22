// /user/register and /user. One user per email: registering an email again
// returns the same user_id and a new access token (earlier tokens stay valid
// until revoked). Only the token's SHA-256 is stored.
import { randomBytes } from 'node:crypto';
import { authenticate, checkClientSecret } from '#local/sandbox/calls/authorization.ts';
import type { ApiContext, Caller, Params } from '#local/sandbox/calls/context.ts';
import { nowSeconds, requiredString } from '#local/sandbox/calls/params.ts';
import { tokenDigest } from '#local/sandbox/records.ts';
import { invalidParameter, invalidToken, missingParameter, WepayError } from '#local/sandbox/wepay-errors.ts';

export const REQUIRED_SCOPES = ['manage_accounts', 'collect_payments', 'view_user', 'preapprove_payments', 'send_money'] as const;

export function registerUser(context: ApiContext, params: Params, authorization: string | undefined): unknown {
  // No bearer token is needed (client credentials are), but one that is sent must be the app's.
  if (authorization !== undefined && authenticate(context, authorization).kind !== 'app') throw invalidToken();
  checkClientSecret(context, params);
  const email = requiredString(params, 'email', 255);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw invalidParameter('email is not a valid email address');
  const scope = requiredString(params, 'scope', 1000);
  const granted = new Set(scope.split(',').map((s) => s.trim()));
  const missing = REQUIRED_SCOPES.filter((s) => !granted.has(s));
  if (missing.length > 0) {
    throw new WepayError(400, 'invalid_scope', 1003, `scope must include all of ${REQUIRED_SCOPES.join(',')}`);
  }
  const firstName = requiredString(params, 'first_name', 255);
  const lastName = requiredString(params, 'last_name', 255);
  requiredString(params, 'original_ip', 100);
  requiredString(params, 'original_device', 1000);
  const tosTime = params['tos_acceptance_time'];
  if (tosTime === undefined || tosTime === null) throw missingParameter('tos_acceptance_time');
  if (typeof tosTime !== 'number' || !Number.isInteger(tosTime) || tosTime <= 0) {
    throw invalidParameter('tos_acceptance_time must be seconds since the epoch');
  }

  const { store } = context;
  let user = [...store.users.values()].find((candidate) => candidate.email.toLowerCase() === email.toLowerCase());
  if (!user) {
    user = { user_id: store.nextId('user'), email, first_name: firstName, last_name: lastName, create_time: nowSeconds() };
    store.users.set(user.user_id, user);
  }
  const accessToken = `STAGE_${randomBytes(32).toString('hex')}`;
  store.tokens.set(tokenDigest(accessToken), { user_id: user.user_id, revoked: false });
  return { user_id: user.user_id, access_token: accessToken, token_type: 'BEARER', expires_in: null };
}

export function userView(context: ApiContext, caller: Caller): unknown {
  if (caller.kind !== 'user') throw new WepayError(401, 'access_denied', 1006, '/user needs a user access_token');
  const user = context.store.users.get(caller.userId);
  return { user_id: caller.userId, email: user?.email, first_name: user?.first_name, last_name: user?.last_name, state: 'registered' };
}
