// POST /v1/merchants and GET /v1/merchants/{id} over HTTP, against the local
// runtime and its provider sandbox, exactly as the API contract describes them: the one
// /v2/user/register per merchant user with the full scope list, one more
// /v2/account/create per call, the account-name rules, roles, validation,
// ownership, and a retry after an onboarding that failed halfway.
import { rmSync } from 'node:fs';
import { expectApiError, type Reply } from '../../support/api-expectations.ts';
import { collectLogs, expectLogsFreeOfSecrets, knownSecretsOf, type LogCollector } from '../../support/secret-scan.ts';
import { onboardingBody, startMerchantHarness, type MerchantHarness } from './merchants-harness.ts';

// WePay v2 has no custom scopes any more, and /user/register is the only chance to ask for these.
const fullScopeList = ['manage_accounts', 'collect_payments', 'view_user', 'preapprove_payments', 'send_money'];

let h: MerchantHarness;
let logs: LogCollector;

beforeAll(async () => {
  logs = collectLogs();
  h = await startMerchantHarness({ log: logs.log });
});
afterAll(async () => {
  await h?.close();
  logs?.stop();
  if (h) rmSync(h.api.dataDir, { recursive: true, force: true });
});

const onboard = (token: string, body: unknown) => h.call('POST', '/v1/merchants', { token, body });
const getAccount = (token: string, id: string) => h.call('GET', `/v1/merchants/${encodeURIComponent(id)}`, { token });
const registerExchangesFor = (email: string) => h.proxy.exchanges('/v2/user/register').filter((e) => e.request.email === email);
const providerCallCount = () => h.proxy.calls.length;

function expectAccountObject(reply: Reply, expected: { name: string; owner: string }): void {
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(reply.body).sort()).toEqual(['created_at', 'id', 'name', 'owner', 'state', 'statement_descriptor']);
  expect(reply.body).toEqual({
    id: expect.stringMatching(/^acc_[A-Za-z0-9_-]+$/),
    name: expected.name,
    statement_descriptor: `WPY*${expected.name}`,
    state: 'active',
    owner: expected.owner,
    created_at: expect.any(String),
  });
  expect(new Date(reply.body.created_at).toISOString()).toBe(reply.body.created_at);
}

describe('POST /v1/merchants', () => {
  it("onboards the caller: 201 with exactly the API's account object, owned by the caller's sub", async () => {
    const merchant = h.newUser(['merchant']);
    const reply = await onboard(merchant.token, onboardingBody('Blue Bottle Cafe'));
    expect(reply.status).toBe(201);
    expectAccountObject(reply, { name: 'Blue Bottle Cafe', owner: merchant.sub });
    expect(Date.now() - Date.parse(reply.body.created_at)).toBeLessThan(10 * 60_000);
  });

  it('registers the user once with the full scope list in that call, then creates the account with the token it got', async () => {
    const merchant = h.newUser(['merchant']);
    const body = onboardingBody('Ritual Roasters');
    const before = providerCallCount();
    const reply = await onboard(merchant.token, body);
    expect(reply.status).toBe(201);

    const calls = h.proxy.calls.slice(before);
    expect(calls.map((c) => c.path)).toEqual(['/v2/user/register', '/v2/account/create']);
    const [register] = registerExchangesFor(body.email);
    expect(registerExchangesFor(body.email)).toHaveLength(1);
    expect(register!.status).toBe(200);
    expect(String(register!.request.scope).split(',').sort()).toEqual([...fullScopeList].sort());
    expect(register!.request).toMatchObject({ email: body.email, first_name: 'Ada', last_name: 'Lovelace' });
    expect(register!.request.original_ip).toEqual(expect.any(String));
    expect(register!.request.original_device).toEqual(expect.any(String));
    expect(register!.request.tos_acceptance_time).toEqual(expect.any(Number));

    const accountCreate = h.proxy.exchanges('/v2/account/create').at(-1)!;
    expect(accountCreate.authorization).toBe(`Bearer ${String(register!.response!.access_token)}`);
    expect(accountCreate.request).toMatchObject({ name: 'Ritual Roasters', description: 'Coffee' });
    expect(accountCreate.response).toMatchObject({ name: 'Ritual Roasters', state: 'active' });
  });

  it('a second POST by the same user creates a second account, and registers no second provider user (even with another email)', async () => {
    const merchant = h.newUser(['merchant']);
    const first = onboardingBody('Four Barrel Coffee');
    const registersBefore = (await h.sandboxCalls('/v2/user/register')).length;

    const one = await onboard(merchant.token, first);
    const two = await onboard(merchant.token, onboardingBody('Four Barrel Bakery', first.email));
    const three = await onboard(merchant.token, onboardingBody('Four Barrel Deli'));
    for (const reply of [one, two, three]) expect(reply.status).toBe(201);
    expectAccountObject(two, { name: 'Four Barrel Bakery', owner: merchant.sub });
    expect(new Set([one.body.id, two.body.id, three.body.id]).size).toBe(3);

    expect((await h.sandboxCalls('/v2/user/register')).length - registersBefore).toBe(1);
    expect(registerExchangesFor(first.email)).toHaveLength(1);
    const accountCreates = h.proxy.exchanges('/v2/account/create').slice(-3);
    expect(accountCreates.map((e) => e.request.name)).toEqual(['Four Barrel Coffee', 'Four Barrel Bakery', 'Four Barrel Deli']);
    // All three accounts belong to the one provider user.
    expect(new Set(accountCreates.map((e) => e.response?.owner_user_id)).size).toBe(1);
    for (const reply of [one, two, three]) expect((await getAccount(merchant.token, reply.body.id)).status).toBe(200);
  });
});

