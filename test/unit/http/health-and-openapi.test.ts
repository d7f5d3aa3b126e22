// GET /v1/health and GET /v1/openapi.json through their real handlers; the document
// is checked by a real OpenAPI 3.1 validator and against the route table.
import { Validator } from '@seriousme/openapi-schema-validator';
import * as z from 'zod/mini';
import { handler as health } from '#functions/handlers/health.ts';
import { handler as openapi } from '#functions/handlers/openapi.ts';
import { buildOpenApiDocument, errorsByStatus } from '#functions/http/openapi.ts';
import { statusOf } from '#functions/http/error-response.ts';
import { routes, type RouteDefinition } from '#functions/routes.ts';
import { expectEveryResponseHeaders } from '../../support/api-expectations.ts';
import { invoke, proxyEvent } from '../../support/proxy-event.ts';

const table = routes as readonly RouteDefinition[];

it('GET /v1/health is 200 {"status":"ok"} with the headers of every response', async () => {
  const reply = await invoke(health, proxyEvent({ path: '/v1/health' }));
  expect(reply.status).toBe(200);
  expect(reply.body).toEqual({ status: 'ok' });
  expectEveryResponseHeaders(reply);
});

/** Every `$ref` string anywhere in a JSON value. */
function refsIn(value: unknown): string[] {
  return [...JSON.stringify(value).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
}

/** The value a local `$ref` points at. */
function resolve(document: any, ref: string): any {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((node, key) => node?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], document);
}

