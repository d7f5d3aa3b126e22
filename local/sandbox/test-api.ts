// `/__sandbox/*`: the test API (no authorization): health, the calls log,
// fault injection, checkouts told a state, IPN deliveries, token revocation,
// the running settings, and listings of what the sandbox holds. See README.md.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallLog } from '#local/sandbox/call-log.ts';
import { parseFaultMode, type FaultInjector } from '#local/sandbox/faults.ts';
import { introspectionError, readBody, sendJson } from '#local/sandbox/http-io.ts';
import type { IpnDispatcher } from '#local/sandbox/ipn-dispatcher.ts';
import { tokenDigest } from '#local/sandbox/records.ts';
import { applySettings, type RuntimeSettings } from '#local/sandbox/runtime-settings.ts';
import { checkoutRoute, listAccounts, listCheckouts, listUsers, type RecordRoutesDeps } from '#local/sandbox/test-api-records.ts';
import type { Throttle } from '#local/sandbox/throttle.ts';

export interface TestApiDeps extends RecordRoutesDeps {
  calls: CallLog;
  faults: FaultInjector;
  ipn: IpnDispatcher;
  throttle: Throttle;
  settings: RuntimeSettings;
}

async function jsonObjectBody(request: IncomingMessage, method: string): Promise<Record<string, unknown> | undefined> {
  const raw = method === 'GET' || method === 'DELETE' ? '' : await readBody(request);
  if (raw.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    return parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function faultsRoute(deps: TestApiDeps, response: ServerResponse, method: string, body: Record<string, unknown>): boolean {
  const { faults } = deps;
  if (method === 'GET') sendJson(response, 200, { faults: faults.list() });
  else if (method === 'DELETE') {
    faults.clear();
    sendJson(response, 200, { faults: [] });
  } else if (method === 'POST') {
    const path = body['path'];
    const mode = parseFaultMode(body['mode']);
    const times = body['times'] ?? 1;
    if (typeof path !== 'string' || !path.startsWith('/')) introspectionError(response, 400, 'path must be a path such as /v2/checkout/create');
    else if (mode === undefined) {
      introspectionError(response, 400, 'mode must be drop_after_commit, drop_before_commit, unknown_error, throttle or {"delay_ms": D}');
    } else if (typeof times !== 'number' || !Number.isInteger(times) || times < 1) introspectionError(response, 400, 'times must be a positive integer');
    else {
      faults.arm(path, mode, times);
      sendJson(response, 201, { faults: faults.list() });
    }
  } else return false;
  return true;
}

export async function handleTestApi(deps: TestApiDeps, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const { store, calls, ipn, throttle, settings } = deps;
  const method = request.method ?? 'GET';
  const route = url.pathname;
  const body = await jsonObjectBody(request, method);
  if (body === undefined) return introspectionError(response, 400, 'the body must be a JSON object');

  if (route === '/__sandbox/health' && method === 'GET') return sendJson(response, 200, { status: 'ok' });

  if (route === '/__sandbox/calls') {
    if (method === 'GET') return sendJson(response, 200, { calls: calls.list(url.searchParams.get('path')) });
    if (method === 'DELETE') {
      calls.clear();
      return sendJson(response, 200, { calls: [] });
    }
  }

  if (route === '/__sandbox/faults' && faultsRoute(deps, response, method, body)) return;

  if (method === 'GET') {
    if (route === '/__sandbox/checkouts') return sendJson(response, 200, listCheckouts(deps, url.searchParams.get('short_description')));
    if (route === '/__sandbox/accounts') return sendJson(response, 200, listAccounts(deps));
    if (route === '/__sandbox/users') return sendJson(response, 200, listUsers(deps));
  }

  const checkout = /^\/__sandbox\/checkouts\/(\d{1,15})(\/state)?$/.exec(route);
  if (checkout && checkoutRoute(deps, response, method, Number(checkout[1]), Boolean(checkout[2]), body)) return;

  if (route === '/__sandbox/ipns' && method === 'GET') {
    const checkoutId = url.searchParams.get('checkout_id');
    const deliveries = checkoutId === null ? ipn.deliveries : ipn.deliveries.filter((d) => String(d.checkout_id) === checkoutId);
    return sendJson(response, 200, { ipns: deliveries, pending: [...store.pendingIpns.values()] });
  }

  if (route === '/__sandbox/tokens/revoke' && method === 'POST') {
    const token = body['access_token'];
    const digest = typeof token === 'string' ? tokenDigest(token) : undefined;
    const record = digest === undefined ? undefined : store.tokens.get(digest);
    if (!digest || !record) return introspectionError(response, 404, 'no such access_token');
    store.tokens.set(digest, { ...record, revoked: true });
    return sendJson(response, 200, { revoked: true });
  }

  if (route === '/__sandbox/config') {
    if (method === 'POST') {
      const refused = applySettings(settings, throttle, body);
      if (refused !== undefined) return introspectionError(response, 400, refused);
    }
    if (method === 'POST' || method === 'GET') return sendJson(response, 200, { throttle: throttle.current, ...settings });
  }

  return introspectionError(response, 404, `no sandbox route ${method} ${route}`);
}