describe('account-name rules', () => {
  it.each([
    ['a UUID fragment', '550e8400-e29b Coffee'],
    ['a digit run', '12345678 Store'],
    ['fewer than 3 letters', 'XY'],
    ['a hex run', 'a1b2c3d4e5f6 Bakery'],
    ['a hex literal', '0xdeadbeef Cafe'],
    ['a date-like digit run', '2024-05-01 Sale'],
  ])('%s in the first 14 characters ("%s") is 400 account_name_unrecognizable, before any provider call', async (_why, name) => {
    const merchant = h.newUser(['merchant']);
    const before = providerCallCount();
    const reply = await onboard(merchant.token, onboardingBody(name));
    expectApiError(reply, { status: 400, type: 'invalid_request', code: 'account_name_unrecognizable', param: 'account.name' });
    expect(providerCallCount()).toBe(before);
  });

  it.each(['My WePay Shop', 'WEPAY', 'thewepaystore', 'Ｗｅｐａｙ Cafe'])(
    'a name containing "wepay" in any case ("%s") is 400 account_name_invalid, before any provider call',
    async (name) => {
      const merchant = h.newUser(['merchant']);
      const before = providerCallCount();
      const reply = await onboard(merchant.token, onboardingBody(name));
      expectApiError(reply, { status: 400, type: 'invalid_request', code: 'account_name_invalid', param: 'account.name' });
      expect(providerCallCount()).toBe(before);
    },
  );

  it.each([
    ['a reference id after the first 14 characters', 'Blue Bottle Cafe 550e8400-e29b-41d4'],
    ['a year', 'Since 1987 Bakery'],
    ['a short number', 'Cafe 24'],
  ])('%s is accepted: "%s"', async (_why, name) => {
    const merchant = h.newUser(['merchant']);
    const reply = await onboard(merchant.token, onboardingBody(name));
    expect(reply.status).toBe(201);
    expectAccountObject(reply, { name, owner: merchant.sub });
  });

  it('surrounding whitespace is trimmed from the name and its statement descriptor', async () => {
    const merchant = h.newUser(['merchant']);
    const reply = await onboard(merchant.token, onboardingBody('  Sightglass Coffee  '));
    expect(reply.status).toBe(201);
    expectAccountObject(reply, { name: 'Sightglass Coffee', owner: merchant.sub });
  });
});

describe('roles and validation', () => {
  it.each([
    ['a payer', ['payer']],
    ['an ops', ['ops']],
  ])('%s token is 403 permission_denied, and nothing reaches the provider', async (_role, groups) => {
    const user = h.newUser(groups);
    const before = providerCallCount();
    const reply = await onboard(user.token, onboardingBody('Blue Bottle Cafe'));
    expectApiError(reply, { status: 403, type: 'permission_error', code: 'permission_denied' });
    expect(providerCallCount()).toBe(before);
  });

  it('no bearer token is 401 authentication_required', async () => {
    const reply = await h.call('POST', '/v1/merchants', { body: onboardingBody('Blue Bottle Cafe') });
    expectApiError(reply, { status: 401, type: 'authentication_error', code: 'authentication_required' });
  });

  const valid = onboardingBody('Blue Bottle Cafe', 'owner@example.com');
  it.each<[string, string, string, unknown]>([
    ['an unknown top-level field', 'unknown_parameter', 'phone', { ...valid, phone: '555' }],
    ['an unknown account field', 'unknown_parameter', 'account.country', { ...valid, account: { ...valid.account, country: 'US' } }],
    ['no email', 'parameter_missing', 'email', { first_name: 'Ada', last_name: 'Lovelace', account: valid.account }],
    ['an email that is not one', 'parameter_invalid', 'email', { ...valid, email: 'not-an-email' }],
    ['no account name', 'parameter_missing', 'account.name', { ...valid, account: { description: 'Coffee' } }],
    ['an empty first name', 'parameter_invalid', 'first_name', { ...valid, first_name: '' }],
  ])('%s is 400 %s (param %s), and nothing reaches the provider', async (_case, code, param, body) => {
    const merchant = h.newUser(['merchant']);
    const before = providerCallCount();
    const reply = await onboard(merchant.token, body);
    expectApiError(reply, { status: 400, type: 'invalid_request', code, param });
    expect(providerCallCount()).toBe(before);
  });
});

