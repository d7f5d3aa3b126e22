// The pipeline every HTTP route's Lambda handler shares: request id and security
// headers, error mapping, credentials-in-URL, header normalization, principal and
// roles, body limits and card-data check, schema validation, the audit record.
// Handlers build it through http-handler.ts (audited routes, the audit log wired in)
// or unaudited-handler.ts (health, the OpenAPI document, the fee quote, the IPN
// receiver: no audit log, so their bundles carry no DynamoDB client).
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { ProviderUnavailableError } from '#functions/domain/errors.ts';
import type { Principal } from '#functions/domain/principal.ts';
import { config } from '#functions/config.ts';
import { logger, metrics } from '#functions/observability.ts';
import type { RouteDefinition } from '#functions/routes.ts';
import type { AuditDeps } from '#functions/app/audit.ts';
import { auditTrail, isAuditedRoute } from './audit.ts';
import { credentialsInUrl, parseBody, principalFromAuthorizer, publishMetrics, requestStateOf, responseEnvelope } from './middlewares.ts';
import { parseWith } from './validation.ts';

type Output<S> = S extends z.core.$ZodType ? z.output<S> : undefined;

export interface RouteRequest<R extends RouteDefinition> {
  body: Output<R['body']>;
  query: Output<R['query']>;
  pathParameters: Record<string, string>;
  /** Present on every route that needs a bearer token (the pipeline refuses the request otherwise). */
  principal: R['access'] extends readonly unknown[] ? Principal : undefined;
  requestId: string;
  sourceIp: string;
  /** The raw form fields of a `form` route (the IPN). */
  event: APIGatewayProxyEvent;
}

export interface RouteResponse {
  statusCode: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * Just before the function's own timeout: the work may still be under way (a provider call,
 * a recorded intent), so its outcome is unknown. The answer says so, as for a lost provider
 * answer: 503 provider_unavailable with Retry-After, and the idempotency key stays bound to
 * this request until its retry settles what happened. (Middy's default is a bare error: a 500.)
 */
function outOfTime(): never {
  throw new ProviderUnavailableError('The request ran out of time before its outcome was known; retry it (a write with the same unique_id)', 5);
}

export function httpPipeline<R extends RouteDefinition>(
  route: R,
  handle: (request: RouteRequest<R>) => Promise<RouteResponse>,
  auditDeps: (() => AuditDeps) | undefined,
) {
  if (!auditDeps && isAuditedRoute(route)) throw new Error(`${route.id} is audited: build its handler with httpHandler (http-handler.ts)`);
  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>({ timeoutEarlyResponse: outOfTime })
    // Lambda context (function, cold start, request id) on every log line; keys reset per invocation.
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics(metrics))
    // Before the envelope, so that it runs after it: one record per write, with its final status.
    .use(auditDeps ? auditTrail(route, auditDeps) : { before: () => undefined })
    .use(responseEnvelope(logger, () => config().corsAllowedOrigins))
    .use(credentialsInUrl())
    .use(httpHeaderNormalizer())
    .use(principalFromAuthorizer(route))
    .use(parseBody(route))
    .handler(async (event) => {
      const state = requestStateOf(event);
      const request = {
        body: route.body ? parseWith(route.body, state.body) : state.body,
        query: route.query ? parseWith(route.query, event.queryStringParameters ?? {}) : undefined,
        pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
        principal: state.principal,
        requestId: state.requestId,
        sourceIp: event.requestContext?.identity?.sourceIp ?? '',
        event,
      } as RouteRequest<R>;
      const response = await handle(request);
      return {
        statusCode: response.statusCode,
        headers: { 'Content-Type': 'application/json', ...response.headers },
        body: JSON.stringify(response.body),
      };
    });
  // Which route the handler serves, for the test that holds every handler file to its own route.
  return Object.assign(handler, { routeId: route.id });
}
