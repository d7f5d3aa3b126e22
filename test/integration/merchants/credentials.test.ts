// Where the provider's access tokens and the platform's credentials must never
// show up: in the data directory (.local/), in API responses, in logs. The
// recording proxy between the API and the sandbox sees the access tokens the
// sandbox issues (the sandbox itself keeps only their hashes), so the test knows
// exactly what to search for. The flows here are the ones that handle secrets
// and card data: onboarding, checkouts with the dev cards, a raw card number in
// a body, credentials in a query string, bad bearer tokens.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expectApiError } from '../../support/api-expectations.ts';
import {
  collectLogs,
  expectLogsFreeOfSecrets,
  expectNoSecrets,
  findSecrets,
  knownSecretsOf,
  type KnownSecret,
  type LogCollector,
} from '../../support/secret-scan.ts';
import { onboardingBody, startMerchantHarness, type MerchantHarness } from './merchants-harness.ts';

let h: MerchantHarness;
let logs: LogCollector;
let dataDir: string;

beforeAll(async () => {
  logs = collectLogs();
  h = await startMerchantHarness({ log: logs.log });
  dataDir = h.api.dataDir;
});
afterAll(async () => {
  await h?.close();
  logs?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Every file under `dir`, as bytes. */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path: relative(dir, path), bytes: readFileSync(path) }));
}

/**
 * The byte strings that would reveal a token in a file: the token, its base64
 * and hex encodings (encoded is not encrypted), and each 16-character piece of
 * it, because LevelDB compresses its tables with Snappy, which may store a
 * repeated prefix (such as the sandbox's `STAGE_`) as a back-reference.
 */
function revealingForms(token: string): Buffer[] {
  const forms = [token, Buffer.from(token).toString('base64'), Buffer.from(token).toString('base64url'), Buffer.from(token).toString('hex')];
  for (let start = 0; start + 16 <= token.length; start += 16) forms.push(token.slice(start, start + 16));
  forms.push(token.slice(-16));
  return forms.map((form) => Buffer.from(form));
}

const merchantToken = () => h.api.dev.tokens.merchant;

describe('the secret scanner', () => {
  // The later checks pass only when nothing is found, so first show that the scanner finds each kind.
  it('finds JWTs, bearer tokens, known secrets and Luhn-valid card numbers, and names them without printing them', () => {
    const known: KnownSecret[] = [{ label: 'client_secret', value: '0123456789abcdef0123456789abcdef' }];
    const text = [
      `{"authorization":"${h.api.dev.tokens.payer}"}`,
      'Authorization: Bearer STAGE_abcdef0123456789',
      'client secret 0123456789abcdef0123456789abcdef here',
      'card 4242 4242 4242 4242 and 5555-5555-5555-4444 and 378282246310005',
    ].join('\n');
    expect(findSecrets(text, known).map((f) => f.kind).sort()).toEqual(
      ['bearer_token', 'card_number', 'card_number', 'card_number', 'jwt', 'known_secret'].sort(),
    );
    let message = '';
    try {
      expectNoSecrets(text, known, 'a sample');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^6 secret\(s\) in a sample/);
    expect(message).not.toContain('0123456789abcdef0123456789abcdef');
    expect(message).not.toContain(h.api.dev.tokens.payer);
    expect(message).not.toContain('4242');
  });

  it('leaves alone what only looks alike: redaction markers, short ids, timestamps, a non-Luhn 16-digit number, a UUID', () => {
    const text = [
      '"authorization":"[REDACTED]" Bearer [REDACTED] [REDACTED JWT] [REDACTED CARD]',
      'sandbox POST /v2/checkout/create 200 12 ms checkout 123456789',
      '"timestamp":"2026-11-21T00:59:29.415Z" token_type BEARER',
      '4242424242424241',
      // A request id whose UUID holds the Luhn-valid run 12-3456-7890-1237: an id, not a card.
      '"request_id":"req_abcdef12-3456-7890-1237-abcdefabcdef"',
    ].join('\n');
    expect(findSecrets(text, [])).toEqual([]);
    expect(findSecrets('reference 1234-5678-9012-37').map((f) => f.kind)).toEqual(['card_number']);
  });
});

