// The audit trail end to end on the local runtime: a table-driven test over the
// route table (every audited route must have a scenario here, so a new write
// route without one fails), refusals by the authorizer, replays, the routes that
// are not audited, IPN changes as provider:wepay, secret scans of every record,
// and the ops listing's filters and cursor.
import { waitFor } from '../../support/wait-for.ts';
import { jest } from '@jest/globals';
import { routes, type RouteDefinition } from '#functions/routes.ts';
import { isAuditedRoute } from '#functions/http/audit.ts';
import { expectApiError } from '../../support/api-expectations.ts';
import type { Reply } from '../../support/api-expectations.ts';
import { expectNoSecrets, knownSecretsOf } from '../../support/secret-scan.ts';
import { newUniqueId, startCheckoutHarness, type CheckoutHarness } from '../checkouts/checkout-harness.ts';

interface AuditEvent {
  id: string;
  at: string;
  action: string;
  actor: { sub: string | null; roles: string[]; mandate_id: string | null; ip: string | null; user_agent: string | null };
  resource: { type: string; id: string | null };
  request_id: string | null;
  status: number | null;
}

let h: CheckoutHarness;
const userAgent = 'audit-test/1.0';
/** Strings sent in request bodies: none may reach a record. */
const bodyMarkers = ['Audit marker reason', 'audit-owner@example.com', 'Marker Coffee Roasters'];

beforeAll(async () => {
  // The scheduled pass would run every 60 ms at this time scale and hold the pass lease; the
  // reconciliations.create scenario runs its own.
  process.env.RECONCILE_INTERVAL_SECONDS = '86400000';
  h = await startCheckoutHarness({ sandbox: { timeScale: 0.0002 } });
});
afterAll(async () => {
  await h.close();
  delete process.env.RECONCILE_INTERVAL_SECONDS;
});


const ops = () => h.as(h.dev.tokens.ops);
const send = (method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) =>
  h.call(method, path, { ...(token === undefined ? {} : { token }), ...(body === undefined ? {} : { body }), headers: { 'User-Agent': userAgent, ...headers } });

