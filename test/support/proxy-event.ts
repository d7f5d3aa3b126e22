// API Gateway REST proxy events as the Lambda handlers receive them, and a way to
// call a handler with one. The authorizer context mirrors what
// functions/handlers/authorize.ts puts there (`sub`, comma-separated `groups`).
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Reply } from './api-expectations.ts';

export interface ProxyEventOptions {
  method?: string;
  path?: string;
  /** An object is sent as JSON (with `Content-Type: application/json` unless headers say otherwise); a string as is. */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** The authenticated caller; omit for a request the authorizer did not identify. */
  principal?: { sub: string; groups: readonly string[] };
  /** API Gateway's request id (the API's `request_id` is `req_` + this). */
  requestId?: string;
}

export function proxyEvent(options: ProxyEventOptions = {}): APIGatewayProxyEvent {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/v1/health';
  const headers: Record<string, string> = { ...options.headers };
  let body: string | null = null;
  if (typeof options.body === 'string') body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  const query = options.query && Object.keys(options.query).length > 0 ? options.query : null;
  const requestId = options.requestId ?? randomUUID();
  return {
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: query,
    multiValueQueryStringParameters: query && Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]])),
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      stage: 'test',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'test',
      resourcePath: path,
      httpMethod: method,
      path: `/test${path}`,
      protocol: 'HTTP/1.1',
      identity: { sourceIp: '203.0.113.9', userAgent: 'jest' },
      authorizer: options.principal
        ? { principalId: options.principal.sub, sub: options.principal.sub, groups: options.principal.groups.join(',') }
        : null,
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

export function lambdaContext(awsRequestId: string = randomUUID()): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: '/aws/lambda/test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Calls a handler as Lambda would; header names in the reply are lower-cased. */
export async function invoke(handler: ProxyHandler, event: APIGatewayProxyEvent): Promise<Reply> {
  const result = await handler(event, lambdaContext());
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
  return { status: result.statusCode, headers, body: result.body === '' ? null : JSON.parse(result.body), text: result.body };
}
