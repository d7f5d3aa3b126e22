// The one route table. The local server and the CDK API stack both read it, so a
// route exists in both or in neither. `handler` names the file under
// functions/handlers/ whose `handler` export serves the route.
import type { z } from 'zod';
import type { ErrorCode } from '#functions/domain/errors.ts';
import { userRoles, type Role } from '#functions/domain/principal.ts';
import { healthResponse, openApiDocument } from '#functions/http/schemas/common.ts';
import { feeQuoteRequest, feeQuoteResponse } from '#functions/http/schemas/fees.ts';
import { ipnAcknowledgement, ipnRouteId, ipnRoutePath, providerNotificationForm } from '#functions/http/schemas/ipn.ts';
import { auditEventListResponse, listAuditEventsQuery } from '#functions/http/schemas/audit.ts';
import { createMerchantRequest, listMerchantsQuery, merchantAccountListResponse, merchantAccountResponse } from '#functions/http/schemas/merchants.ts';
import {
  createdMandateResponse,
  createMandateRequest,
  listMandatesQuery,
  mandateListResponse,
  mandateResponse,
  revokeMandateRequest,
} from '#functions/http/schemas/mandates.ts';
import { createReconciliationRequest, reconciliationReport } from '#functions/http/schemas/reconciliations.ts';
import {
  cancelCheckoutRequest,
  captureCheckoutRequest,
  checkoutListResponse,
  checkoutResponse,
  createCheckoutRequest,
  listCheckoutsQuery,
  refundCheckoutRequest,
} from '#functions/http/schemas/checkouts.ts';
import { eventListResponse, eventWithDeliveriesResponse, listEventsQuery } from '#functions/http/schemas/events.ts';
import {
  createWebhookEndpointRequest,
  deletedWebhookEndpointResponse,
  pageQuery,
  webhookEndpointListResponse,
  webhookEndpointResponse,
} from '#functions/http/schemas/webhooks.ts';

/**
 * `public`: no bearer token (health, openapi). `ipn`: no bearer token, the
 * route_token in the path is the credential. Otherwise the roles allowed.
 */
export type RouteAccess = 'public' | 'ipn' | readonly Role[];

/**
 * What a route's function may touch. The CDK API stack grants a function exactly
 * its route's list, each grant with the environment variable that names the
 * resource (lib/constructs/grants.ts), and nothing else:
 * - `payments:read`, `payments:read-write`: the payments table and its indexes
 *   (checkouts, merchant users and accounts); read-write includes read;
 * - `idempotency`: the idempotency table (records are written, so read-write);
 * - `token-key:encrypt`, `token-key:decrypt`: sealing and opening merchant access
 *   tokens with the KMS key (encryption context: merchant and purpose);
 * - `platform-secret`: reading the platform's credentials and IPN route secret;
 * - `ipn-queue:send`: handing IPN notices to the queue the IPN processor consumes;
 * - `webhook-secret:seal`: sealing webhook signing secrets with the KMS key (encryption
 *   context: endpoint and purpose `webhook_secret`); the deliverer alone opens them;
 * - `webhook-queue:send`: handing delivery attempts to the webhook delivery queue.
 * - `audit:write`: appending audit records (PutItem only: records are never changed or deleted);
 *   every audited route (POST/DELETE but the fee quote and the IPN, functions/http/audit.ts) needs it;
 * - `audit:read`: listing audit records (ops).
 */
export const routeUses = [
  'payments:read',
  'payments:read-write',
  'idempotency',
  'token-key:encrypt',
  'token-key:decrypt',
  'platform-secret',
  'ipn-queue:send',
  'webhook-secret:seal',
  'webhook-queue:send',
  'audit:write',
  'audit:read',
] as const;
export type RouteUse = (typeof routeUses)[number];

export interface RouteDefinition {
  id: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway style: `/v1/checkouts/{id}`. */
  path: string;
  handler: string;
  access: RouteAccess;
  /** What the function may touch; see `routeUses`. Least privilege: only what the handler's code reaches. */
  uses: readonly RouteUse[];
  summary: string;
  /** `json` bodies are parsed and validated; `form` is the IPN's urlencoded body. */
  bodyType: 'none' | 'json' | 'form';
  body?: z.ZodType;
  query?: z.ZodType;
  /** Status of a success and the schema of its body. */
  success: { status: number; schema: z.ZodType };
  /** Error codes this route can answer with beyond the ones every route can. */
  errors: readonly ErrorCode[];
}