describe('GET /v1/merchants/{id}', () => {
  let owner: { sub: string; token: string };
  let created: Reply;
  beforeAll(async () => {
    owner = h.newUser(['merchant']);
    created = await onboard(owner.token, onboardingBody('Equator Coffees'));
    expect(created.status).toBe(201);
  });

  it('the owner gets 200 and the same account object as the 201', async () => {
    const reply = await getAccount(owner.token, created.body.id);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(created.body);
  });

  it('ops gets 200 and the same account object', async () => {
    const reply = await getAccount(h.api.dev.tokens.ops, created.body.id);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(created.body);
  });

  it("another merchant gets 404 resource_missing, the same answer as for an id that does not exist", async () => {
    const other = h.newUser(['merchant']);
    expect((await onboard(other.token, onboardingBody('Other Coffee Co'))).status).toBe(201);
    const foreign = await getAccount(other.token, created.body.id);
    expectApiError(foreign, { status: 404, type: 'not_found', code: 'resource_missing', param: 'id' });
    const missing = await getAccount(other.token, 'acc_doesnotexist000000000');
    expectApiError(missing, { status: 404, type: 'not_found', code: 'resource_missing', param: 'id' });
    expect(foreign.body.error.message.replace(created.body.id, '<id>')).toBe(missing.body.error.message.replace('acc_doesnotexist000000000', '<id>'));
    // The demo merchant (the dev.json merchant user) does not see it either.
    expectApiError(await getAccount(h.api.dev.tokens.merchant, created.body.id), { status: 404, type: 'not_found', code: 'resource_missing', param: 'id' });
  });

  it('a payer gets 404 resource_missing, whether or not the account exists (anyone but the owner and ops)', async () => {
    for (const id of [created.body.id, 'acc_doesnotexist000000000']) {
      expectApiError(await getAccount(h.api.dev.tokens.payer, id), { status: 404, type: 'not_found', code: 'resource_missing', param: 'id' });
    }
  });

  it('a merchant token with the payer role too is still only its owner or not: 404 for someone else', async () => {
    const both = h.newUser(['payer', 'merchant']);
    expectApiError(await getAccount(both.token, created.body.id), { status: 404, type: 'not_found', code: 'resource_missing', param: 'id' });
  });

  it('an unknown id is 404 resource_missing for ops too', async () => {
    expectApiError(await getAccount(h.api.dev.tokens.ops, 'acc_doesnotexist000000000'), { status: 404, type: 'not_found', code: 'resource_missing', param: 'id' });
  });

  it('no bearer token is 401 authentication_required', async () => {
    expectApiError(await h.call('GET', `/v1/merchants/${created.body.id}`), { status: 401, type: 'authentication_error', code: 'authentication_required' });
  });
});

describe('one provider user per user', () => {
  it("another user posting the demo merchant's email (any letter case) is 409 email_in_use, and nothing reaches the provider", async () => {
    const intruder = h.newUser(['merchant']);
    const before = providerCallCount();
    for (const email of ['demo-merchant@example.com', 'Demo-Merchant@EXAMPLE.com']) {
      const reply = await onboard(intruder.token, { ...onboardingBody('Intruder Coffee'), email });
      expectApiError(reply, { status: 409, type: 'invalid_request', code: 'email_in_use', param: 'email' });
    }
    expect(providerCallCount()).toBe(before);
    expect((await h.call('GET', '/v1/merchants', { token: intruder.token })).body).toEqual({ data: [], next_cursor: null });
  });

  it('the first user of an email keeps it: a second user is refused, the first can add accounts', async () => {
    const first = h.newUser(['merchant']);
    const second = h.newUser(['merchant']);
    const body = onboardingBody('Sightglass Coffee');
    expect((await onboard(first.token, body)).status).toBe(201);
    expectApiError(await onboard(second.token, onboardingBody('Sightglass Two', body.email)), { status: 409, type: 'invalid_request', code: 'email_in_use', param: 'email' });
    expect((await onboard(first.token, onboardingBody('Sightglass Bakery', body.email))).status).toBe(201);
  });
});

