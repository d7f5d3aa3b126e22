// Whole stored entities for tests that need one: every field set, each test
// overriding what it is about.
import type { Checkout } from '#functions/domain/checkout.ts';
import type { MerchantAccount } from '#functions/domain/merchant.ts';
import type { CreateCheckoutInput, ProviderCheckout } from '#functions/ports/payment-provider.ts';
import type { MerchantRepository } from '#functions/ports/merchant-repository.ts';

/** An active merchant account (`acc_one` of `owner-1`) for the use-case tests. */
export function accountFixture(overrides: Partial<MerchantAccount> = {}): MerchantAccount {
  return {
    id: 'acc_one',
    ownerSub: 'owner-1',
    name: 'Blue Bottle Cafe',
    description: 'Coffee',
    statementDescriptor: 'WPY*Blue Bottle Cafe',
    state: 'active',
    providerAccountId: '1234',
    createdAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function checkoutFixture(id: string, overrides: Partial<Checkout> = {}): Checkout {
  const at = '2025-01-01T00:00:00.000Z';
  return {
    id,
    uniqueId: `u-${id}`,
    payerSub: 'payer',
    accountId: 'acc_1',
    ownerSub: 'owner',
    amount: 1_000,
    currency: 'USD',
    shortDescription: 'x',
    type: 'goods',
    fee: { appFee: 0, feePayer: 'payee_from_app', processingFee: 59 },
    state: 'authorized',
    amountRefunded: 0,
    amountChargedBack: 0,
    provider: { name: 'wepay', checkoutId: `wp-${id}` },
    providerUniqueId: `p-${id}`,
    actions: [],
    changes: [],
    lastReadAt: at,
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...overrides,
  };
}

/** A payer's creation of two coffees (10,400 cents, 400 app fee) on `account`. */
export function creationInputFixture(account: MerchantAccount, overrides: Partial<CreateCheckoutInput> = {}): CreateCheckoutInput {
  return {
    accountId: account.id,
    uniqueId: 'order-1',
    amount: 10_400,
    currency: 'USD',
    shortDescription: 'Two coffees',
    type: 'goods',
    fee: { appFee: 400, feePayer: 'payee_from_app' },
    creditCardId: 'card-1',
    autoCapture: false,
    ...overrides,
  };
}

/** What the provider answers to a creation request for two coffees. */
export function providerCheckoutFixture(request: { accountId: string; uniqueId: string; amount: number }, overrides: Partial<ProviderCheckout> = {}): ProviderCheckout {
  return {
    checkoutId: '9001',
    accountId: request.accountId,
    uniqueId: request.uniqueId,
    amount: request.amount,
    currency: 'USD',
    shortDescription: 'Two coffees',
    type: 'goods',
    appFee: 400,
    feePayer: 'payee_from_app',
    processingFee: 332,
    state: 'authorized',
    amountRefunded: 0,
    amountChargedBack: 0,
    createTime: 1_764_590_400,
    ...overrides,
  };
}

/** The merchant reads a creation makes: `account`, and its owner's provider user (token sealed as `sealed`). */
export function merchantsOf(account: MerchantAccount): MerchantRepository {
  return {
    getAccount: async (id: string) => (id === account.id ? account : undefined),
    getProviderUser: async (ownerSub: string) => ({ ownerSub, providerUserId: 'u', sealedAccessToken: 'sealed', email: 'x@example.com', createdAt: '' }),
  } as unknown as MerchantRepository;
}
