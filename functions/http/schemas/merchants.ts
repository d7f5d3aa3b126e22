import * as z from 'zod';
import type { MerchantAccount } from '#functions/domain/merchant.ts';

const text = (name: string, max: number) =>
  z.string({ error: `${name} must be a string` }).trim().min(1, { error: `${name} must not be empty` }).max(max, { error: `${name} must be at most ${max} characters` });

export const createMerchantRequest = z
  .strictObject({
    email: z.email({ error: 'email must be an email address' }).max(254),
    first_name: text('first_name', 100),
    last_name: text('last_name', 100),
    account: z.strictObject({
      name: text('account.name', 255),
      description: text('account.description', 2047),
    }),
  })
  .meta({
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
  .meta({
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

const limitError = 'limit must be an integer from 1 to 100';

export const listMerchantsQuery = z.strictObject({
  limit: z.coerce.number({ error: limitError }).int({ error: limitError }).min(1, { error: limitError }).max(100, { error: limitError }).default(20),
  cursor: z.string().min(1).max(2048).optional(),
});

export const merchantAccountListResponse = z
  .object({ data: z.array(merchantAccountResponse), next_cursor: z.string().nullable() })
  .meta({
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
