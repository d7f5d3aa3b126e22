// A card token WePay does not know: error 1003 on /checkout/create about the
// card id becomes UnknownCardTokenError (the checkout use case answers it as
// 400 parameter_invalid); every other 1003 stays a provider rejection.
import { ProviderRejectedError, UnknownCardTokenError } from '#functions/domain/errors.ts';
import { WePayClient } from '#functions/adapters/providers/wepay/wepay-client.ts';
import { storedCardFor, UNKNOWN_CREDIT_CARD_DESCRIPTION } from '#local/sandbox/card-checks.ts';
import { WepayError } from '#local/sandbox/wepay-errors.ts';
import { FakeWePay, wepayError } from './fake-wepay-server.ts';

let wepay: FakeWePay;
beforeEach(async () => {
  wepay = await new FakeWePay().start();
});
afterEach(async () => {
  await wepay.stop();
});

const client = () =>
  new WePayClient({
    baseUrl: wepay.url,
    // Generous: a loaded machine must not turn the scripted answer into a timeout.
    timeoutMs: 10_000,
    maxAttempts: 1,
    credentials: async () => ({ clientId: '1', clientSecret: 's', appAccessToken: 'STAGE_app' }),
  });

const create = () =>
  client().createCheckout('STAGE_merchant', {
    accountId: '777',
    uniqueId: 'u-1',
    amount: 1000,
    currency: 'USD',
    shortDescription: 'x',
    type: 'goods',
    fee: { appFee: 0, feePayer: 'payee_from_app' },
    creditCardId: '424242',
    autoCapture: true,
  });

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

it.each([[UNKNOWN_CREDIT_CARD_DESCRIPTION], ['Invalid credit_card_id'], ['payment_method.credit_card.id is invalid'], ['The credit card 424242 does not exist']])(
  '1003 "%s" on /checkout/create is UnknownCardTokenError',
  async (description) => {
    wepay.script('/checkout/create', wepayError(400, 'invalid_request', 1003, description));
    const error = await rejection(create());
    expect(error).toBeInstanceOf(UnknownCardTokenError);
    expect(error).toMatchObject({ providerErrorCode: 1003 });
  },
);

it.each([
  ['a unique_id reused with other parameters', 'unique_id pay_x was already used with other parameters'],
  ['another parameter', 'payment_method.credit_card.auto_capture must be a boolean'],
  ['the amount', 'amount must be greater than 0'],
])('1003 about %s stays a ProviderRejectedError', async (_what, description) => {
  wepay.script('/checkout/create', wepayError(400, 'invalid_request', 1003, description));
  const error = await rejection(create());
  expect(error).toBeInstanceOf(ProviderRejectedError);
  expect(error).not.toBeInstanceOf(UnknownCardTokenError);
});

it('a 1004 (missing parameter) about the card id is not an unknown token either', async () => {
  wepay.script('/checkout/create', wepayError(400, 'invalid_request', 1004, 'credit_card_id parameter is required'));
  expect(await rejection(create())).not.toBeInstanceOf(UnknownCardTokenError);
});

describe("the sandbox's answer to a credit_card_id it holds no card for", () => {
  const cards = { '17': { credit_card_id: 17 } };

  it('finds a card by its id, as a number or its digits', () => {
    expect(storedCardFor(cards, 17)).toEqual({ credit_card_id: 17 });
    expect(storedCardFor(cards, '17')).toEqual({ credit_card_id: 17 });
  });

  it.each([[18], ['18'], ['tok_abc'], ['017'], [-17], [1.5], ['__proto__'], ['constructor'], [{}], [true]])(
    '%j is WePay error 1003 invalid_request, the invalid-parameter kind',
    (id) => {
      const error = (() => {
        try {
          storedCardFor(cards, id);
          return undefined;
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(WepayError);
      expect((error as WepayError).body).toEqual({ error: 'invalid_request', error_description: UNKNOWN_CREDIT_CARD_DESCRIPTION, error_code: 1003 });
      expect((error as WepayError).status).toBe(400);
    },
  );
});