describe('GET /v1/merchants', () => {
  let owner: { sub: string; token: string };
  const ids: string[] = [];
  beforeAll(async () => {
    owner = h.newUser(['merchant']);
    for (const name of ['Linea Caffe', 'Linea Bakery', 'Linea Deli']) {
      const reply = await onboard(owner.token, onboardingBody(name));
      expect(reply.status).toBe(201);
      ids.push(reply.body.id);
    }
  });
  const list = (token: string, query = '') => h.call('GET', `/v1/merchants${query}`, { token });

  it('a merchant sees the accounts they own, newest first, a page at a time', async () => {
    const first = await list(owner.token, '?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.data.map((a: { id: string }) => a.id)).toEqual([ids[2], ids[1]]);
    expectAccountObject({ ...first, body: first.body.data[0] }, { name: 'Linea Deli', owner: owner.sub });
    const second = await list(owner.token, `?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body).toEqual({ data: [expect.objectContaining({ id: ids[0] })], next_cursor: null });
  });

  it('ops sees every account, the newest first', async () => {
    const reply = await list(h.api.dev.tokens.ops, '?limit=100');
    expect(reply.status).toBe(200);
    const seen = reply.body.data.map((a: { id: string }) => a.id);
    expect(seen.slice(0, 3)).toEqual([...ids].reverse());
    expect(seen).toContain(h.api.dev.account_id);
  });

  it('another merchant sees none of them; a payer is 403 permission_denied', async () => {
    const other = h.newUser(['merchant']);
    expect((await list(other.token)).body).toEqual({ data: [], next_cursor: null });
    expectApiError(await list(h.api.dev.tokens.payer), { status: 403, type: 'permission_error', code: 'permission_denied' });
  });

  it.each([
    ['a cursor this listing did not return', '?cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['a cursor of the ops listing', 'other', 'cursor'],
    ['limit 0', '?limit=0', 'limit'],
    ['limit 101', '?limit=101', 'limit'],
  ])('%s is 400 parameter_invalid', async (_what, query, param) => {
    let path = query;
    if (query === 'other') {
      const ops = await list(h.api.dev.tokens.ops, '?limit=1');
      path = `?cursor=${ops.body.next_cursor}`;
    }
    expectApiError(await list(owner.token, path), { status: 400, type: 'invalid_request', code: 'parameter_invalid', param });
  });
});

describe('retry after an onboarding that failed halfway (user registered, account not created)', () => {
  afterEach(() => h.clearFaults());

  it.each([
    ['the unknown error (1008)', 'unknown_error'],
    ['a connection dropped before the call took effect', 'drop_before_commit'],
  ])('/v2/account/create failing with %s: 503 provider_unavailable, then the retry creates the account without a second /v2/user/register', async (_why, mode) => {
    const merchant = h.newUser(['merchant']);
    const body = onboardingBody('Verve Coffee Roasters');
    const registersBefore = (await h.sandboxCalls('/v2/user/register')).length;
    const accountCreatesBefore = (await h.sandboxCalls('/v2/account/create')).length;
    await h.armFault('/v2/account/create', mode, 1);

    const failed = await onboard(merchant.token, body);
    expectApiError(failed, { status: 503, type: 'provider_error', code: 'provider_unavailable' });
    expect(Number(failed.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(registerExchangesFor(body.email)).toHaveLength(1);
    // /account/create is not idempotent at the provider: the client tried it once, and it did not take effect.
    const attempted = (await h.sandboxCalls('/v2/account/create')).slice(accountCreatesBefore);
    expect(attempted).toHaveLength(1);
    expect(attempted[0]!.fault).toBe(mode);

    await h.clearFaults();
    const retried = await onboard(merchant.token, body);
    expect(retried.status).toBe(201);
    expectAccountObject(retried, { name: 'Verve Coffee Roasters', owner: merchant.sub });
    expect((await getAccount(merchant.token, retried.body.id)).body).toEqual(retried.body);

    expect((await h.sandboxCalls('/v2/user/register')).length - registersBefore).toBe(1);
    expect(registerExchangesFor(body.email)).toHaveLength(1);
    // The retry used the token of the one registered user.
    const [register] = registerExchangesFor(body.email);
    expect(h.proxy.exchanges('/v2/account/create').at(-1)!.authorization).toBe(`Bearer ${String(register!.response!.access_token)}`);
  });
});

describe('the logs of this file', () => {
  it('hold no access token, client secret, bearer token or card number (and there were logs)', async () => {
    expect(h.providerAccessTokens().length).toBeGreaterThan(1);
    expectLogsFreeOfSecrets(logs, await knownSecretsOf(h.api.dataDir, h.providerAccessTokens()), 50);
    // Both the handlers' Powertools lines and the gateway's lines were collected.
    expect(logs.text()).toContain('"message":"request completed"');
    expect(logs.text()).toContain('POST /v1/merchants → 201');
  });
});
