// Stored items (a stream image, or a write seen locally) back to domain objects:
// the items spread the object's own fields beside their keys and index attributes.
import type { Checkout } from '#functions/ports/checkout-repository.ts';
import type { MerchantAccount } from '#functions/ports/merchant-repository.ts';

const storageAttributes = new Set(['pk', 'sk', 'entity', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk', 'expires_at']);

const ownFields = (item: Record<string, unknown>) => Object.fromEntries(Object.entries(item).filter(([key]) => !storageAttributes.has(key)));

export function checkoutFromItem(item: Record<string, unknown>): Checkout {
  const checkout = ownFields(item) as unknown as Checkout;
  // Items written before actions and changes were recorded have neither list.
  return { ...checkout, actions: checkout.actions ?? [], changes: checkout.changes ?? [] };
}

export function merchantAccountFromItem(item: Record<string, unknown>): MerchantAccount {
  return ownFields(item) as unknown as MerchantAccount;
}
