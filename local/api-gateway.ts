// A small HTTP server that does locally what API Gateway does in AWS: match the
// route table, run the REQUEST authorizer for protected routes, turn the request
// into the REST proxy event the Lambda would get (request context with source IP
// and the authorizer's principal), and call the same handler module.
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { AuthenticationError, InvalidRequestError, NotFoundError, type PaymentsError } from '#functions/domain/errors.ts';
import { errorResponse } from '#functions/http/error-response.ts';
import { hasCredentialsInQuery } from '#functions/http/authentication.ts';
import { requestIdFrom, securityHeaders } from '#functions/http/security-headers.ts';
import { corsHeaders, originOf, preflightHeaders } from '#functions/http/cors.ts';
import { config } from '#functions/config.ts';
import { redactString } from '#functions/observability.ts';
import { headerMaps, lambdaContext, matchRoute, queryMaps, readBody, requestTarget } from './gateway-request.ts';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type AuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

const stage = 'local';

function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) headers[k] = v.map(String);
  res.writeHead(result.statusCode, headers);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

/** CORS_ALLOWED_ORIGINS, read per request as the functions do; a bad configuration allows none. */
function allowedOrigins(): readonly string[] {
  try {
    return config().corsAllowedOrigins;
  } catch {
    return [];
  }
}

/** What API Gateway's gateway responses send (the CDK stack configures the same bodies). */
function gatewayError(error: PaymentsError | Error, requestId: string, extraHeaders: Record<string, string> = {}): APIGatewayProxyResult {
  const mapped = errorResponse(error, requestId);
  return {
    statusCode: mapped.statusCode,
    headers: { 'Content-Type': 'application/json', ...securityHeaders, 'X-Request-Id': requestId, ...mapped.headers, ...extraHeaders },
    body: JSON.stringify(mapped.body),
  };
}

/**
 * A request Node's parser refuses (an unknown method, a malformed request line, headers over its
 * limit) never reaches a handler; it still gets the API's error body and headers, not Node's bare 400.
 * API Gateway answers such requests itself too (its REQUEST_TOO_LARGE is 413, see docs/security.md).
 */
function answerUnreadableRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const refusal =
    error.code === 'HPE_INVALID_METHOD'
      ? new InvalidRequestError('method_not_allowed', 'Method not allowed on this path')
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? new InvalidRequestError('body_too_large', 'The request headers are too large')
        : new InvalidRequestError('parameter_invalid', 'The request could not be read');
  const result = gatewayError(refusal, requestIdFrom(randomUUID()));
  const headers = Object.entries({ ...result.headers, 'Content-Length': Buffer.byteLength(result.body), Connection: 'close' });
  socket.end(
    `HTTP/1.1 ${result.statusCode} ${STATUS_CODES[result.statusCode]}\r\n${headers.map(([name, value]) => `${name}: ${String(value)}\r\n`).join('')}\r\n${result.body}`,
  );
}

