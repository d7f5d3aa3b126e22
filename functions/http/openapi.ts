// The OpenAPI 3.1 document, generated from the route table and the very zod
// schemas that validate requests, so the two cannot drift apart.
import { z } from 'zod';
import type { ErrorCode } from '#functions/domain/errors.ts';
import { routes, type RouteDefinition } from '#functions/routes.ts';
import { errorBody } from './schemas/common.ts';
import { statusOf } from './error-response.ts';

type JsonSchema = Record<string, unknown>;

/** Codes any route may answer with, beyond its own list. */
function commonErrors(route: RouteDefinition): ErrorCode[] {
  const codes: ErrorCode[] = ['credentials_in_url', 'resource_missing', 'method_not_allowed', 'rate_limited', 'internal_error'];
  if (Array.isArray(route.access)) codes.push('authentication_required', 'token_invalid', 'token_expired', 'permission_denied');
  if (route.bodyType !== 'none') codes.push('body_too_large', 'unsupported_media_type');
  if (route.bodyType === 'json') codes.push('body_unparseable', 'raw_card_data', 'parameter_missing', 'parameter_invalid', 'unknown_parameter');
  if (route.query) codes.push('parameter_invalid', 'unknown_parameter');
  return codes;
}

export function buildOpenApiDocument(): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const { $schema: _ignored, $defs, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    void _ignored;
    const relink = (value: JsonSchema) => JSON.parse(JSON.stringify(value).replaceAll('#/$defs/', '#/components/schemas/')) as JsonSchema;
    for (const [id, def] of Object.entries($defs ?? {})) components[id] = relink(def);
    const id = (z.globalRegistry.get(schema) as { id?: string } | undefined)?.id;
    if (id) {
      components[id] = relink(rest);
      return { $ref: `#/components/schemas/${id}` };
    }
    return relink(rest);
  };
  const errorSchema = toSchema(errorBody, 'output');

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes as readonly RouteDefinition[]) {
    const responses: Record<string, unknown> = {
      [route.success.status]: { description: 'Success', content: { 'application/json': { schema: toSchema(route.success.schema, 'output') } } },
    };
    const byStatus = new Map<number, Set<ErrorCode>>();
    for (const code of [...commonErrors(route), ...route.errors]) {
      const status = statusOf(code);
      byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
    }
    for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
      responses[status] = { description: `Error codes: ${[...codes].join(', ')}`, content: { 'application/json': { schema: errorSchema } } };
    }
    const operation: Record<string, unknown> = {
      operationId: route.id,
      summary: route.summary,
      security: Array.isArray(route.access) ? [{ bearer: [] }] : [],
      responses,
    };
    if (Array.isArray(route.access)) operation['x-roles'] = route.access;
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const queryParams = route.query
      ? Object.entries(((toSchema(route.query, 'input') as { properties?: Record<string, JsonSchema> }).properties ?? {})).map(([name, schema]) => ({
          name,
          in: 'query',
          required: false,
          schema,
        }))
      : [];
    if (pathParams.length + queryParams.length > 0) operation.parameters = [...pathParams, ...queryParams];
    if (route.body) {
      const mediaType = route.bodyType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
      operation.requestBody = { required: true, content: { [mediaType]: { schema: toSchema(route.body, 'input') } } };
    }
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Payments API',
      version: '1.0.0',
      description: 'Fee quotes, merchant onboarding and idempotent checkouts on WePay. Money is integer minor units.',
    },
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
