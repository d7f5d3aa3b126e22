// The shape of a route table entry and what a route's function may touch; the
// route table itself is ../routes.ts, composed of this folder's parts.
import type * as z from 'zod/mini';
import type { ErrorCode } from '#functions/domain/errors.ts';
import { userRoles, type Role } from '#functions/domain/principal.ts';

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
 *   context: endpoint and purpose `webhook_secret`);
 * - `webhook-secret:open`: opening them (the deliverer alone, to sign);
 * - `webhook-queue:send`: handing delivery attempts to the webhook delivery queue;
 * - `event-bus:put`: putting events on the payments event bus (the publisher);
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
  'webhook-secret:open',
  'webhook-queue:send',
  'event-bus:put',
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
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  /** Status of a success and the schema of its body. */
  success: { status: number; schema: z.ZodMiniType };
  /** Error codes this route can answer with beyond the ones every route can. */
  errors: readonly ErrorCode[];
}

// Every user role; never 'agent', which reaches only the routes that name it (every other
// route is 403 permission_denied for an agent).
export const anyRole = userRoles;

// A call on a merchant's behalf: their provider credential, opened with the key, authorizes it. The
// platform secret is read only to register users (functions/wiring/provider.ts reads it lazily), so these routes go without.
export const providerCall = ['token-key:decrypt'] as const satisfies readonly RouteUse[];

/**
 * The route `id` of one resource's table (a file of this folder). A handler names its route
 * through its own resource's table rather than the joined one (../routes.ts), so its bundle
 * carries that resource's schemas and no other's.
 */
export function routeIn<T extends readonly RouteDefinition[], I extends T[number]['id']>(table: T, id: I): Extract<T[number], { id: I }> {
  const found = table.find((route) => route.id === id);
  if (!found) throw new Error(`No route ${id}`);
  return found as Extract<T[number], { id: I }>;
}
