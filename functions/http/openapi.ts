// The OpenAPI 3.1 document, generated from the route table and the very zod
// schemas that validate requests, so the two cannot drift apart. Every route of
// the table is documented: a route added there appears here with no other change.
import * as z from 'zod/mini';
import type { ErrorCode } from '#functions/domain/errors.ts';
import { routes, type RouteDefinition } from '#functions/routes.ts';
import { errorBody } from './schemas/common.ts';
import { errorTypeOf, statusOf } from './error-response.ts';

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

const componentRef = (name: string) => `#/components/schemas/${name}`;

/** Codes any route may answer with, beyond its own list. */
export function commonErrors(route: RouteDefinition): ErrorCode[] {
  const codes: ErrorCode[] = ['credentials_in_url', 'resource_missing', 'method_not_allowed', 'rate_limited', 'internal_error'];
  if (Array.isArray(route.access)) codes.push('authentication_required', 'token_invalid', 'token_expired', 'permission_denied');
  if (route.bodyType !== 'none') codes.push('body_too_large', 'unsupported_media_type');
  if (route.bodyType === 'json') codes.push('body_unparseable', 'raw_card_data', 'parameter_missing', 'parameter_invalid', 'unknown_parameter');
  if (route.query) codes.push('parameter_invalid', 'unknown_parameter');
  return codes;
}

/** Every code a route can answer with, grouped by status, in status order. */
export function errorsByStatus(route: RouteDefinition): [number, ErrorCode[]][] {
  const byStatus = new Map<number, Set<ErrorCode>>();
  for (const code of [...route.errors, ...commonErrors(route)]) {
    const status = statusOf(code);
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  return [...byStatus].sort(([a], [b]) => a - b).map(([status, codes]) => [status, [...codes]]);
}

// A placeholder ref names a schema with its direction (`Checkout@output`): a schema with defaults
// or transforms reads differently as a request (input) than as a response (output), and both may
// be needed. `finish` gives each its final component name.
const placeholder = /#\/components\/schemas\/([^"@]+)@(input|output)/g;

/**
 * Named schemas (registered with an `id`) become components; zod's `toJSONSchema` answers a named root
 * with a `$ref` to its own `$defs` entry, so the body is taken from `$defs`, never the root.
 */
class Components {
  private readonly defs: Record<Io, Map<string, string>> = { input: new Map(), output: new Map() };

  schema(schema: z.core.$ZodType, io: Io): JsonSchema {
    const { $schema: _dialect, $defs, ...root } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    void _dialect;
    const tag = (value: unknown) => JSON.stringify(value).replace(/#\/\$defs\/([^"]+)/g, (_m, id: string) => `${componentRef(id)}@${io}`);
    for (const [id, def] of Object.entries($defs ?? {})) {
      const text = tag(def);
      const known = this.defs[io].get(id);
      if (known !== undefined && known !== text) throw new Error(`Two different schemas are named ${id}`);
      this.defs[io].set(id, text);
    }
    return JSON.parse(tag(root)) as JsonSchema;
  }

  /** The properties and required names of an object schema, following a root `$ref`. */
  objectOf(schema: z.core.$ZodType, io: Io): { properties: Record<string, JsonSchema>; required: string[] } {
    let json = this.schema(schema, io);
    const ref = typeof json.$ref === 'string' ? /#\/components\/schemas\/([^@]+)@/.exec(json.$ref)?.[1] : undefined;
    if (ref) json = JSON.parse(this.defs[io].get(ref)!) as JsonSchema;
    return { properties: (json.properties ?? {}) as Record<string, JsonSchema>, required: (json.required ?? []) as string[] };
  }

  /**
   * Names each component: its id when it reads the same in both directions (or is used in one),
   * else `<id>` for the response and `<id>Input` for the request. A schema that refers to a
   * split one is split too, so each side refers to its own.
   */
  finish<T>(document: T): { document: T; schemas: Record<string, JsonSchema> } {
    const plain = (text: string) => text.replace(placeholder, (_m, id: string) => componentRef(id));
    const split = new Set<string>();
    for (const [id, input] of this.defs.input) {
      const output = this.defs.output.get(id);
      if (output !== undefined && plain(output) !== plain(input)) split.add(id);
    }
    for (let grew = true; grew; ) {
      grew = false;
      for (const [id, input] of this.defs.input) {
        if (split.has(id) || !this.defs.output.has(id)) continue;
        if ([...input.matchAll(placeholder)].some((m) => split.has(m[1]!))) {
          split.add(id);
          grew = true;
        }
      }
    }
    const name = (id: string, io: Io) => (io === 'input' && split.has(id) ? `${id}Input` : id);
    const rename = (text: string) => text.replace(placeholder, (_m, id: string, io: Io) => componentRef(name(id, io)));
    const schemas: Record<string, JsonSchema> = {};
    for (const io of ['output', 'input'] as const) {
      for (const [id, text] of this.defs[io]) schemas[name(id, io)] ??= JSON.parse(rename(text)) as JsonSchema;
    }
    const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
    return { document: JSON.parse(rename(JSON.stringify(document))) as T, schemas: sorted };
  }
}

const headers = {
  XRequestId: { description: 'The request id, as in the error body\'s `request_id`.', schema: { type: 'string', examples: ['req_4f1c2b7e'] } },
  RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } },
  IdempotentReplayed: {
    description: '`true` when this answer is the stored answer of an earlier request with the same `unique_id`.',
    schema: { type: 'string', enum: ['true'] },
  },
};
// Every list pages the same way.
const listParameters: Record<string, string> = {
  limit: 'Page size, 1-100 (default 20).',
  cursor: "The previous page's next_cursor (opaque; a bad one is 400 parameter_invalid).",
};
const headerRef = (name: keyof typeof headers) => ({ $ref: `#/components/headers/${name}` });
const retryableStatuses = new Set([409, 429, 503]);

