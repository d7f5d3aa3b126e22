// CORS in API Gateway: preflights on every route's
// resource answered by a MOCK that only names allowed origins, and the CORS
// headers on API Gateway's own answers (gateway responses) and WAF's.
import { Template } from 'aws-cdk-lib/assertions';
import { routes } from '#functions/routes.ts';
import { corsAllowHeaders, corsAllowMethods, corsExposeHeaders } from '#lib/api/cors.ts';
import { buildTestApp, cdkJsonContext } from './test-app.ts';

const example = cdkJsonContext().environments as Record<string, Record<string, unknown>>;
const twoOrigins = ['https://pay.acme.test', 'https://admin.acme.test'];
const { stages } = buildTestApp({ environments: { ...example, stage: { ...example.stage, corsAllowedOrigins: twoOrigins } } });
const stage = stages.find((s) => s.stageName === 'stage')!;
const prod = stages.find((s) => s.stageName === 'prod')!;

type Resource = { Type: string; Properties: Record<string, any> };
const resourcesOf = (template: Template) => template.toJSON().Resources as Record<string, Resource>;

/** `/v1/checkouts/{id}` of each API Gateway resource, from its parent chain. */
function resourcePaths(template: Template): Map<string, string> {
  const resources = resourcesOf(template);
  const pathOf = (id: string): string => {
    const resource = resources[id]!;
    const parent = resource.Properties.ParentId;
    const prefix = parent.Ref ? pathOf(parent.Ref) : '';
    return `${prefix}/${resource.Properties.PathPart}`;
  };
  return new Map(Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ApiGateway::Resource').map(([id]) => [id, pathOf(id)]));
}

describe.each([
  ['stage (two origins)', stage, twoOrigins],
  ['prod (one origin)', prod, ['https://platform.example.com']],
] as const)('%s', (_name, env, origins) => {
  const template = Template.fromStack(env.api);
  const options = Object.values(resourcesOf(template)).filter(
    (r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod === 'OPTIONS',
  );

  it('answers the preflight on every route path, without a token or a function', () => {
    const paths = resourcePaths(template);
    const preflighted = options.map((method) => paths.get(method.Properties.ResourceId.Ref)).sort();
    expect(preflighted).toEqual([...new Set(routes.map((route) => route.path))].sort());
    for (const method of options) {
      expect(method.Properties).toMatchObject({ AuthorizationType: 'NONE', Integration: { Type: 'MOCK' } });
      expect(method.Properties.AuthorizerId).toBeUndefined();
    }
  });

  it('answers 204 and names methods, headers and the origin only for an allowed origin', () => {
    for (const method of options) {
      const [response] = method.Properties.Integration.IntegrationResponses;
      expect(method.Properties.Integration.IntegrationResponses).toHaveLength(1);
      expect(response.StatusCode).toBe('204');
      expect(response.ResponseParameters).toMatchObject({
        'method.response.header.Vary': "'Origin'",
        'method.response.header.Cache-Control': "'no-store'",
        'method.response.header.Strict-Transport-Security': "'max-age=63072000; includeSubDomains'",
      });
      // Nothing CORS is static: an unlisted origin gets 204 with no CORS header.
      expect(Object.keys(response.ResponseParameters).filter((h) => h.includes('Access-Control'))).toEqual([]);
      const template = response.ResponseTemplates['application/json'] as string;
      const condition = /#if\((\$origin == .*)\)\n/.exec(template)?.[1];
      expect(condition).toBe(origins.map((origin) => `$origin == "${origin}"`).join(' || '));
      const guarded = template.slice(template.indexOf(`#if(${condition})`), template.lastIndexOf('#end'));
      expect(guarded).toContain('#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)');
      expect(guarded).toContain(`#set($context.responseOverride.header.Access-Control-Allow-Methods = "${corsAllowMethods}")`);
      expect(guarded).toContain(`#set($context.responseOverride.header.Access-Control-Allow-Headers = "${corsAllowHeaders}")`);
      const declared = method.Properties.MethodResponses[0];
      expect(declared.StatusCode).toBe('204');
      expect(Object.keys(declared.ResponseParameters)).toEqual(
        expect.arrayContaining(['Access-Control-Allow-Origin', 'Access-Control-Allow-Methods', 'Access-Control-Allow-Headers', 'Vary'].map((h) => `method.response.header.${h}`)),
      );
    }
    expect(corsAllowMethods).toBe('GET, POST, DELETE');
    expect(corsAllowHeaders.split(', ')).toEqual(expect.arrayContaining(['Authorization', 'Content-Type']));
  });

  it('puts the allow-origin, Vary and expose headers on every gateway response', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'));
    expect(responses.length).toBeGreaterThan(10);
    expect(responses.map((r) => r.Properties.ResponseType)).toEqual(expect.arrayContaining(['DEFAULT_4XX', 'DEFAULT_5XX', 'ACCESS_DENIED', 'UNAUTHORIZED', 'THROTTLED']));
    for (const response of responses) {
      expect(response.Properties.ResponseParameters).toMatchObject({
        // One origin: that origin. Several: the request's own Origin (docs/deploy.md "CORS in AWS").
        'gatewayresponse.header.Access-Control-Allow-Origin': origins.length === 1 ? `'${origins[0]}'` : 'method.request.header.Origin',
        'gatewayresponse.header.Vary': "'Origin'",
        'gatewayresponse.header.Access-Control-Expose-Headers': `'${corsExposeHeaders}'`,
      });
    }
    expect(corsExposeHeaders).toBe('Retry-After, X-Request-Id, Idempotent-Replayed');
  });

  it('puts the CORS and security headers on the WAF rate-limit answer, the origin only when there is one', () => {
    const acl = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0]!;
    const rule = acl.Properties.Rules.find((r: { Name: string }) => r.Name === 'RateLimitPerIp');
    const headers = Object.fromEntries(
      (rule.Action.Block.CustomResponse.ResponseHeaders as { Name: string; Value: string }[]).map((h) => [h.Name, h.Value]),
    );
    expect(headers).toMatchObject({ 'Retry-After': '60', Vary: 'Origin', 'Access-Control-Expose-Headers': corsExposeHeaders, 'Cache-Control': 'no-store' });
    expect(headers['Access-Control-Allow-Origin']).toBe(origins.length === 1 ? origins[0] : undefined);
  });
});