describe('GET /v1/openapi.json', () => {
  let document: any;
  beforeAll(async () => {
    const reply = await invoke(openapi, proxyEvent({ path: '/v1/openapi.json' }));
    expect(reply.status).toBe(200);
    expectEveryResponseHeaders(reply);
    document = reply.body;
  });

  it('is a valid OpenAPI 3.1 document according to an OpenAPI 3.1 validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('has no component schema that is a reference to itself, and every reference resolves', () => {
    const schemas: Record<string, any> = document.components.schemas;
    expect(Object.keys(schemas).length).toBeGreaterThan(0);
    for (const [name, schema] of Object.entries(schemas)) {
      expect({ name, ref: schema.$ref }).toEqual({ name, ref: undefined });
      expect({ name, body: Boolean(schema.type ?? schema.anyOf ?? schema.oneOf ?? schema.allOf ?? schema.enum ?? schema.const) }).toEqual({ name, body: true });
    }
    for (const ref of refsIn(document)) expect({ ref, found: resolve(document, ref) !== undefined }).toEqual({ ref, found: true });
  });

  it('describes the checkout body with its optional fields and defaults', () => {
    const create = document.components.schemas.CreateCheckoutRequest;
    expect(Object.keys(create.properties)).toEqual(
      expect.arrayContaining(['unique_id', 'account_id', 'amount', 'currency', 'short_description', 'type', 'fee', 'payment_method', 'reference_id']),
    );
    expect(create.required).toEqual(expect.arrayContaining(['unique_id', 'account_id', 'amount', 'currency', 'short_description']));
    // Required of a payer, refused from an agent: the description says so.
    expect(create.required).not.toContain('payment_method');
    expect(create.required).not.toContain('reference_id');
    expect(create.properties.type.default).toBe('goods');
    expect(create.additionalProperties).toBe(false);
    expect(document.components.schemas.Checkout.properties.fee.properties).toHaveProperty('processing_fee');
    expect(document.components.schemas.CheckoutList.properties.data.items).toEqual({ $ref: '#/components/schemas/Checkout' });
  });

  it.each(table.map((r) => [`${r.method} ${r.path}`, r] as const))('documents %s from the route table', (_name, route) => {
    const operation = document.paths[route.path]?.[route.method.toLowerCase()];
    expect(operation).toBeDefined();
    expect(operation.operationId).toBe(route.id);
    expect(operation.responses[String(route.success.status)].content['application/json'].schema).toBeDefined();
    for (const code of route.errors) expect(operation.responses[String(statusOf(code))]?.description).toContain(code);
    for (const [status, codes] of errorsByStatus(route)) {
      const media = operation.responses[String(status)].content['application/json'];
      expect(media.schema.allOf[0]).toEqual({ $ref: '#/components/schemas/Error' });
      expect(media.schema.allOf[1].properties.error.properties.code.enum).toEqual(codes);
      expect(Object.keys(media.examples)).toEqual(codes);
    }
    expect(operation.responses['500']?.description).toContain('internal_error');
    expect(operation.responses['400']?.description).toContain('credentials_in_url');

    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const params: any[] = operation.parameters ?? [];
    expect(params.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(pathParams);
    const queryNames = route.query ? Object.keys((route.query as z.ZodMiniObject).shape) : [];
    expect(params.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(queryNames);

    if (Array.isArray(route.access)) {
      expect(operation.security).toEqual([{ bearer: [] }]);
      for (const code of ['authentication_required', 'token_invalid', 'token_expired']) expect(operation.responses['401'].description).toContain(code);
      expect(operation.responses['403'].description).toContain('permission_denied');
    } else {
      expect(operation.security).toEqual([]);
    }
    if (route.body) {
      const mediaType = route.bodyType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
      expect(operation.requestBody.content[mediaType].schema).toBeDefined();
    } else {
      expect(operation.requestBody).toBeUndefined();
    }
    if (route.bodyType === 'json') {
      for (const code of ['parameter_missing', 'parameter_invalid', 'unknown_parameter', 'body_unparseable', 'raw_card_data']) {
        expect(operation.responses['400'].description).toContain(code);
      }
      expect(operation.responses['413'].description).toContain('body_too_large');
      expect(operation.responses['415'].description).toContain('unsupported_media_type');
    }
  });

  it('documents exactly the routes of the table', () => {
    const documented = Object.entries<any>(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(table.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('gives every request body and success response an example that its own schema accepts', () => {
    const examplesOf = (schema: z.core.$ZodType) => (z.globalRegistry.get(schema)?.examples ?? []) as unknown[];
    for (const route of table) {
      const schemas = [route.success.schema, ...(route.body ? [route.body] : [])];
      for (const schema of schemas) {
        const options = schema instanceof z.core.$ZodUnion ? schema._zod.def.options : [schema];
        const examples = options.flatMap(examplesOf);
        if (route.id !== 'openapi') expect({ route: route.id, examples: examples.length > 0 }).toEqual({ route: route.id, examples: true });
        for (const example of examples) {
          const parsed = z.safeParse(schema, example);
          expect({ route: route.id, error: parsed.error?.issues }).toEqual({ route: route.id, error: undefined });
          // A response example carries no field its schema would drop.
          if (schema === route.success.schema) expect(parsed.data).toEqual(example);
        }
      }
    }
    expect(document.components.schemas.Checkout.examples[0].fee.processing_fee).toBe(332);
  });

  it('marks idempotent routes with Idempotent-Replayed and retryable errors with Retry-After', () => {
    const create = document.paths['/v1/checkouts'].post;
    expect(create.responses['201'].headers['Idempotent-Replayed']).toEqual({ $ref: '#/components/headers/IdempotentReplayed' });
    expect(create.responses['409'].headers['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' });
    expect(create.responses['429'].headers['Retry-After']).toBeDefined();
    expect(document.paths['/v1/checkouts'].get.responses['200'].headers['Idempotent-Replayed']).toBeUndefined();
  });

  it('describes the fee quote request from the schemas that validate it, in both modes', () => {
    const text = JSON.stringify(document.components.schemas);
    expect(document.components.schemas.ExplicitFeeQuoteRequest.properties).toHaveProperty('app_fee');
    expect(document.components.schemas.PolicyFeeQuoteRequest.properties).toHaveProperty('policy');
    expect(document.components.schemas.ExplicitFeeQuoteRequest.additionalProperties).toBe(false);
    expect(text).toContain('payee_from_app');
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });
});

describe('buildOpenApiDocument with a route added to the table', () => {
  // A named schema with a default reads differently as a request (optional) and as a response (required).
  const tag = z.object({ name: z.string(), color: z._default(z.enum(['red', 'blue']), 'red') }).register(z.globalRegistry, { id: 'Tag' });
  const tagList = z.object({ data: z.array(tag) }).register(z.globalRegistry, { id: 'TagList' });
  const added: RouteDefinition = {
    id: 'tags.replace',
    method: 'POST',
    path: '/v1/tags/{id}',
    handler: 'tags-replace',
    access: ['ops'],
    uses: [],
    summary: 'Replace the tags',
    bodyType: 'json',
    body: tagList,
    query: z.strictObject({ dry_run: z.enum(['true', 'false']) }),
    success: { status: 200, schema: tagList },
    errors: ['invalid_state'],
  };
  const document: any = buildOpenApiDocument([...table, added]);

  it('documents the new route with its parameters and error codes', async () => {
    const operation = document.paths['/v1/tags/{id}'].post;
    expect(operation.parameters.map((p: any) => [p.name, p.in, p.required])).toEqual([
      ['id', 'path', true],
      ['dry_run', 'query', true],
    ]);
    expect(operation.responses['409'].content['application/json'].schema.allOf[1].properties.error.properties.code.enum).toEqual(['invalid_state']);
    expect((await new Validator().validate(structuredClone(document))).valid).toBe(true);
  });

  it('names the request side of a schema that differs as <id>Input, and each side refers to its own', () => {
    const { Tag, TagInput, TagList, TagListInput } = document.components.schemas;
    expect(Tag.required).toEqual(['name', 'color']);
    expect(TagInput.required).toEqual(['name']);
    expect(TagList.properties.data.items).toEqual({ $ref: '#/components/schemas/Tag' });
    expect(TagListInput.properties.data.items).toEqual({ $ref: '#/components/schemas/TagInput' });
    const operation = document.paths['/v1/tags/{id}'].post;
    expect(operation.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TagListInput' });
    expect(operation.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TagList' });
  });
});
