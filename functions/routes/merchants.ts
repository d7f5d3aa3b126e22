// Merchant accounts: onboarding with the provider, reading and listing them.
import { createMerchantRequest, listMerchantsQuery, merchantAccountListResponse, merchantAccountResponse } from '#functions/http/schemas/merchants.ts';
import { type RouteDefinition, anyRole } from './route-definition.ts';

export const merchantRoutes = [
  {
    id: 'merchants.create',
    method: 'POST',
    path: '/v1/merchants',
    handler: 'merchants-create',
    access: ['merchant'],
    // Registers the user with the provider (the platform's client credentials), seals the new merchant
    // credential, and opens the stored one when the user adds another account; writes the user and account.
    uses: ['payments:read-write', 'token-key:encrypt', 'token-key:decrypt', 'platform-secret', 'audit:write'],
    summary: 'Onboard the calling user as a merchant with the provider and create one more account',
    bodyType: 'json',
    body: createMerchantRequest,
    success: { status: 201, schema: merchantAccountResponse },
    errors: ['account_name_unrecognizable', 'account_name_invalid', 'email_in_use', 'provider_error', 'provider_unavailable'],
  },
  {
    id: 'merchants.get',
    method: 'GET',
    path: '/v1/merchants/{id}',
    handler: 'merchants-get',
    // Any role reaches the use case, which answers 404 to all but the owner and ops: a 403
    // would tell a payer that the account exists.
    access: anyRole,
    uses: ['payments:read'],
    summary: 'A merchant account (its owner or ops)',
    bodyType: 'none',
    success: { status: 200, schema: merchantAccountResponse },
    errors: ['resource_missing'],
  },
  {
    id: 'merchants.list',
    method: 'GET',
    path: '/v1/merchants',
    handler: 'merchants-list',
    access: ['merchant', 'ops'],
    // The owner's accounts (by-owner index) or, for ops, all of them (by-created index).
    uses: ['payments:read'],
    summary: 'Merchant accounts the caller owns (ops: all), newest first',
    bodyType: 'none',
    query: listMerchantsQuery,
    success: { status: 200, schema: merchantAccountListResponse },
    errors: [],
  },
] as const satisfies readonly RouteDefinition[];
