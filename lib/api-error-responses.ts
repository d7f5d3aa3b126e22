// Responses API Gateway and WAF answer on their own, before or instead of a
// handler, in the API's error format with its security headers.
import * as apigw from 'aws-cdk-lib/aws-apigateway';

/** The API's "Every response" rules: static headers, quoted for API Gateway parameter mapping. */
export const securityHeaders: Record<string, string> = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** The credential-looking query parameters the API contract rejects with 400 credentials_in_url. */
export const credentialQueryParameters = ['access_token', 'api_key', 'apikey', 'token', 'client_secret'] as const;

/** An API error body; `message` is inserted as is (a JSON string literal or a `$context...String` variable). */
export function errorBody(type: string, code: string, messageJson: string): string {
  return `{"error":{"type":"${type}","code":"${code}","message":${messageJson},"request_id":"req_$context.requestId"}}`;
}

interface GatewayErrorResponse {
  type: apigw.ResponseType;
  status: string;
  errorType: string;
  code: string;
  /** A JSON string literal, or `$context.error.messageString` (already quoted and escaped). */
  message: string;
  extraHeaders?: Record<string, string>;
}

const gatewayErrorResponses: GatewayErrorResponse[] = [
  // The authorizer denied: its context carries the API's code and message.
  {
    type: apigw.ResponseType.ACCESS_DENIED,
    status: '401',
    errorType: 'authentication_error',
    code: '$context.authorizer.code',
    message: '"$context.authorizer.message"',
    extraHeaders: { 'WWW-Authenticate': 'Bearer' },
  },
  // The authorizer threw "Unauthorized" (its documented way to say "no credentials").
  {
    type: apigw.ResponseType.UNAUTHORIZED,
    status: '401',
    errorType: 'authentication_error',
    code: 'authentication_required',
    message: '"A bearer token is required"',
    extraHeaders: { 'WWW-Authenticate': 'Bearer' },
  },
  { type: apigw.ResponseType.AUTHORIZER_FAILURE, status: '500', errorType: 'api_error', code: 'internal_error', message: '"Internal error"' },
  { type: apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, status: '500', errorType: 'api_error', code: 'internal_error', message: '"Internal error"' },
  // No resource matches the path (API Gateway's "Missing Authentication Token").
  { type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, status: '404', errorType: 'not_found', code: 'resource_missing', message: '"No such resource"' },
  { type: apigw.ResponseType.RESOURCE_NOT_FOUND, status: '404', errorType: 'not_found', code: 'resource_missing', message: '"No such resource"' },
  { type: apigw.ResponseType.BAD_REQUEST_PARAMETERS, status: '400', errorType: 'invalid_request', code: 'parameter_missing', message: '$context.error.messageString' },
  { type: apigw.ResponseType.BAD_REQUEST_BODY, status: '400', errorType: 'invalid_request', code: 'parameter_invalid', message: '$context.error.messageString' },
  { type: apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE, status: '415', errorType: 'invalid_request', code: 'unsupported_media_type', message: '"Unsupported media type"' },
  // API Gateway's own ceiling is 10 MB; the 64 KiB limit of the API contract is enforced by the handlers.
  { type: apigw.ResponseType.REQUEST_TOO_LARGE, status: '413', errorType: 'invalid_request', code: 'body_too_large', message: '"Request bodies are limited to 64 KiB"' },
  { type: apigw.ResponseType.THROTTLED, status: '429', errorType: 'rate_limit_error', code: 'rate_limited', message: '"Too many requests"', extraHeaders: { 'Retry-After': '1' } },
  { type: apigw.ResponseType.QUOTA_EXCEEDED, status: '429', errorType: 'rate_limit_error', code: 'rate_limited', message: '"Too many requests"', extraHeaders: { 'Retry-After': '60' } },
  // The handler did not answer within API Gateway's 29 s: the outcome at the provider is unknown,
  // and the API's answer to that is 503 provider_unavailable (retry with the same unique_id).
  { type: apigw.ResponseType.INTEGRATION_TIMEOUT, status: '503', errorType: 'provider_error', code: 'provider_unavailable', message: '"The request timed out; retry it with the same unique_id"', extraHeaders: { 'Retry-After': '5' } },
  { type: apigw.ResponseType.INTEGRATION_FAILURE, status: '500', errorType: 'api_error', code: 'internal_error', message: '"Internal error"' },
  { type: apigw.ResponseType.DEFAULT_4XX, status: '', errorType: 'invalid_request', code: 'parameter_invalid', message: '$context.error.messageString' },
  { type: apigw.ResponseType.DEFAULT_5XX, status: '', errorType: 'api_error', code: 'internal_error', message: '"Internal error"' },
];

