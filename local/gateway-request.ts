// The request side of the local API Gateway (./api-gateway.ts): matching the
// route table, and the parts of the REST proxy event built from Node's request
// (header and query maps, the body within API Gateway's payload limit) and the
// Lambda context a handler gets.
import type { IncomingMessage } from 'node:http';
import type { Context } from 'aws-lambda';
import { routes, type RouteDefinition } from '#functions/routes.ts';

/** API Gateway's own payload limit is 10 MB; the handlers enforce the API's 64 KiB. */
const maxPayloadBytes = 10 * 1024 * 1024;

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  params: string[];
}

const compiled: CompiledRoute[] = (routes as readonly RouteDefinition[]).map((route) => {
  const params: string[] = [];
  const segments = route.path.split('/').map((segment) => {
    const param = /^\{(\w+)\}$/.exec(segment);
    if (!param) return segment.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
    params.push(param[1]!);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${segments.join('/')}$`), params };
});

export function matchRoute(method: string, path: string): { route: RouteDefinition; pathParameters: Record<string, string> } | 'not_found' | { allowed: string[] } {
  const onPath = compiled.filter((c) => c.pattern.test(path));
  if (onPath.length === 0) return 'not_found';
  const hit = onPath.find((c) => c.route.method === method);
  if (!hit) return { allowed: [...new Set(onPath.map((c) => c.route.method))] };
  const values = hit.pattern.exec(path)!.slice(1).map(decodedSegment);
  // Malformed percent-encoding names nothing (an id that cannot name a resource is 404).
  if (values.some((value) => value === undefined)) return 'not_found';
  return { route: hit.route, pathParameters: Object.fromEntries(hit.params.map((name, i) => [name, values[i]!])) };
}

function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function lambdaContext(functionName: string, awsRequestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

// Maps keyed by what the client sent have no prototype: a header or query parameter named
// `__proto__`, `constructor` or `toString` is just a name (as in the event Lambda parses in AWS).
const emptyMap = <T>() => Object.create(null) as Record<string, T>;

export function headerMaps(req: IncomingMessage) {
  const headers = emptyMap<string>();
  const multiValueHeaders = emptyMap<string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return { headers, multiValueHeaders };
}

/**
 * The path and query of the request line, taken as sent: no URL parser that could throw on odd
 * input or read `//host/...` as another host. A target that is not a path names no route.
 */
export function requestTarget(target: string): { pathname: string; searchParams: URLSearchParams } {
  const query = target.indexOf('?');
  const pathname = query === -1 ? target : target.slice(0, query);
  return { pathname: pathname.startsWith('/') ? pathname : '', searchParams: new URLSearchParams(query === -1 ? '' : target.slice(query)) };
}

export function queryMaps(url: { searchParams: URLSearchParams }) {
  if ([...url.searchParams.keys()].length === 0) return { queryStringParameters: null, multiValueQueryStringParameters: null };
  const single = emptyMap<string>();
  const multi = emptyMap<string[]>();
  for (const [key, value] of url.searchParams) {
    single[key] = value;
    (multi[key] ??= []).push(value);
  }
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

export async function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxPayloadBytes) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
