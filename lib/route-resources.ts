// What each route's function may touch, keyed by "METHOD path" as API.md
// names the endpoints. Least privilege per function: a route gets only the
// grants listed here. A route missing from this table gets no data access at
// all, a synth warning, and a failing test in test/infra, never a default.
import type { RouteDefinition } from '#functions/routes.ts';
import type { KeyAccess, TableAccess } from '#lib/constructs/grants.ts';

export interface RouteResources {
  payments?: TableAccess;
  idempotency?: TableAccess;
  /** Envelope encryption of merchant access tokens. */
  tokenKey?: KeyAccess;
  /** The platform's WePay credentials and the IPN route secret. */
  platformSecret?: boolean;
}

const none: RouteResources = {};

// A charge-moving route: idempotent, reads the merchant's sealed token, calls the provider.
const providerWrite: RouteResources = {
  payments: 'readWrite',
  idempotency: 'readWrite',
  tokenKey: 'unseal',
  platformSecret: true,
};

export const routeResources: Record<string, RouteResources> = {
  'GET /v1/health': none,
  'GET /v1/openapi.json': none,
  // Pure arithmetic over the request and the configured rate.
  'POST /v1/fees/quote': none,
  // Registers the user with WePay (platform credentials) and seals the new access token;
  // a second account for the same user unseals the stored one.
  'POST /v1/merchants': { payments: 'readWrite', tokenKey: 'sealAndUnseal', platformSecret: true },
  'GET /v1/merchants/{id}': { payments: 'read' },
  'POST /v1/checkouts': providerWrite,
  'GET /v1/checkouts/{id}': { payments: 'read' },
  'GET /v1/checkouts': { payments: 'read' },
  'POST /v1/checkouts/{id}/capture': providerWrite,
  'POST /v1/checkouts/{id}/cancel': providerWrite,
  'POST /v1/checkouts/{id}/refund': providerWrite,
  // Checks the route token (derived from the IPN route secret), fetches the checkout from
  // WePay with the merchant's token and records the new state.
  'POST /v1/ipn/wepay/{route_token}': { payments: 'readWrite', tokenKey: 'unseal', platformSecret: true },
};

export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export function resourcesFor(route: Pick<RouteDefinition, 'method' | 'path'>): RouteResources | undefined {
  return routeResources[routeKey(route)];
}
