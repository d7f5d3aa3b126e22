// GET /v1/health and GET /v1/openapi.json through their real handlers.
import { handler as health } from '#functions/handlers/health.ts';
import { handler as openapi } from '#functions/handlers/openapi.ts';
import { statusOf } from '#functions/http/error-response.ts';
import { routes, type RouteDefinition } from '#functions/routes.ts';
import { expectEveryResponseHeaders } from '../../support/api-expectations.ts';
import { invoke, proxyEvent } from '../../support/proxy-event.ts';

it('GET /v1/health is 200 {"status":"ok"} with the headers of every response', async () => {
  const reply = await invoke(health, proxyEvent({ path: '/v1/health' }));
  expect(reply.status).toBe(200);
  expect(reply.body).toEqual({ status: 'ok' });
  expectEveryResponseHeaders(reply);
});

describe('GET /v1/openapi.json', () => {
  let document: any;
  beforeAll(async () => {
    const reply = await invoke(openapi, proxyEvent({ path: '/v1/openapi.json' }));
    expect(reply.status).toBe(200);
    expectEveryResponseHeaders(reply);
    document = reply.body;
  });

  it('is an OpenAPI 3.1 document', () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info).toEqual(expect.objectContaining({ title: expect.any(String), version: expect.any(String) }));
  });

  it.each((routes as readonly RouteDefinition[]).map((r) => [`${r.method} ${r.path}`, r] as const))('documents %s', (_name, route) => {
    const operation = document.paths[route.path]?.[route.method.toLowerCase()];
    expect(operation).toBeDefined();
    expect(operation.operationId).toBe(route.id);
    expect(operation.responses[String(route.success.status)]).toBeDefined();
    for (const code of route.errors) expect(operation.responses[String(statusOf(code))]?.description).toContain(code);
    expect(operation.responses['500']?.description).toContain('internal_error');
    if (Array.isArray(route.access)) {
      expect(operation.security).toEqual([{ bearer: [] }]);
      for (const code of ['authentication_required', 'token_invalid', 'token_expired']) expect(operation.responses['401'].description).toContain(code);
      expect(operation.responses['403'].description).toContain('permission_denied');
    } else {
      expect(operation.security).toEqual([]);
    }
    if (route.bodyType === 'json') {
      expect(operation.requestBody.content['application/json'].schema).toBeDefined();
      for (const code of ['parameter_missing', 'parameter_invalid', 'unknown_parameter', 'body_unparseable', 'raw_card_data']) {
        expect(operation.responses['400'].description).toContain(code);
      }
      expect(operation.responses['413'].description).toContain('body_too_large');
      expect(operation.responses['415'].description).toContain('unsupported_media_type');
    }
  });

  it('every error response is the Error schema', () => {
    expect(document.components.schemas.Error).toBeDefined();
    for (const path of Object.values<any>(document.paths)) {
      for (const operation of Object.values<any>(path)) {
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          if (Number(status) >= 400) expect(response.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
        }
      }
    }
  });

  it('describes the fee quote request from the schemas that validate it, in both modes', () => {
    const text = JSON.stringify(document.components.schemas);
    expect(document.components.schemas.ExplicitFeeQuoteRequest.properties).toHaveProperty('app_fee');
    expect(document.components.schemas.PolicyFeeQuoteRequest.properties).toHaveProperty('policy');
    expect(document.components.schemas.ExplicitFeeQuoteRequest.additionalProperties).toBe(false);
    expect(text).toContain('payee_from_app');
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
