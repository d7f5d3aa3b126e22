// The parts of the test API that look at or change the provider's records:
// one checkout (read, told a state or amounts) and the listings of checkouts,
// accounts and users, oldest first. Listings read through the store, so they
// see every record, in memory or not, and survive restarts as the state does.
import type { ServerResponse } from 'node:http';
import { introspectionError, sendJson } from '#local/sandbox/http-io.ts';
import { checkoutStates, type CheckoutState } from '#local/sandbox/records.ts';
import type { SandboxStore } from '#local/sandbox/state-store.ts';
import type { WepayApi } from '#local/sandbox/wepay-api.ts';

export interface RecordRoutesDeps {
  store: SandboxStore;
  api: WepayApi;
  log: (line: string) => void;
}

const byCreation = <T>(id: (item: T) => number, time: (item: T) => number) => (a: T, b: T) => time(a) - time(b) || id(a) - id(b);

/** `GET /__sandbox/checkouts/{id}` and `POST /__sandbox/checkouts/{id}/state`. */
export function checkoutRoute(deps: RecordRoutesDeps, response: ServerResponse, method: string, checkoutId: number, toState: boolean, body: Record<string, unknown>): boolean {
  const { store, api, log } = deps;
  const checkout = store.checkouts.get(checkoutId);
  if (!checkout) {
    introspectionError(response, 404, `checkout ${checkoutId} does not exist`);
    return true;
  }
  if (!toState && method === 'GET') {
    sendJson(response, 200, api.checkoutView(checkout));
    return true;
  }
  if (!toState || method !== 'POST') return false;
  if (!('state' in body) && ('amount_refunded' in body || 'amount_charged_back' in body)) {
    const amounts: { amount_refunded?: number; amount_charged_back?: number } = {};
    for (const name of ['amount_refunded', 'amount_charged_back'] as const) {
      if (!(name in body)) continue;
      const cents = body[name];
      if (typeof cents !== 'number' || !Number.isSafeInteger(cents) || cents < 0) {
        introspectionError(response, 400, `${name} must be a non-negative integer number of cents`);
        return true;
      }
      amounts[name] = cents;
    }
    const moved = api.moveAmounts(checkoutId, amounts);
    log(`sandbox checkout ${checkoutId} amounts ${JSON.stringify(amounts)} (told)`);
    sendJson(response, 200, moved ? api.checkoutView(moved) : {});
    return true;
  }
  const state = body['state'] === 'charged_back' ? 'charged back' : body['state'];
  if (typeof state !== 'string' || !(checkoutStates as readonly string[]).includes(state)) {
    introspectionError(response, 400, `state must be one of ${checkoutStates.join(', ')}`);
    return true;
  }
  const moved = api.moveCheckout(checkoutId, state as CheckoutState);
  log(`sandbox checkout ${checkoutId} → ${state} (told)`);
  sendJson(response, 200, moved ? api.checkoutView(moved) : {});
  return true;
}

/** `GET /__sandbox/checkouts?short_description=...`: the WePay checkout objects; the filter is exact and optional. */
export function listCheckouts(deps: RecordRoutesDeps, shortDescription: string | null): unknown {
  const { checkouts } = deps.store;
  const ids = shortDescription === null ? [...checkouts.entries()].map((entry) => entry.checkout_id) : checkouts.idsWithDescription(shortDescription);
  // peek, not get: a listing reads cold checkouts from disk without evicting the hot ones.
  const records = ids.flatMap((id) => checkouts.peek(id) ?? []);
  records.sort(byCreation((c) => c.checkout_id, (c) => c.create_time));
  return { checkouts: records.map((checkout) => deps.api.checkoutView(checkout)) };
}

export function listAccounts(deps: RecordRoutesDeps): unknown {
  const accounts = [...deps.store.accounts.values()].sort(byCreation((a) => a.account_id, (a) => a.create_time));
  return {
    accounts: accounts.map((a) => ({ account_id: a.account_id, owner_user_id: a.owner_user_id, name: a.name, reference_id: a.reference_id })),
  };
}

/** Each user with the SHA-256 of every access token issued to them (the store never held the tokens themselves). */
export function listUsers(deps: RecordRoutesDeps): unknown {
  const digests = new Map<number, string[]>();
  for (const [digest, token] of deps.store.tokens.entries()) {
    const list = digests.get(token.user_id);
    if (list) list.push(digest);
    else digests.set(token.user_id, [digest]);
  }
  const users = [...deps.store.users.values()].sort(byCreation((u) => u.user_id, (u) => u.create_time));
  return { users: users.map((u) => ({ user_id: u.user_id, email: u.email, token_sha256: digests.get(u.user_id) ?? [] })) };
}