function documentedError(status: number, codes: ErrorCode[]): JsonSchema {
  const types = [...new Set(codes.map(errorTypeOf))];
  return {
    description: `Error codes: ${codes.join(', ')}`,
    headers: { 'X-Request-Id': headerRef('XRequestId'), ...(retryableStatuses.has(status) ? { 'Retry-After': headerRef('RetryAfter') } : {}) },
    content: {
      'application/json': {
        schema: {
          allOf: [
            { $ref: componentRef('Error@output') },
            {
              type: 'object',
              required: ['error'],
              properties: { error: { type: 'object', required: ['type', 'code'], properties: { type: { type: 'string', enum: types }, code: { type: 'string', enum: codes } } } },
            },
          ],
        },
        examples: Object.fromEntries(
          codes.map((code) => [
            code,
            { value: { error: { type: errorTypeOf(code), code, message: `A sentence saying what went wrong (${code})`, request_id: 'req_4f1c2b7e' } } },
          ]),
        ),
      },
    },
  };
}

function operationFor(route: RouteDefinition, components: Components): JsonSchema {
  const authenticated = Array.isArray(route.access);
  const successHeaders: Record<string, unknown> = { 'X-Request-Id': headerRef('XRequestId') };
  if (route.uses.includes('idempotency')) successHeaders['Idempotent-Replayed'] = headerRef('IdempotentReplayed');
  const responses: Record<string, unknown> = {
    [route.success.status]: {
      description: 'Success',
      headers: successHeaders,
      content: { 'application/json': { schema: components.schema(route.success.schema, 'output') } },
    },
  };
  for (const [status, codes] of errorsByStatus(route)) responses[status] = documentedError(status, codes);

  const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    description: m[1] === 'route_token' ? 'The unguessable token of the callback URI; a wrong one is 404.' : 'The id; one the caller may not see is 404.',
    schema: { type: 'string' },
  }));
  const query = route.query ? components.objectOf(route.query, 'input') : { properties: {}, required: [] };
  const queryParams = Object.entries(query.properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: query.required.includes(name),
    ...(typeof schema.description === 'string' || listParameters[name] ? { description: schema.description ?? listParameters[name] } : {}),
    schema,
  }));
  const roles = authenticated ? ` Roles: ${(route.access as readonly string[]).join(', ')}.` : '';
  const operation: JsonSchema = {
    operationId: route.id,
    tags: [route.id.split('.')[0]],
    summary: route.summary,
    description: `${route.summary}.${roles}`,
    security: authenticated ? [{ bearer: [] }] : [],
    responses,
  };
  if (authenticated) operation['x-roles'] = route.access;
  if (pathParams.length + queryParams.length > 0) operation.parameters = [...pathParams, ...queryParams];
  if (route.body) {
    const mediaType = route.bodyType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
    operation.requestBody = { required: true, content: { [mediaType]: { schema: components.schema(route.body, 'input') } } };
  }
  return operation;
}

/** `table`: the route table (tests pass others, e.g. with a route added). */
export function buildOpenApiDocument(table: readonly RouteDefinition[] = routes): JsonSchema {
  const components = new Components();
  components.schema(errorBody, 'output');
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of table) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operationFor(route, components) };
  }
  const { document, schemas } = components.finish({ paths });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Payments API',
      version: '1.0.0',
      description:
        'Fee quotes, merchant onboarding and idempotent checkouts through the payment provider. Money is an integer number of minor units (cents); ' +
        'timestamps are ISO-8601 UTC. Every error answers the Error schema; each response lists the codes it can carry.',
    },
    paths: document.paths,
    components: {
      schemas,
      headers,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Cognito JWT (locally, from the local issuer); an agent acting under a mandate sends its opaque `agt_...` token instead.',
        },
      },
    },
  };
}
