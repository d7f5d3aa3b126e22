// The one route table. The local server and the CDK API stack both read it, so a
// route exists in both or in neither. `handler` names the file under
// functions/handlers/ whose `handler` export serves the route.
import type { z } from 'zod';
import type { ErrorCode } from '#functions/domain/errors.ts';
import { healthResponse, openApiDocument } from '#functions/http/schemas/common.ts';
import { feeQuoteRequest, feeQuoteResponse } from '#functions/http/schemas/fees.ts';

export const roles = ['payer', 'merchant', 'ops'] as const;
export type Role = (typeof roles)[number];

/**
 * `public`: no bearer token (health, openapi). `ipn`: no bearer token, the
 * route_token in the path is the credential. Otherwise the roles allowed.
 */
export type RouteAccess = 'public' | 'ipn' | readonly Role[];

export interface RouteDefinition {
  id: string;
  method: 'GET' | 'POST';
  /** API Gateway style: `/v1/checkouts/{id}`. */
  path: string;
  handler: string;
  access: RouteAccess;
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

const anyRole = roles;

export const routes = [
  {
    id: 'health',
    method: 'GET',
    path: '/v1/health',
    handler: 'health',
    access: 'public',
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
    summary: 'Quote the fees of a checkout, explicitly or from the platform fee policy',
    bodyType: 'json',
    body: feeQuoteRequest,
    success: { status: 200, schema: feeQuoteResponse },
    errors: ['app_fee_too_high'],
  },
] as const satisfies readonly RouteDefinition[];

export type RouteId = (typeof routes)[number]['id'];
export type Route<I extends RouteId> = Extract<(typeof routes)[number], { id: I }>;

export function routeById<I extends RouteId>(id: I): Route<I> {
  const found = routes.find((r) => r.id === id);
  if (!found) throw new Error(`No route ${id}`);
  return found as Route<I>;
}

export function requiresBearerToken(route: RouteDefinition): boolean {
  return Array.isArray(route.access);
}

