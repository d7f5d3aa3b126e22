// Checkouts: creation (idempotent by unique_id), reads, and the three money-moving actions.
import type * as z from 'zod/mini';
import {
  cancelCheckoutRequest,
  captureCheckoutRequest,
  checkoutListResponse,
  checkoutResponse,
  createCheckoutRequest,
  listCheckoutsQuery,
  refundCheckoutRequest,
} from '#functions/http/schemas/checkouts.ts';
import { type RouteDefinition, anyRole, providerCall } from './route-definition.ts';

function checkoutActionRoute<A extends 'capture' | 'cancel' | 'refund', B extends z.ZodMiniType>(action: A, body: B) {
  return {
    id: `checkouts.${action}` as `checkouts.${A}`,
    method: 'POST',
    path: `/v1/checkouts/{id}/${action}` as `/v1/checkouts/{id}/${A}`,
    handler: `checkouts-${action}` as `checkouts-${A}`,
    // Any role reaches the use case, which answers as the API's matrix says: 404 to whoever may not
    // see the checkout (a second payer, another merchant), 403 to its own payer, who may see but not act.
    access: anyRole,
    // Idempotent by unique_id; reads and updates the checkout; calls the provider with the owner's credential.
    uses: ['idempotency', 'payments:read-write', ...providerCall, 'audit:write'],
    summary: `${action} a checkout, idempotently by unique_id (owner merchant or ops)`,
    bodyType: 'json',
    body,
    success: { status: 200, schema: checkoutResponse },
    errors: ['resource_missing', 'permission_denied', 'invalid_state', 'checkout_busy', 'idempotency_key_in_use', 'idempotency_key_reused', 'rate_limited', 'provider_error', 'provider_unavailable'],
  } as const;
}

export const checkoutRoutes = [
  {
    id: 'checkouts.create',
    method: 'POST',
    path: '/v1/checkouts',
    handler: 'checkouts-create',
    // An agent creates under its mandate (the use case checks and spends it).
    access: ['payer', 'agent'],
    // Idempotent by unique_id; reads the merchant account, records the checkout, calls the provider
    // with the merchant's credential.
    // The callback URI's route token derives from the IPN route secret in the platform secret.
    uses: ['idempotency', 'payments:read-write', ...providerCall, 'platform-secret', 'audit:write'],
    summary: 'Create and pay a checkout, idempotently by unique_id',
    bodyType: 'json',
    body: createCheckoutRequest,
    success: { status: 201, schema: checkoutResponse },
    errors: [
      'app_fee_too_high',
      'card_declined',
      'token_revoked',
      'token_expired',
      'mandate_scope',
      'mandate_exceeded',
      'resource_missing',
      'idempotency_key_in_use',
      'idempotency_key_reused',
      'rate_limited',
      'provider_error',
      'provider_unavailable',
    ],
  },
  {
    id: 'checkouts.list',
    method: 'GET',
    path: '/v1/checkouts',
    handler: 'checkouts-list',
    access: anyRole,
    // Checkouts by account, owner or payer (the indexes) and the account's owner.
    uses: ['payments:read'],
    summary: 'Checkouts the caller may see, newest first',
    bodyType: 'none',
    query: listCheckoutsQuery,
    success: { status: 200, schema: checkoutListResponse },
    errors: ['resource_missing'],
  },
  {
    id: 'checkouts.get',
    method: 'GET',
    path: '/v1/checkouts/{id}',
    handler: 'checkouts-get',
    // An agent sees only its own checkouts (404 for any other).
    access: [...anyRole, 'agent'],
    uses: ['payments:read'],
    summary: "A checkout (its payer, its account's owner, or ops)",
    bodyType: 'none',
    success: { status: 200, schema: checkoutResponse },
    errors: ['resource_missing'],
  },
  checkoutActionRoute('capture', captureCheckoutRequest),
  checkoutActionRoute('cancel', cancelCheckoutRequest),
  checkoutActionRoute('refund', refundCheckoutRequest),
] as const satisfies readonly RouteDefinition[];
