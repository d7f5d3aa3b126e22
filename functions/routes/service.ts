// The service's own routes: liveness, the OpenAPI document, and the fee quote.
import { healthResponse, openApiDocument } from '#functions/http/schemas/common.ts';
import { feeQuoteRequest, feeQuoteResponse } from '#functions/http/schemas/fees.ts';
import { type RouteDefinition, anyRole } from './route-definition.ts';

export const serviceRoutes = [
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
] as const satisfies readonly RouteDefinition[];
