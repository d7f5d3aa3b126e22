import { app, FULL_SCOPE, newMerchant, post, registration, send, startHarness, type Harness } from './sandbox-harness.ts';

let harness: Harness;
let url: string;
beforeAll(async () => {
  harness = await startHarness();
  url = harness.sandbox.url;
});
afterAll(() => harness.sandbox.close());

describe('/v2/user/register', () => {
  it('returns a user id and a BEARER access token that never expires', async () => {
    const reply = await post(url, '/v2/user/register', registration());
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      user_id: expect.any(Number),
      access_token: expect.any(String),
      token_type: 'BEARER',
      expires_in: null,
    });
  });

  it('requires the full scope list, answering invalid_scope otherwise', async () => {
    const reply = await post(url, '/v2/user/register', registration({ scope: 'manage_accounts,collect_payments' }));
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ error: 'invalid_scope', error_description: expect.any(String), error_code: 1003 });
  });

  it('accepts the scopes in any order', async () => {
    const reversed = FULL_SCOPE.split(',').reverse().join(',');
    expect((await post(url, '/v2/user/register', registration({ scope: reversed }))).status).toBe(200);
  });

  it('rejects a wrong client secret with invalid_client', async () => {
    const reply = await post(url, '/v2/user/register', registration({ client_secret: 'not-it' }));
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ error: 'invalid_client', error_code: 1006 });
  });

  it('reports a missing parameter with 1004', async () => {
    const params = registration();
    delete params['tos_acceptance_time'];
    const reply = await post(url, '/v2/user/register', params);
    expect(reply.body).toMatchObject({ error: 'invalid_request', error_code: 1004 });
  });

  it('registers an email once: a repeat gives the same user a new, also valid token', async () => {
    const first = await post(url, '/v2/user/register', registration({ email: 'same@example.com' }));
    const second = await post(url, '/v2/user/register', registration({ email: 'same@example.com' }));
    expect(second.body.user_id).toBe(first.body.user_id);
    expect(second.body.access_token).not.toBe(first.body.access_token);
    expect((await post(url, '/v2/user', {}, first.body.access_token)).body.user_id).toBe(first.body.user_id);
    expect((await post(url, '/v2/user', {}, second.body.access_token)).body.user_id).toBe(first.body.user_id);
  });
});

describe('/v2/account/create and /v2/account', () => {
  it('creates an active account owned by the token user and fetches it', async () => {
    const registered = await post(url, '/v2/user/register', registration());
    const token = registered.body.access_token;
    const created = await post(url, '/v2/account/create', { name: 'Blue Bottle Cafe', description: 'Coffee', reference_id: 'm-1' }, token);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      account_id: expect.any(Number),
      name: 'Blue Bottle Cafe',
      description: 'Coffee',
      reference_id: 'm-1',
      state: 'active',
      owner_user_id: registered.body.user_id,
    });
    const fetched = await post(url, '/v2/account', { account_id: created.body.account_id }, token);
    expect(fetched.body).toEqual(created.body);
  });

  it.each(['WePay Coffee', 'my wepay shop', 'WEPAY'])('rejects the name %j (it contains "wepay")', async (name) => {
    const { token } = await newMerchant(url);
    const reply = await post(url, '/v2/account/create', { name, description: 'Coffee' }, token);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: 'invalid_request', error_code: 1003 });
  });

  it("refuses another user's account with access_denied", async () => {
    const owner = await newMerchant(url);
    const stranger = await newMerchant(url);
    const reply = await post(url, '/v2/account', { account_id: owner.accountId }, stranger.token);
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ error: 'access_denied', error_code: 1006 });
  });

  it("lets the app's own token read any account", async () => {
    const owner = await newMerchant(url);
    const reply = await post(url, '/v2/account', { account_id: owner.accountId }, app.accessToken);
    expect(reply.status).toBe(200);
    expect(reply.body.account_id).toBe(owner.accountId);
  });
});

describe('bearer tokens', () => {
  it('answers a call without Authorization with 1002', async () => {
    const reply = await post(url, '/v2/account/create', { name: 'Cafe', description: 'x' });
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ error: 'access_denied', error_code: 1002 });
  });

  it('answers an unknown token with 1006', async () => {
    const reply = await post(url, '/v2/account/create', { name: 'Cafe', description: 'x' }, 'STAGE_not-a-token');
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ error: 'access_denied', error_description: expect.any(String), error_code: 1006 });
  });

  it('answers a revoked token with 1011', async () => {
    const merchant = await newMerchant(url);
    const revoked = await post(url, '/__sandbox/tokens/revoke', { access_token: merchant.token });
    expect(revoked.status).toBe(200);
    const reply = await post(url, '/v2/account', { account_id: merchant.accountId }, merchant.token);
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ error: 'access_denied', error_code: 1011 });
  });
});

describe('requests', () => {
  it('answers an unparseable body with 1005', async () => {
    const reply = await send(url, 'POST', '/v2/account', '{not json', app.accessToken);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: 'invalid_request', error_code: 1005 });
  });

  it('answers an unknown call with 1001', async () => {
    const reply = await post(url, '/v2/preapproval/create', {}, app.accessToken);
    expect(reply.body).toMatchObject({ error: 'invalid_request', error_code: 1001 });
  });

  it('never writes access tokens or secrets to its log', async () => {
    const merchant = await newMerchant(url);
    const everything = harness.logLines.join('\n');
    expect(everything).not.toContain(merchant.token);
    expect(everything).not.toContain(app.clientSecret);
    expect(everything).not.toContain(app.accessToken);
  });
});