/**
 * Gateway responses cannot map `$context` variables into headers (their header
 * values are static strings or request parameters only), so they carry no
 * `X-Request-Id`; the request id is in the body's `request_id` and in API
 * Gateway's own `x-amzn-RequestId` header. Handler and mock responses do set it.
 * `corsHeaders` are parameter mappings already (lib/api/cors.ts gatewayCorsHeaders).
 */
export function addGatewayErrorResponses(api: apigw.RestApi, corsHeaders: Record<string, string>): void {
  for (const response of gatewayErrorResponses) {
    const headers: Record<string, string> = { ...securityHeaders, ...response.extraHeaders };
    api.addGatewayResponse(`Gateway-${response.type.responseType}`, {
      type: response.type,
      ...(response.status ? { statusCode: response.status } : {}),
      responseHeaders: {
        ...Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, `'${value}'`])),
        ...corsHeaders,
      },
      templates: { 'application/json': errorBody(response.errorType, response.code, response.message) },
    });
  }
}

interface Refusal {
  status: '404' | '405';
  errorType: string;
  code: string;
  message: string;
}

const methodNotAllowed: Refusal = { status: '405', errorType: 'invalid_request', code: 'method_not_allowed', message: 'Method not allowed on this path' };
const noSuchResource: Refusal = { status: '404', errorType: 'not_found', code: 'resource_missing', message: 'No such resource' };

/**
 * `ANY` on a route's resource answers the methods the route table does not
 * declare: 405 method_not_allowed, or 400 credentials_in_url first when the
 * query string carries a credential (on every path, before anything else).
 */
export function methodNotAllowedIntegration(): apigw.MockIntegration {
  return refusalIntegration(methodNotAllowed);
}

/** `ANY /{proxy+}` answers every path no route declares: 404 resource_missing, or 400 credentials_in_url. */
export function unknownPathIntegration(): apigw.MockIntegration {
  return refusalIntegration(noSuchResource);
}

function refusalIntegration(refusal: Refusal): apigw.MockIntegration {
  const names = credentialQueryParameters.map((name) => `"${name}"`).join(',');
  const requestTemplate = [
    `#set($credentialNames = [${names}])`,
    `#set($status = ${refusal.status})`,
    '#foreach($name in $input.params().querystring.keySet())',
    '#if($credentialNames.contains($name.toLowerCase()))#set($status = 400)#end',
    '#end',
    '{"statusCode": $status}',
  ].join('\n');
  const requestIdHeader = '#set($context.responseOverride.header.X-Request-Id = "req_$context.requestId")';
  const headers = Object.fromEntries(
    Object.entries(securityHeaders).map(([name, value]) => [`method.response.header.${name}`, `'${value}'`]),
  );
  return new apigw.MockIntegration({
    passthroughBehavior: apigw.PassthroughBehavior.NEVER,
    requestTemplates: {
      'application/json': requestTemplate,
      'application/x-www-form-urlencoded': requestTemplate,
      'text/plain': requestTemplate,
    },
    integrationResponses: [
      {
        statusCode: '400',
        selectionPattern: '400',
        responseParameters: headers,
        responseTemplates: {
          'application/json': `${requestIdHeader}\n${errorBody('invalid_request', 'credentials_in_url', '"Credentials must not be sent in the URL"')}`,
        },
      },
      {
        statusCode: refusal.status,
        responseParameters: headers,
        responseTemplates: {
          'application/json': `${requestIdHeader}\n${errorBody(refusal.errorType, refusal.code, JSON.stringify(refusal.message))}`,
        },
      },
    ],
  });
}

export function methodNotAllowedResponses(otherStatus: '404' | '405' = '405'): apigw.MethodResponse[] {
  const headers = Object.fromEntries(Object.keys(securityHeaders).map((name) => [`method.response.header.${name}`, true]));
  return ['400', otherStatus].map((statusCode) => ({ statusCode, responseParameters: { ...headers, 'method.response.header.X-Request-Id': true } }));
}
