import * as z from 'zod/mini';
import type { MerchantAccount } from '#functions/domain/merchant.ts';
import { pageCursor, pageLimit } from './fields.ts';

const text = (name: string, max: number) =>
  z.string({ error: `${name} must be a string` }).check(z.trim(), z.minLength(1, { error: `${name} must not be empty` }), z.maxLength(max, { error: `${name} must be at most ${max} characters` }));

export const createMerchantRequest = z
  .strictObject({
    email: z.email({ error: 'email must be an email address' }).check(z.maxLength(254)),
    first_name: text('first_name', 100),
    last_name: text('last_name', 100),
    account: z.strictObject({
      name: text('account.name', 255),
      description: text('account.description', 2047),
    }),
  })
  .register(z.globalRegistry, {
    id: 'CreateMerchantRequest',
    examples: [{ email: 'owner@example.com', first_name: 'Ada', last_name: 'Lovelace', account: { name: 'Blue Bottle Cafe', description: 'Coffee' } }],
  });

export const merchantAccountResponse = z
  .object({
    id: z.string(),
    name: z.string(),
    statement_descriptor: z.string(),
    state: z.string(),
    owner: z.string(),
    created_at: z.string(),
  })
  .register(z.globalRegistry, {
    id: 'MerchantAccount',
    examples: [merchantAccountExample()],
  });

function merchantAccountExample() {
  return {
    id: 'acc_9a8b7c6d',
    name: 'Blue Bottle Cafe',
    statement_descriptor: 'WPY*Blue Bottle Cafe',
    state: 'active',
    owner: 'b1f0c3a2-0000-4000-8000-000000000001',
    created_at: '2026-12-01T09:00:00.000Z',
  };
}

export const listMerchantsQuery = z.strictObject({
  limit: pageLimit(),
  cursor: pageCursor(),
});

export const merchantAccountListResponse = z
  .object({ data: z.array(merchantAccountResponse), next_cursor: z.nullable(z.string()) })
  .register(z.globalRegistry, {
    id: 'MerchantAccountList',
    description: 'Merchant accounts, newest first: a merchant sees the accounts they own, ops all.',
    examples: [{ data: [merchantAccountExample()], next_cursor: null }],
  });

export function merchantAccountJson(account: MerchantAccount): z.output<typeof merchantAccountResponse> {
  return {
    id: account.id,
    name: account.name,
    statement_descriptor: account.statementDescriptor,
    state: account.state,
    owner: account.ownerSub,
    created_at: account.createdAt,
  };
}
