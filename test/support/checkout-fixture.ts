// A whole stored checkout for tests that need one: every field set, each test
// overriding what it is about.
import type { Checkout } from '#functions/domain/checkout.ts';

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