describe('flows that handle secrets and card data', () => {
  it('onboarding: 201, and the provider issued an access token that the response does not carry', async () => {
    const merchant = h.newUser(['merchant']);
    const reply = await h.call('POST', '/v1/merchants', { token: merchant.token, body: onboardingBody('Blue Bottle Cafe') });
    expect(reply.status).toBe(201);
    // The demo merchant at start-up and this one.
    const tokens = h.providerAccessTokens();
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    for (const { value } of tokens) expect(reply.text).not.toContain(value);
  });

  it('checkouts with the dev.json card ids: the one that succeeds gives 201, the declined one 402 card_declined', async () => {
    const base = {
      account_id: h.api.dev.account_id,
      amount: 10400,
      currency: 'USD',
      short_description: 'Two coffees',
      fee: { app_fee: 400, fee_payer: 'payee_from_app' },
    };
    const paid = await h.call('POST', '/v1/checkouts', {
      token: h.api.dev.tokens.payer,
      body: { ...base, unique_id: 'secrets-ok-1', payment_method: { type: 'credit_card', credit_card: { id: h.api.dev.credit_card_ids.success } } },
    });
    expect(paid.status).toBe(201);
    expect(paid.body.state).toBe('authorized');
    const declined = await h.call('POST', '/v1/checkouts', {
      token: h.api.dev.tokens.payer,
      body: { ...base, unique_id: 'secrets-decline-1', payment_method: { type: 'credit_card', credit_card: { id: h.api.dev.credit_card_ids.decline } } },
    });
    expectApiError(declined, { status: 402, type: 'card_error', code: 'card_declined' });
  });

  it.each([
    ['as the card token', { payment_method: { type: 'credit_card', credit_card: { id: '4242424242424242' } } }],
    ['grouped, in a description', { short_description: 'card 4242 4242 4242 4242 exp 12/30', payment_method: { type: 'credit_card', credit_card: { id: '123' } } }],
    ['as a JSON number', { payment_method: { type: 'credit_card', credit_card: { id: 5555555555554444 } } }],
  ])('a raw card number %s is 400 raw_card_data', async (_where, fields) => {
    const reply = await h.call('POST', '/v1/checkouts', {
      token: h.api.dev.tokens.payer,
      body: { unique_id: 'raw-card-1', account_id: h.api.dev.account_id, amount: 1000, currency: 'USD', short_description: 'Coffee', ...fields },
    });
    expectApiError(reply, { status: 400, type: 'invalid_request', code: 'raw_card_data' });
  });

  it('a raw card number in an onboarding body is 400 raw_card_data, and nothing reaches the provider', async () => {
    const merchant = h.newUser(['merchant']);
    const before = h.proxy.calls.length;
    const body = onboardingBody('Blue Bottle Cafe');
    const reply = await h.call('POST', '/v1/merchants', { token: merchant.token, body: { ...body, account: { ...body.account, description: 'Pay to 4000-0000-0000-0002' } } });
    expectApiError(reply, { status: 400, type: 'invalid_request', code: 'raw_card_data' });
    expect(h.proxy.calls.length).toBe(before);
  });

  it("credentials in the query (a merchant's real access token, the real client secret) are 400 credentials_in_url", async () => {
    const [accessToken] = h.providerAccessTokens();
    const known = await knownSecretsOf(dataDir);
    const clientSecret = known.find((s) => s.label === 'client_secret')!.value;
    const cases: [method: string, path: string, token: string | undefined, param: string][] = [
      ['GET', `/v1/merchants/${h.api.dev.account_id}?access_token=${encodeURIComponent(accessToken!.value)}`, merchantToken(), 'access_token'],
      ['POST', `/v1/merchants?Access_Token=${encodeURIComponent(accessToken!.value)}`, merchantToken(), 'access_token'],
      ['GET', `/v1/health?client_secret=${clientSecret}`, undefined, 'client_secret'],
      ['POST', `/v1/fees/quote?token=${encodeURIComponent(h.api.dev.tokens.ops)}`, h.api.dev.tokens.payer, 'token'],
    ];
    for (const [method, path, token, param] of cases) {
      const reply = await h.call(method, path, { ...(token ? { token } : {}), ...(method === 'POST' ? { body: {} } : {}) });
      expectApiError(reply, { status: 400, type: 'invalid_request', code: 'credentials_in_url', param });
    }
  });

  it('bad bearer tokens are 401: a provider access token, a tampered JWT, an expired JWT', async () => {
    const [accessToken] = h.providerAccessTokens();
    const payer = h.api.dev.tokens.payer;
    const tampered = `${payer.slice(0, -6)}${payer.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`;
    const expired = h.issuer.mint({ sub: 'expired-user', groups: ['merchant'], issuedAt: Math.floor(Date.now() / 1000) - 7200, expiresInSeconds: 60 });
    const path = `/v1/merchants/${h.api.dev.account_id}`;
    expectApiError(await h.call('GET', path, { token: accessToken!.value }), { status: 401, type: 'authentication_error', code: 'token_invalid' });
    expectApiError(await h.call('GET', path, { token: tampered }), { status: 401, type: 'authentication_error', code: 'token_invalid' });
    expectApiError(await h.call('GET', path, { token: expired }), { status: 401, type: 'authentication_error', code: 'token_expired' });
  });
});

