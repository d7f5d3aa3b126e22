// Whole stored entities for tests that need one: every field set, each test
// overriding what it is about.
import type { Checkout } from '#functions/domain/checkout.ts';
import type { MerchantAccount } from '#functions/domain/merchant.ts';

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
