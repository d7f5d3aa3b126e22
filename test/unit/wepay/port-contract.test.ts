// The WePay adapter against the PaymentProvider port's contract: what the app relies
// on, in the port's own terms (docs/providers.md: a second provider's adapter passes
// the same cases against its own stand-in).
import { jest } from '@jest/globals';
import { InvalidRequestError } from '#functions/domain/errors.ts';
import type { MerchantCredential, MerchantIdentity, PaymentProvider } from '#functions/ports/payment-provider.ts';
import { WePayClient } from '#functions/adapters/providers/wepay/wepay-client.ts';
import { FakeWePay, app, checkoutJson, json } from './fake-wepay-server.ts';

const applicant = { email: 'owner@example.com', firstName: 'Ada', lastName: 'Lovelace', originalIp: '203.0.113.9', originalDevice: 'Mozilla/5.0', tosAcceptanceTime: 1700000000 };
const account = { name: 'Blue Bottle Cafe', description: 'Coffee', referenceId: 'acc_1' };

let wepay: FakeWePay;
let provider: PaymentProvider;

beforeEach(async () => {
  wepay = await new FakeWePay().start();
  provider = new WePayClient({ baseUrl: wepay.url, timeoutMs: 10_000, maxAttempts: 3, credentials: async () => app, sleep: async () => {}, random: () => 0.5 });
});
afterEach(async () => {
  await wepay.stop();
});

describe('the WePay adapter as a PaymentProvider', () => {
  it("declares its name as wepay (the API's provider.name, the IPN route and stored keys read it)", () => {
    expect(provider.name).toBe('wepay');
  });

  it('declares its statement naming: the WPY* prefix and the reserved word "wepay" (domain/account-name applies them)', () => {
    expect(provider.statementNaming).toEqual({ descriptorPrefix: 'WPY*', reservedWord: 'wepay' });
  });

  it('onboards a new merchant: registers, lets the app keep the identity, then creates the account with the credential the app answers', async () => {
    wepay.script('/user/register', json(200, { user_id: 4242, access_token: 'STAGE_new-user-token' }));
    wepay.script('/account/create', json(200, { account_id: 777, name: 'Blue Bottle Cafe', state: 'active' }));
    const kept: MerchantIdentity[] = [];
    const created = await provider.onboardMerchant({
      applicant,
      account,
      keepIdentity: async (identity) => {
        kept.push(identity);
        expect(wepay.callsTo('/account/create')).toHaveLength(0);
        return 'STAGE_stored-token' as MerchantCredential;
      },
    });
    expect(kept).toEqual([{ providerUserId: '4242', credential: 'STAGE_new-user-token' }]);
    expect(created).toEqual({ accountId: '777', name: 'Blue Bottle Cafe', state: 'active' });
    expect(wepay.callsTo('/account/create')[0]?.headers.authorization).toBe('Bearer STAGE_stored-token');
  });

  it('onboards a known merchant with its credential: no second registration, keepIdentity not called', async () => {
    wepay.script('/account/create', json(200, { account_id: 778, name: 'Blue Bottle Cafe', state: 'active' }));
    const keepIdentity = jest.fn(async (): Promise<MerchantCredential> => 'unused' as MerchantCredential);
    await provider.onboardMerchant({ credential: 'STAGE_known-token' as MerchantCredential, applicant, account, keepIdentity });
    expect(wepay.callsTo('/user/register')).toHaveLength(0);
    expect(keepIdentity).not.toHaveBeenCalled();
    expect(wepay.callsTo('/account/create')[0]?.headers.authorization).toBe('Bearer STAGE_known-token');
  });

  it('creates no account when the app refuses the identity', async () => {
    wepay.script('/user/register', json(200, { user_id: 4242, access_token: 'STAGE_new-user-token' }));
    const refusal = new Error('bound to another user');
    await expect(provider.onboardMerchant({ applicant, account, keepIdentity: async () => Promise.reject(refusal) })).rejects.toBe(refusal);
    expect(wepay.callsTo('/account/create')).toHaveLength(0);
  });

  it('answers in our states: WePay\'s "charged back" is charged_back', async () => {
    wepay.script('/checkout', json(200, checkoutJson({ state: '"charged back"' })));
    await expect(provider.getCheckout('STAGE_token' as MerchantCredential, '1234567')).resolves.toMatchObject({ state: 'charged_back' });
  });

  it('reads the IPN form: the checkout id, other fields ignored', () => {
    expect(provider.parseNotification({ checkout_id: '1234567', reference_id: 'order 7', state: 'captured' })).toEqual({ checkoutId: '1234567' });
  });

  it.each([
    ['no checkout_id', { reference_id: 'x' }, 'parameter_missing'],
    ['a checkout_id that is not a WePay id', { checkout_id: 'abc' }, 'parameter_invalid'],
    ['a checkout_id given twice', { checkout_id: ['1', '2'] }, 'parameter_invalid'],
    ['a checkout_id over 20 digits', { checkout_id: '1'.repeat(21) }, 'parameter_invalid'],
  ])('refuses an IPN form with %s as the caller\'s mistake on checkout_id', (_what, body, code) => {
    let error: unknown;
    try {
      provider.parseNotification(body);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ code, param: 'checkout_id' });
  });
});
