// CORS in API Gateway: the preflight every route answers,
// and the headers of the answers API Gateway and WAF make on their own. Handler
// answers carry the same headers from the functions' own CORS code (CORS_ALLOWED_ORIGINS).
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Validations } from 'aws-cdk-lib';
import { securityHeaders } from '#lib/api-error-responses.ts';

export const corsAllowMethods = 'GET, POST, DELETE';
export const corsAllowHeaders = 'Authorization, Content-Type';
export const corsExposeHeaders = 'Retry-After, X-Request-Id, Idempotent-Replayed';
/** How long a browser may reuse a preflight answer. */
export const corsMaxAgeSeconds = 3600;

/** `Origin` header values as browsers send them: scheme, host and port, no path or trailing slash. */
export function normalizedOrigins(origins: readonly string[]): string[] {
  return [...new Set(origins.map((origin) => new URL(origin).origin))];
}

/**
 * The preflight as a MOCK integration that reaches no code: 204 always; the CORS headers only when the
 * request's Origin is one of the allowed ones (an unlisted origin gets 204 without them, as the API contract says).
 * API Gateway's own `defaultCorsPreflightOptions` would answer an unlisted origin with the first allowed one.
 */
export function addCorsPreflight(resource: apigw.IResource, origins: readonly string[]): apigw.Method {
  const allowed = normalizedOrigins(origins);
  const matches = allowed.map((origin) => `$origin == ${JSON.stringify(origin)}`).join(' || ');
  const responseTemplate = [
    '#set($origin = $input.params().header.get("Origin"))',
    '#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end',
    '#set($context.responseOverride.header.X-Request-Id = "req_$context.requestId")',
    `#if(${matches})`,
    '#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
    `#set($context.responseOverride.header.Access-Control-Allow-Methods = "${corsAllowMethods}")`,
    `#set($context.responseOverride.header.Access-Control-Allow-Headers = "${corsAllowHeaders}")`,
    `#set($context.responseOverride.header.Access-Control-Max-Age = "${corsMaxAgeSeconds}")`,
    '#end',
  ].join('\n');
  const staticHeaders: Record<string, string> = { ...securityHeaders, Vary: 'Origin' };
  const overridden = ['X-Request-Id', 'Access-Control-Allow-Origin', 'Access-Control-Allow-Methods', 'Access-Control-Allow-Headers', 'Access-Control-Max-Age'];
  const method = resource.addMethod(
    'OPTIONS',
    new apigw.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 204}' },
      integrationResponses: [
        {
          statusCode: '204',
          responseParameters: Object.fromEntries(Object.entries(staticHeaders).map(([name, value]) => [`method.response.header.${name}`, `'${value}'`])),
          responseTemplates: { 'application/json': responseTemplate },
        },
      ],
    }),
    {
      authorizationType: apigw.AuthorizationType.NONE,
      methodResponses: [
        {
          statusCode: '204',
          responseParameters: Object.fromEntries([...Object.keys(staticHeaders), ...overridden].map((name) => [`method.response.header.${name}`, true])),
        },
      ],
    },
  );
  const why =
    'CORS preflight (OPTIONS): browsers send it without credentials by specification; a MOCK integration that reaches no code and no data and answers only which origins, methods and headers are allowed.';
  Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: why }, { id: 'AwsSolutions-COG4', reason: why });
  return method;
}

/**
 * CORS headers of gateway responses, as API Gateway parameter mappings. A gateway response can
 * only send a static value or a request parameter: with one allowed origin it names that origin;
 * with several it echoes the request's Origin, unfiltered (docs/deploy.md "CORS in AWS"). That is
 * safe here because the API's only credential is the bearer token a script must send itself (no
 * cookies, no Access-Control-Allow-Credentials), and these answers are error bodies without data.
 */
export function gatewayCorsHeaders(origins: readonly string[]): Record<string, string> {
  const allowed = normalizedOrigins(origins);
  return {
    'Access-Control-Allow-Origin': allowed.length === 1 ? `'${allowed[0]}'` : 'method.request.header.Origin',
    Vary: "'Origin'",
    'Access-Control-Expose-Headers': `'${corsExposeHeaders}'`,
  };
}

/** The same for WAF's custom responses, which take static values only: the origin only when there is one. */
export function firewallCorsHeaders(origins: readonly string[]): Record<string, string> {
  const allowed = normalizedOrigins(origins);
  return {
    ...(allowed.length === 1 ? { 'Access-Control-Allow-Origin': allowed[0]! } : {}),
    Vary: 'Origin',
    'Access-Control-Expose-Headers': corsExposeHeaders,
  };
}
