// Mandates: a payer's spending authority for an agent, created, read, listed and revoked.
import {
  createdMandateResponse,
  createMandateRequest,
  listMandatesQuery,
  mandateListResponse,
  mandateResponse,
  revokeMandateRequest,
} from '#functions/http/schemas/mandates.ts';
import { checkoutListResponse } from '#functions/http/schemas/checkouts.ts';
import { type RouteDefinition, anyRole } from './route-definition.ts';

export const mandateRoutes = [
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
] as const satisfies readonly RouteDefinition[];