// Every user role; never 'agent', which reaches only the routes that name it (API.md: every other
// route is 403 permission_denied for an agent).
const anyRole = userRoles;

// A call on a merchant's behalf: their provider credential, opened with the key, authorizes it. The
// platform secret is read only to register users (functions/wiring/provider.ts reads it lazily), so these routes go without.
const providerCall = ['token-key:decrypt'] as const satisfies readonly RouteUse[];

function checkoutActionRoute<A extends 'capture' | 'cancel' | 'refund', B extends z.ZodType>(action: A, body: B) {
  return {
    id: `checkouts.${action}` as `checkouts.${A}`,
    method: 'POST',
    path: `/v1/checkouts/{id}/${action}` as `/v1/checkouts/{id}/${A}`,
    handler: `checkouts-${action}` as `checkouts-${A}`,
    // Any role reaches the use case, which answers as API.md's matrix says: 404 to whoever may not
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

export const routes = [
  {
    id: 'health',
    method: 'GET',
    path: '/v1/health',
    handler: 'health',
    access: 'public',
    uses: [],
    summary: 'Liveness check',
    bodyType: 'none',
    success: { status: 200, schema: healthResponse },
    errors: [],
  },
  {
    id: 'openapi',
    method: 'GET',
    path: '/v1/openapi.json',
    handler: 'openapi',
    access: 'public',
    // Built from the route table and schemas in memory.
    uses: [],
    summary: 'This API as an OpenAPI 3.1 document',
    bodyType: 'none',
    success: { status: 200, schema: openApiDocument },
    errors: [],
  },
  {
    id: 'fees.quote',
    method: 'POST',
    path: '/v1/fees/quote',
    handler: 'fees-quote',
    access: anyRole,
    // Arithmetic over the request and the configured processing rate.
    uses: [],
    summary: 'Quote the fees of a checkout, explicitly or from the platform fee policy',
    bodyType: 'json',
    body: feeQuoteRequest,
    success: { status: 200, schema: feeQuoteResponse },
    errors: ['app_fee_too_high'],
  },
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
    // Any role reaches the use case, which answers 404 to all but the owner and ops (API.md): a 403
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
  {
    id: 'mandates.create',
    method: 'POST',
    path: '/v1/mandates',
    handler: 'mandates-create',
    access: ['payer'],
    // Reads the accounts it names, writes the mandate and its token-hash lookup; looks the card up
    // at the provider with the platform's client credentials.
    uses: ['payments:read-write', 'platform-secret', 'audit:write'],
    summary: 'Let an agent create checkouts within limits (answers the agt_ token once; never replayed)',
    bodyType: 'json',
    body: createMandateRequest,
    success: { status: 201, schema: createdMandateResponse },
    errors: ['resource_missing', 'provider_error', 'provider_unavailable'],
  },
  {
    id: 'mandates.list',
    method: 'GET',
    path: '/v1/mandates',
    handler: 'mandates-list',
    access: ['payer', 'ops'],
    uses: ['payments:read'],
    summary: "The caller's mandates (ops: all), newest first",
    bodyType: 'none',
    query: listMandatesQuery,
    success: { status: 200, schema: mandateListResponse },
    errors: [],
  },
  {
    id: 'mandates.current',
    method: 'GET',
    path: '/v1/mandates/current',
    handler: 'mandates-current',
    // Only an agent token has a current mandate: a JWT is 403.
    access: ['agent'],
    uses: ['payments:read'],
    summary: "The calling agent's mandate (agent tokens only)",
    bodyType: 'none',
    success: { status: 200, schema: mandateResponse },
    errors: [],
  },
  {
    id: 'mandates.get',
    method: 'GET',
    path: '/v1/mandates/{id}',
    handler: 'mandates-get',
    // 404 to all but its payer and ops.
    access: anyRole,
    uses: ['payments:read'],
    summary: 'A mandate (its payer or ops)',
    bodyType: 'none',
    success: { status: 200, schema: mandateResponse },
    errors: ['resource_missing'],
  },
  {
    id: 'mandates.checkouts',
    method: 'GET',
    path: '/v1/mandates/{id}/checkouts',
    handler: 'mandates-checkouts',
    access: anyRole,
    uses: ['payments:read'],
    summary: "The agent's transaction log: checkouts made under the mandate, newest first",
    bodyType: 'none',
    query: listMandatesQuery,
    success: { status: 200, schema: checkoutListResponse },
    errors: ['resource_missing'],
  },
  {
    id: 'mandates.revoke',
    method: 'POST',
    path: '/v1/mandates/{id}/revoke',
    handler: 'mandates-revoke',
    access: anyRole,
    uses: ['payments:read-write', 'audit:write'],
    summary: 'Revoke a mandate at once (its payer or ops; again: 200, unchanged)',
    bodyType: 'json',
    body: revokeMandateRequest,
    success: { status: 200, schema: mandateResponse },
    errors: ['resource_missing'],
  },
  {
    id: 'reconciliations.create',
    method: 'POST',
    path: '/v1/reconciliations',
    handler: 'reconciliations-create',
    access: ['ops'],
    // Reads and settles checkouts and creation intents, holds the pass lease (payments table);
    // opens merchants' credentials to read from the provider; its batched read needs the platform's client credentials.
    uses: ['payments:read-write', 'token-key:decrypt', 'platform-secret', 'audit:write'],
    summary: 'Run one reconciliation pass now (never replayed); 409 while one runs',
    bodyType: 'json',
    body: createReconciliationRequest,
    success: { status: 200, schema: reconciliationReport },
    errors: ['invalid_state', 'provider_error', 'provider_unavailable'],
  },
  {
    id: 'audit_events.list',
    method: 'GET',
    path: '/v1/audit_events',
    handler: 'audit-events-list',
    access: ['ops'],
    uses: ['audit:read'],
    summary: 'The audit trail, newest first, filtered by actor, resource id or action (ops)',
    bodyType: 'none',
    query: listAuditEventsQuery,
    success: { status: 200, schema: auditEventListResponse },
    errors: [],
  },
  {
    id: ipnRouteId,
    method: 'POST',
    path: ipnRoutePath,
    handler: 'ipn-receive',
    access: 'ipn',
    // Checks the route token against the route secrets, then queues the notice for the processor.
    uses: ['platform-secret', 'ipn-queue:send'],
    summary: "The provider's IPN callback: acknowledged once queued; the checkout is then fetched from the provider",
    bodyType: 'form',
    body: providerNotificationForm,
    success: { status: 200, schema: ipnAcknowledgement },
    errors: ['resource_missing'],
  },
  {
    id: 'webhook_endpoints.create',
    method: 'POST',
    path: '/v1/webhook_endpoints',
    handler: 'webhook-endpoints-create',
    access: ['ops'],
    // Checks the URL (and, in AWS, where it resolves), seals the new secret, writes the endpoint.
    uses: ['payments:read-write', 'webhook-secret:seal', 'audit:write'],
    summary: 'Register a webhook endpoint; its signing secret is in this answer only',
    bodyType: 'json',
    body: createWebhookEndpointRequest,
    success: { status: 201, schema: webhookEndpointResponse },
    errors: [],
  },
  {
    id: 'webhook_endpoints.list',
    method: 'GET',
    path: '/v1/webhook_endpoints',
    handler: 'webhook-endpoints-list',
    access: ['ops'],
    uses: ['payments:read'],
    summary: 'Webhook endpoints, newest first (no secrets)',
    bodyType: 'none',
    query: pageQuery,
    success: { status: 200, schema: webhookEndpointListResponse },
    errors: [],
  },
  {
    id: 'webhook_endpoints.get',
    method: 'GET',
    path: '/v1/webhook_endpoints/{id}',
    handler: 'webhook-endpoints-get',
    access: ['ops'],
    uses: ['payments:read'],
    summary: 'A webhook endpoint (no secret)',
    bodyType: 'none',
    success: { status: 200, schema: webhookEndpointResponse },
    errors: ['resource_missing'],
  },
  {
    id: 'webhook_endpoints.delete',
    method: 'DELETE',
    path: '/v1/webhook_endpoints/{id}',
    handler: 'webhook-endpoints-delete',
    access: ['ops'],
    uses: ['payments:read-write', 'audit:write'],
    summary: 'Delete a webhook endpoint: no delivery is attempted to it after',
    bodyType: 'none',
    success: { status: 200, schema: deletedWebhookEndpointResponse },
    errors: ['resource_missing'],
  },
  {
    id: 'webhook_endpoints.rotate_secret',
    method: 'POST',
    path: '/v1/webhook_endpoints/{id}/rotate_secret',
    handler: 'webhook-endpoints-rotate-secret',
    access: ['ops'],
    uses: ['payments:read-write', 'webhook-secret:seal', 'audit:write'],
    summary: 'A new signing secret (in this answer only); the previous one also signs for 24 hours',
    bodyType: 'none',
    success: { status: 200, schema: webhookEndpointResponse },
    errors: ['resource_missing'],
  },
  {
    id: 'events.list',
    method: 'GET',
    path: '/v1/events',
    handler: 'events-list',
    access: ['ops'],
    uses: ['payments:read'],
    summary: 'Events, newest first, optionally of one type',
    bodyType: 'none',
    query: listEventsQuery,
    success: { status: 200, schema: eventListResponse },
    errors: [],
  },
  {
    id: 'events.get',
    method: 'GET',
    path: '/v1/events/{id}',
    handler: 'events-get',
    access: ['ops'],
    uses: ['payments:read'],
    summary: 'An event with its deliveries',
    bodyType: 'none',
    success: { status: 200, schema: eventWithDeliveriesResponse },
    errors: ['resource_missing'],
  },
  {
    id: 'events.redeliver',
    method: 'POST',
    path: '/v1/events/{id}/redeliver',
    handler: 'events-redeliver',
    access: ['ops'],
    // Reads the event and the endpoints; queues one attempt per delivery to an enabled endpoint.
    uses: ['payments:read', 'webhook-queue:send', 'audit:write'],
    summary: "One new attempt now of each of the event's deliveries whose endpoint is enabled",
    bodyType: 'none',
    success: { status: 200, schema: eventWithDeliveriesResponse },
    errors: ['resource_missing'],
  },
] as const satisfies readonly RouteDefinition[];

export type RouteId = (typeof routes)[number]['id'];
export type Route<I extends RouteId> = Extract<(typeof routes)[number], { id: I }>;

export function routeById<I extends RouteId>(id: I): Route<I> {
  const found = routes.find((r) => r.id === id);
  if (!found) throw new Error(`No route ${id}`);
  return found as Route<I>;
}


/**
 * Functions fed by a queue rather than a route: the CDK app gives each its queue
 * (settings in functions/adapters/queue/) and exactly its `uses`; locally the
 * in-process queue calls the same handler (local/ipn-consumer.ts).
 */
export const queueConsumers = [
  {
    id: 'ipn.process',
    handler: 'ipn-process',
    queue: 'ipn',
    summary: 'Fetches each IPN-notified checkout from the provider and records its state',
    // Reads and updates checkouts; opens the merchant's credential to fetch from the provider; audits what changed.
    uses: ['payments:read-write', 'token-key:decrypt', 'audit:write'],
  },
] as const satisfies readonly { id: string; handler: string; queue: 'ipn'; summary: string; uses: readonly RouteUse[] }[];

/**
 * Functions run on a schedule rather than by a route or a queue: the CDK app gives each an
 * EventBridge rule firing every `rateMinutes` and exactly its `uses`; locally `npm start`
 * runs the same pass on a timer.
 */
export const scheduledJobs = [
  {
    id: 'reconcile.scheduled',
    handler: 'reconcile-scheduled',
    summary: 'One reconciliation pass: settles unknown outcomes, re-reads stale checkouts (docs/money-movement.md)',
    // Audits each change it makes to a checkout (system:reconciler).
    uses: ['payments:read-write', 'token-key:decrypt', 'platform-secret', 'audit:write'] as RouteUse[],
    // RECONCILE_INTERVAL_SECONDS' default; the CDK rule runs at this rate.
    rateMinutes: 5,
  },
] as const satisfies readonly { id: string; handler: string; summary: string; uses: readonly RouteUse[]; rateMinutes: number }[];
