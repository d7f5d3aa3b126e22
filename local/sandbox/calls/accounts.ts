// /account/create and /account. reference_id is stored as given; the sandbox
// does not deduplicate accounts by it.
import type { ApiContext, Caller, Params } from '#local/sandbox/calls/context.ts';
import { nowSeconds, optionalString, requiredString } from '#local/sandbox/calls/params.ts';
import type { AccountRecord } from '#local/sandbox/records.ts';
import { invalidParameter, WepayError } from '#local/sandbox/wepay-errors.ts';

export function createAccount(context: ApiContext, params: Params, caller: Caller): unknown {
  if (caller.kind !== 'user') {
    throw new WepayError(401, 'access_denied', 1006, '/account/create needs the access_token of the user who will own the account');
  }
  const name = requiredString(params, 'name', 255);
  if (/wepay/i.test(name)) throw invalidParameter('account name may not contain "wepay"');
  const description = requiredString(params, 'description', 65_535);
  const referenceId = optionalString(params, 'reference_id', 255);
  const { store } = context;
  const account: AccountRecord = {
    account_id: store.nextId('account'),
    owner_user_id: caller.userId,
    name,
    description,
    reference_id: referenceId,
    state: 'active',
    create_time: nowSeconds(),
  };
  store.accounts.set(account.account_id, account);
  return accountView(account);
}

export function accountView(account: AccountRecord): unknown {
  return {
    account_id: account.account_id,
    name: account.name,
    state: account.state,
    description: account.description,
    reference_id: account.reference_id,
    owner_user_id: account.owner_user_id,
    type: 'personal',
    create_time: account.create_time,
    country: 'US',
    currencies: ['USD'],
    statement_descriptor: `WPY*${account.name}`,
  };
}