export interface ApiGatewayOptions {
  port: number;
  host?: string;
  /** Loads a handler module by its route-table name (functions/handlers/<name>.ts). */
  loadHandler: (name: string) => Promise<unknown>;
  functionTimeoutMs?: number;
  /** Runs one function invocation (the local runtime gives each its own logger and metrics). */
  invoke?: <T>(run: () => Promise<T>) => Promise<T>;
  /** One line per request: method, path, status, duration, function. */
  requestLog?: (line: string) => void;
  log?: (line: string) => void;
  /** Local-only pages (the /demo/ checkout), tried before routing; true when it answered. Never in the route table. */
  localPages?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export interface RunningApiGateway {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export async function startApiGateway(options: ApiGatewayOptions): Promise<RunningApiGateway> {
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.functionTimeoutMs ?? 30_000;
  const modules = new Map<string, Promise<unknown>>();
  const load = <T>(name: string, exportName = 'handler'): Promise<T> => {
    if (!modules.has(name)) modules.set(name, options.loadHandler(name));
    return modules.get(name)!.then((module) => (module as Record<string, T>)[exportName]!);
  };

  const invoke = options.invoke ?? (<T>(run: () => Promise<T>) => run());
  const handle = async (req: IncomingMessage, res: ServerResponse, awsRequestId: string, invoked: { fn: string; path?: string }) => {
    if (await options.localPages?.(req, res)) return;
    const requestId = requestIdFrom(awsRequestId);
    const url = requestTarget(req.url ?? '/');
    const method = (req.method ?? 'GET').toUpperCase();
    const matched = matchRoute(method, url.pathname);
    // The API contract refuses credentials in the URL on every path: on a route the handler does it; where no
    // handler runs (unknown path, wrong method) the gateway does, as the CDK app's mock methods do.
    const credential = [...url.searchParams.keys()].find((key) => hasCredentialsInQuery([key]));
    if (credential && (matched === 'not_found' || 'allowed' in matched)) {
      const error = new InvalidRequestError('credentials_in_url', 'Credentials must not be sent in the URL; use the Authorization header', {
        param: credential.toLowerCase(),
      });
      return send(res, gatewayError(error, requestId));
    }
    // The messages are API Gateway's (lib/api-error-responses.ts): they echo nothing the client sent.
    if (matched === 'not_found') return send(res, gatewayError(new NotFoundError('No such resource'), requestId));
    if (method === 'OPTIONS' && 'allowed' in matched) {
      // The CORS preflight, answered without a token as API Gateway's OPTIONS method does in AWS.
      const headers = { ...securityHeaders, 'X-Request-Id': requestId, ...preflightHeaders(originOf(req.headers), allowedOrigins()) };
      options.log?.(`${method} ${url.pathname} 204`);
      return send(res, { statusCode: 204, headers, body: '' });
    }
    if ('allowed' in matched) {
      return send(
        res,
        gatewayError(new InvalidRequestError('method_not_allowed', 'Method not allowed on this path'), requestId, {
          Allow: matched.allowed.join(', '),
        }),
      );
    }
    const body = await readBody(req);
    if (body === 'too_large') {
      return send(res, gatewayError(new InvalidRequestError('body_too_large', 'The body may not exceed 65536 bytes'), requestId));
    }
    const { route, pathParameters } = matched;
    invoked.fn = route.handler;
    // A route token is a credential: such a path is logged as its template.
    if (/token|secret/i.test(route.path)) invoked.path = route.path;
    const { headers, multiValueHeaders } = headerMaps(req);
    const query = queryMaps(url);
    const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    const identity = { sourceIp, userAgent: headers['user-agent'] ?? headers['User-Agent'] ?? null } as APIGatewayProxyEvent['requestContext']['identity'];
    const requestContext = {
      accountId: '000000000000',
      apiId: 'local',
      stage,
      requestId: awsRequestId,
      requestTimeEpoch: Date.now(),
      resourceId: route.id,
      resourcePath: route.path,
      httpMethod: method,
      path: `/${stage}${url.pathname}`,
      protocol: `HTTP/${req.httpVersion}`,
      identity,
      authorizer: null as Record<string, unknown> | null,
    };

    if (Array.isArray(route.access)) {
      const authorize = await load<AuthorizerHandler>('authorize');
      const result = await invoke(() => authorize({
        type: 'REQUEST',
        methodArn: `arn:aws:execute-api:local:000000000000:local/${stage}/${method}${route.path}`,
        resource: route.path,
        path: url.pathname,
        httpMethod: method,
        headers,
        multiValueHeaders,
        pathParameters,
        stageVariables: null,
        requestContext: requestContext as unknown as APIGatewayRequestAuthorizerEvent['requestContext'],
        ...query,
      }));
      const allowed = result.policyDocument.Statement.every((s) => 'Effect' in s && s.Effect === 'Allow');
      if (!allowed) {
        const context = (result.context ?? {}) as { code?: string; message?: string };
        const error = new AuthenticationError((context.code as 'token_invalid') ?? 'token_invalid', context.message ?? 'Unauthorized');
        return send(res, gatewayError(error, requestId));
      }
      requestContext.authorizer = { principalId: result.principalId, ...result.context };
    }

    const event = {
      resource: route.path,
      path: url.pathname,
      httpMethod: method,
      headers,
      multiValueHeaders,
      ...query,
      pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
      stageVariables: null,
      requestContext,
      body: body.length > 0 ? body.toString('utf8') : null,
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEvent;
    const handler = await load<ProxyHandler>(route.handler);
    const result = await invoke(() => handler(event, lambdaContext(route.handler, awsRequestId, timeoutMs)));
    send(res, result);
  };

  const server = createServer((req, res) => {
    const awsRequestId = randomUUID();
    // Every answer, the gateway's own (404, 405, 401, 502...) included, carries the CORS headers.
    for (const [name, value] of Object.entries(corsHeaders(originOf(req.headers), allowedOrigins()))) res.setHeader(name, value);
    const started = performance.now();
    const invoked: { fn: string; path?: string } = { fn: '-' };
    if (options.requestLog) {
      const requestLog = options.requestLog;
      // The path without its query string (a query may carry what must not be logged), card-like
      // digit runs masked; the arrow and parentheses keep the path's digits apart from the status's.
      res.once('finish', () => {
        const path = invoked.path ?? redactString((req.url ?? '/').split('?')[0]!);
        requestLog(`${req.method} ${path} → ${res.statusCode} (${Math.round(performance.now() - started)} ms, ${invoked.fn})`);
      });
    }
    handle(req, res, awsRequestId, invoked).catch((error: unknown) => {
      // A function that throws (or cannot load) is a Lambda error: API Gateway answers 502, which the
      // CDK app's DEFAULT_5XX gateway response renders as the API's internal_error, without details
      // (errorResponse maps anything that is not a PaymentsError to that generic body).
      options.log?.(`handler failed: ${(error as Error).name}`);
      if (!res.headersSent) {
        const requestId = requestIdFrom(awsRequestId);
        send(res, { ...gatewayError(new Error('function failed'), requestId), statusCode: 502 });
      }
    });
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => answerUnreadableRequest(error, socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