async function listAll(query: string): Promise<AuditEvent[]> {
  const all: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const reply = await ops().call('GET', `/v1/audit_events?limit=100${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(reply.status).toBe(200);
    all.push(...(reply.body.data as AuditEvent[]));
    cursor = reply.body.next_cursor as string | null;
  } while (cursor !== null);
  return all;
}

/** The records of one request, by its X-Request-Id, among its action's. */
async function recordsOf(reply: Reply, action: string): Promise<AuditEvent[]> {
  const requestId = reply.headers['x-request-id'];
  expect(requestId).toMatch(/^req_/);
  return (await listAll(`&action=${encodeURIComponent(action)}`)).filter((r) => r.request_id === requestId);
}

async function newCheckout(): Promise<{ id: string; provider: { checkout_id: string } }> {
  const body = h.checkoutBody(newUniqueId('audit'), {
    payment_method: { type: 'credit_card', credit_card: { id: h.dev.credit_card_ids.success, auto_capture: false } },
  });
  const reply = await h.createCheckout(body);
  expect(reply.status).toBe(201);
  return reply.body;
}

interface Scenario {
  /** Makes the request; returns the reply and what its record must say. */
  run(): Promise<{ reply: Reply; sub: string | null; roles: string[]; resource: { type: string; id: string | null }; status: number }>;
}

// One per audited route. A route the route table adds as audited without a scenario here fails below.
const scenarios: Record<string, Scenario> = {
  'merchants.create': {
    run: async () => {
      const reply = await send('POST', '/v1/merchants', await h.mint(newMerchantSub, ['merchant']), {
        email: bodyMarkers[1], first_name: 'Ada', last_name: 'Lovelace', account: { name: bodyMarkers[2], description: 'Coffee' },
      });
      expect(reply.status).toBe(201);
      return { reply, sub: newMerchantSub, roles: ['merchant'], resource: { type: 'merchant_account', id: reply.body.id }, status: 201 };
    },
  },
  'checkouts.create': {
    run: async () => {
      const reply = await send('POST', '/v1/checkouts', h.dev.tokens.payer, h.checkoutBody(newUniqueId('create')));
      expect(reply.status).toBe(201);
      return { reply, sub: await h.subOf('payer'), roles: ['payer'], resource: { type: 'checkout', id: reply.body.id }, status: 201 };
    },
  },
  'checkouts.capture': {
    run: async () => {
      const checkout = await newCheckout();
      const reply = await send('POST', `/v1/checkouts/${checkout.id}/capture`, h.dev.tokens.merchant, { unique_id: newUniqueId('capture') });
      expect(reply.status).toBe(200);
      return { reply, sub: await h.subOf('merchant'), roles: ['merchant'], resource: { type: 'checkout', id: checkout.id }, status: 200 };
    },
  },
  'checkouts.cancel': {
    run: async () => {
      const checkout = await newCheckout();
      const reply = await send('POST', `/v1/checkouts/${checkout.id}/cancel`, h.dev.tokens.ops, { unique_id: newUniqueId('cancel'), reason: bodyMarkers[0] });
      expect(reply.status).toBe(200);
      return { reply, sub: await h.subOf('ops'), roles: ['ops'], resource: { type: 'checkout', id: checkout.id }, status: 200 };
    },
  },
  'checkouts.refund': {
    run: async () => {
      const checkout = await newCheckout();
      expect((await send('POST', `/v1/checkouts/${checkout.id}/capture`, h.dev.tokens.merchant, { unique_id: newUniqueId('cap') })).status).toBe(200);
      const reply = await send('POST', `/v1/checkouts/${checkout.id}/refund`, h.dev.tokens.merchant, { unique_id: newUniqueId('refund'), reason: bodyMarkers[0], amount: 100 });
      expect(reply.status).toBe(200);
      return { reply, sub: await h.subOf('merchant'), roles: ['merchant'], resource: { type: 'checkout', id: checkout.id }, status: 200 };
    },
  },
  'mandates.create': {
    run: async () => {
      const reply = await send('POST', '/v1/mandates', h.dev.tokens.payer, mandateBody());
      expect(reply.status).toBe(201);
      return { reply, sub: await h.subOf('payer'), roles: ['payer'], resource: { type: 'mandate', id: reply.body.id }, status: 201 };
    },
  },
  'mandates.revoke': {
    run: async () => {
      const mandate = await send('POST', '/v1/mandates', h.dev.tokens.payer, mandateBody());
      const reply = await send('POST', `/v1/mandates/${mandate.body.id}/revoke`, h.dev.tokens.payer, {});
      expect(reply.status).toBe(200);
      return { reply, sub: await h.subOf('payer'), roles: ['payer'], resource: { type: 'mandate', id: mandate.body.id }, status: 200 };
    },
  },
  'reconciliations.create': {
    run: async () => {
      const reply = await send('POST', '/v1/reconciliations', h.dev.tokens.ops, {});
      expect(reply.status).toBe(200);
      return { reply, sub: await h.subOf('ops'), roles: ['ops'], resource: { type: 'reconciliation', id: null }, status: 200 };
    },
  },
  'webhook_endpoints.create': {
    run: async () => {
      const reply = await send('POST', '/v1/webhook_endpoints', h.dev.tokens.ops, { url: 'http://127.0.0.1:9/audit-hook', events: ['*'] });
      expect(reply.status).toBe(201);
      return { reply, sub: await h.subOf('ops'), roles: ['ops'], resource: { type: 'webhook_endpoint', id: reply.body.id }, status: 201 };
    },
  },
  'webhook_endpoints.rotate_secret': {
    run: async () => {
      const endpoint = await send('POST', '/v1/webhook_endpoints', h.dev.tokens.ops, { url: 'http://127.0.0.1:9/rotate', events: ['*'] });
      const reply = await send('POST', `/v1/webhook_endpoints/${endpoint.body.id}/rotate_secret`, h.dev.tokens.ops, {});
      expect(reply.status).toBe(200);
      return { reply, sub: await h.subOf('ops'), roles: ['ops'], resource: { type: 'webhook_endpoint', id: endpoint.body.id }, status: 200 };
    },
  },
  'webhook_endpoints.delete': {
    run: async () => {
      const endpoint = await send('POST', '/v1/webhook_endpoints', h.dev.tokens.ops, { url: 'http://127.0.0.1:9/delete', events: ['*'] });
      const reply = await send('DELETE', `/v1/webhook_endpoints/${endpoint.body.id}`, h.dev.tokens.ops);
      expect(reply.status).toBe(200);
      return { reply, sub: await h.subOf('ops'), roles: ['ops'], resource: { type: 'webhook_endpoint', id: endpoint.body.id }, status: 200 };
    },
  },
  'events.redeliver': {
    run: async () => {
      await newCheckout();
      const listed = await waitFor(async () => {
        const page = await ops().call('GET', '/v1/events?limit=1');
        return page.body?.data?.[0] as { id: string } | undefined;
      }, 'an event of a new checkout');
      const reply = await send('POST', `/v1/events/${listed.id}/redeliver`, h.dev.tokens.ops, {});
      expect(reply.status).toBe(200);
      return { reply, sub: await h.subOf('ops'), roles: ['ops'], resource: { type: 'event', id: listed.id }, status: 200 };
    },
  },
};

/** A mandate over the demo account with the success card, valid for 30 days. */
function mandateBody() {
  return {
    agent: { name: 'Audit agent' },
    currency: 'USD',
    per_checkout_max: 5_000,
    total_max: 20_000,
    account_ids: [h.dev.account_id],
    credit_card_id: h.dev.credit_card_ids.success,
    expires_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  };
}

/** A merchant user not yet onboarded. */
const newMerchantSub = 'audit-new-merchant';

const auditedRoutes = (routes as readonly RouteDefinition[]).filter(isAuditedRoute);

describe('every audited route', () => {
  it('is every POST and DELETE of the route table but the fee quote and the IPN', () => {
    const writes = (routes as readonly RouteDefinition[]).filter((r) => (r.method as string) === 'POST' || (r.method as string) === 'DELETE');
    expect(writes.filter((r) => !isAuditedRoute(r)).map((r) => r.id).sort()).toEqual(['fees.quote', 'ipn.wepay']);
  });

  it.each(auditedRoutes.map((r) => [r.id, r] as const))('%s has a scenario here and may write audit records', (_id, route) => {
    expect(Object.keys(scenarios)).toContain(route.id);
    expect(route.uses).toContain('audit:write');
  });

  it.each(auditedRoutes.map((r) => [r.id] as const))('%s leaves exactly one record with its actor, IP, action, resource and status', async (id) => {
    const expected = await scenarios[id]!.run();
    const records = await recordsOf(expected.reply, id);
    expect(records).toHaveLength(1);
    expect(records[0]).toEqual({
      id: expect.stringMatching(/^aud_/),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      action: id,
      actor: { sub: expected.sub, roles: expected.roles, mandate_id: null, ip: '127.0.0.1', user_agent: userAgent },
      resource: expected.resource,
      request_id: expected.reply.headers['x-request-id'],
      status: expected.status,
    });
  });
});

describe('refused and replayed requests', () => {
  it('a request the authorizer refuses (401) is recorded with a null actor, its path id and the 401 answer\'s request id', async () => {
    const checkout = await newCheckout();
    const reply = await send('POST', `/v1/checkouts/${checkout.id}/refund`, 'not-a-token', { unique_id: 'x', reason: bodyMarkers[0] });
    expectApiError(reply, { status: 401, type: 'authentication_error', code: 'token_invalid' });
    expect(reply.body.error.request_id).toBe(reply.headers['x-request-id']);
    const [record, ...others] = await recordsOf(reply, 'checkouts.refund');
    expect(others).toEqual([]);
    expect(record).toMatchObject({
      actor: { sub: null, roles: [], mandate_id: null, ip: '127.0.0.1', user_agent: userAgent },
      resource: { type: 'checkout', id: checkout.id },
      status: 401,
    });
  });

  it('a create without a token is recorded with no resource id', async () => {
    const reply = await send('POST', '/v1/checkouts', undefined, h.checkoutBody(newUniqueId('anon')));
    expect(reply.status).toBe(401);
    const records = await recordsOf(reply, 'checkouts.create');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ actor: { sub: null }, resource: { type: 'checkout', id: null }, status: 401 });
  });

  it('a refused create (400) is recorded with its caller and no resource id; a 403 with its caller', async () => {
    const invalid = await send('POST', '/v1/checkouts', h.dev.tokens.payer, { ...h.checkoutBody(newUniqueId('bad')), amount: -1 });
    expect(invalid.status).toBe(400);
    expect(await recordsOf(invalid, 'checkouts.create')).toEqual([
      expect.objectContaining({ actor: expect.objectContaining({ sub: await h.subOf('payer'), roles: ['payer'] }), resource: { type: 'checkout', id: null }, status: 400 }),
    ]);
    const denied = await send('POST', '/v1/merchants', h.dev.tokens.payer, { email: 'x@example.com', first_name: 'A', last_name: 'B', account: { name: 'Some Shop', description: 'x' } });
    expect(denied.status).toBe(403);
    expect(await recordsOf(denied, 'merchants.create')).toEqual([expect.objectContaining({ status: 403, actor: expect.objectContaining({ sub: await h.subOf('payer') }) })]);
  });

  it('a replay is recorded again, with its own request id and the same resource', async () => {
    const body = h.checkoutBody(newUniqueId('replay'));
    const first = await send('POST', '/v1/checkouts', h.dev.tokens.payer, body);
    const replay = await send('POST', '/v1/checkouts', h.dev.tokens.payer, body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const [firstRecord] = await recordsOf(first, 'checkouts.create');
    const replayRecords = await recordsOf(replay, 'checkouts.create');
    expect(replayRecords).toHaveLength(1);
    expect(replayRecords[0]!.resource).toEqual({ type: 'checkout', id: first.body.id });
    expect(replayRecords[0]!.status).toBe(201);
    expect(replayRecords[0]!.id).not.toBe(firstRecord!.id);
  });
});

describe('what is not audited', () => {
  it('the fee quote, reads, unknown paths, 405s and preflights leave no record', async () => {
    const replies = [
      await send('POST', '/v1/fees/quote', h.dev.tokens.payer, { currency: 'USD', amount: 1000, app_fee: 10 }),
      await send('GET', '/v1/checkouts', h.dev.tokens.payer),
      await send('POST', '/v1/nothing-here', h.dev.tokens.payer, {}),
      await send('DELETE', '/v1/checkouts', h.dev.tokens.payer),
      await send('OPTIONS', '/v1/checkouts', undefined, undefined, { Origin: h.apiUrl, 'Access-Control-Request-Method': 'POST' }),
    ];
    const ids = new Set(replies.map((r) => r.headers['x-request-id']));
    const all = await listAll('');
    expect(ids.size).toBe(replies.length);
    expect(all.filter((r) => ids.has(r.request_id ?? ''))).toEqual([]);
  });
});

describe('changes without a request', () => {
  it('an IPN that changes a checkout is recorded as provider:wepay, checkouts.update, with no connection or status', async () => {
    const checkout = await newCheckout();
    await h.sandbox.setState(checkout.provider.checkout_id, 'captured');
    let records: AuditEvent[] = [];
    for (let attempt = 0; attempt < 400 && records.length === 0; attempt++) {
      records = (await listAll(`&actor=provider:wepay&resource_id=${checkout.id}`));
      if (records.length === 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(records).toEqual([
      {
        id: expect.stringMatching(/^aud_/),
        at: expect.any(String),
        action: 'checkouts.update',
        actor: { sub: 'provider:wepay', roles: [], mandate_id: null, ip: null, user_agent: null },
        resource: { type: 'checkout', id: checkout.id },
        request_id: null,
        status: null,
      },
    ]);
  });
});

describe('records hold no body, token or card data', () => {
  it('even when the path and the user agent carry a card number and a token', async () => {
    const hostile = await send('POST', '/v1/checkouts/4242424242424242/capture', h.dev.tokens.merchant, { unique_id: 'x' }, {
      'User-Agent': `evil ${h.dev.tokens.payer} 4000 0000 0000 0002`,
    });
    const [record] = await recordsOf(hostile, 'checkouts.capture');
    expect(record!.resource.id).not.toContain('4242424242424242');
    const all = await listAll('');
    expect(all.length).toBeGreaterThan(5);
    const text = JSON.stringify(all);
    expectNoSecrets(text, await knownSecretsOf(h.dataDir), 'the audit records');
    for (const marker of bodyMarkers) expect(text).not.toContain(marker);
  });
});

describe('GET /v1/audit_events', () => {
  it('lists newest first, filtered by actor, resource and action, page by page with an opaque cursor', async () => {
    const checkout = await newCheckout();
    for (const action of ['capture', 'refund', 'refund'] as const) {
      await send('POST', `/v1/checkouts/${checkout.id}/${action}`, h.dev.tokens.merchant, { unique_id: newUniqueId(action), ...(action === 'refund' ? { reason: 'r', amount: 100 } : {}) });
    }
    // The sandbox's IPNs about these changes add provider:wepay records at their own pace: compare the requests' records.
    const byResource = await listAll(`&resource_id=${checkout.id}`);
    expect([...byResource.map((r) => r.at)].sort().reverse()).toEqual(byResource.map((r) => r.at));
    const requests = byResource.filter((r) => r.request_id !== null);
    expect(requests.map((r) => r.action)).toEqual(['checkouts.refund', 'checkouts.refund', 'checkouts.capture', 'checkouts.create']);
    expect(byResource.filter((r) => r.request_id === null).every((r) => r.actor.sub === 'provider:wepay')).toBe(true);
    const refunds = await listAll(`&resource_id=${checkout.id}&action=checkouts.refund`);
    expect(refunds.map((r) => r.id)).toEqual(requests.slice(0, 2).map((r) => r.id));
    const merchantSub = await h.subOf('merchant');
    const mine = await listAll(`&resource_id=${checkout.id}&actor=${merchantSub}`);
    expect(mine.map((r) => r.id)).toEqual(requests.slice(0, 3).map((r) => r.id));
    expect((await listAll(`&actor=${merchantSub}`)).every((r) => r.actor.sub === merchantSub)).toBe(true);
    expect((await listAll('&action=checkouts.capture')).every((r) => r.action === 'checkouts.capture')).toBe(true);

    // One at a time: the same records, in the same order, and the last page says null.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const reply = await ops().call('GET', `/v1/audit_events?resource_id=${checkout.id}&actor=${merchantSub}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(reply.body.data.length).toBe(1);
      paged.push(...reply.body.data.map((r: AuditEvent) => r.id));
      cursor = reply.body.next_cursor;
    } while (cursor !== null);
    expect(paged).toEqual(mine.map((r) => r.id));
  });

  it('a bad cursor is 400 parameter_invalid; a cursor from another listing too', async () => {
    expectApiError(await ops().call('GET', '/v1/audit_events?cursor=not-a-cursor'), { status: 400, type: 'invalid_request', code: 'parameter_invalid', param: 'cursor' });
    const page = await ops().call('GET', '/v1/audit_events?limit=1');
    const cursor = page.body.next_cursor as string;
    expect(cursor).toEqual(expect.any(String));
    expectApiError(await ops().call('GET', `/v1/audit_events?action=checkouts.create&cursor=${cursor}`), { status: 400, type: 'invalid_request', code: 'parameter_invalid', param: 'cursor' });
    expectApiError(await ops().call('GET', '/v1/audit_events?limit=101'), { status: 400, type: 'invalid_request', code: 'parameter_invalid', param: 'limit' });
  });

  it('is for ops only: payers and merchants get 403 permission_denied', async () => {
    for (const token of [h.dev.tokens.payer, h.dev.tokens.merchant]) {
      expectApiError(await h.as(token).call('GET', '/v1/audit_events'), { status: 403, type: 'permission_error', code: 'permission_denied' });
    }
  });
});

describe('an agent acting under a mandate', () => {
  it("is audited as the mandate's payer with roles [agent] and the mandate id", async () => {
    const mandate = await send('POST', '/v1/mandates', h.dev.tokens.payer, mandateBody());
    expect(mandate.status).toBe(201);
    const { payment_method: _card, fee: _fee, ...agentBody } = h.checkoutBody(newUniqueId('agent'), { amount: 1_200 });
    const reply = await send('POST', '/v1/checkouts', mandate.body.token, agentBody);
    expect(reply.status).toBe(201);
    const [record, ...others] = await recordsOf(reply, 'checkouts.create');
    expect(others).toEqual([]);
    expect(record).toMatchObject({
      actor: { sub: await h.subOf('payer'), roles: ['agent'], mandate_id: mandate.body.id, ip: '127.0.0.1', user_agent: userAgent },
      resource: { type: 'checkout', id: reply.body.id },
      status: 201,
    });
    expect(JSON.stringify(record)).not.toContain(mandate.body.token);
  });
});