describe('after the flows', () => {
  it('no API response of this file carried a provider access token or a platform credential', async () => {
    expect(h.replies.length).toBeGreaterThan(10);
    const known = await knownSecretsOf(dataDir, h.providerAccessTokens());
    expectNoSecrets(h.replies.join('\n'), known, 'the API responses');
  });

  it('the collected logs hold no access token, client secret, bearer token or card number (and there were logs)', async () => {
    expectLogsFreeOfSecrets(logs, await knownSecretsOf(dataDir, h.providerAccessTokens()), 20);
    // The flows above were all seen by the logs that were scanned.
    const text = logs.text();
    for (const code of ['raw_card_data', 'credentials_in_url', 'token_invalid', 'token_expired']) expect(text).toContain(`"code":"${code}"`);
    expect(text).toContain('POST /v1/checkouts → 201');
    expect(text).toContain('POST /v1/checkouts → 402');
    expect(text).toContain('POST /v1/merchants → 201');
    expect(text).toContain('sandbox POST /v2/user/register 200');
  });

  it('once the runtime has stopped, no file under the data directory holds a provider access token in any form', async () => {
    const tokens = h.providerAccessTokens();
    const accountIds = h.proxy.exchanges('/v2/account/create').map((e) => e.request.reference_id);
    await h.close(); // flushes dynalite's LevelDB and the sandbox state to disk
    const files = filesUnder(dataDir);

    // The scan reads what matters: dynalite's LevelDB files hold the merchant records ...
    const dynamoFiles = files.filter((f) => f.path.startsWith('dynamodb'));
    expect(dynamoFiles.length).toBeGreaterThan(0);
    for (const id of accountIds) expect(dynamoFiles.some((f) => f.bytes.includes(String(id)))).toBe(true);
    expect(files.some((f) => f.path.startsWith(join('sandbox', 'snapshot')) || f.path.startsWith(join('sandbox', 'journal')))).toBe(true);

    for (const { value } of tokens) {
      for (const form of revealingForms(value)) {
        const holders = files.filter((f) => f.bytes.includes(form)).map((f) => f.path);
        expect(holders).toEqual([]);
      }
    }
  });

  it('the platform client secret is in the data directory only in secrets/platform.json, by design (the local stand-in for Secrets Manager)', async () => {
    const clientSecret = JSON.parse(readFileSync(join(dataDir, 'secrets', 'platform.json'), 'utf8')).client_secret as string;
    const holders = filesUnder(dataDir).filter((f) => f.bytes.includes(clientSecret)).map((f) => f.path);
    expect(holders).toEqual([join('secrets', 'platform.json')]);
  });
});
