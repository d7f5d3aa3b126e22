// Every HTTP route's Lambda handler is built here, so every route shares one
// pipeline: request id and security headers, error mapping, credentials-in-URL,
// header normalization, principal and roles, body limits and card-data check,
// schema validation, and the audit record of an audited route. Handlers supply
// only the route id and the use-case call (through ./http-handler.ts, which adds
// the audit log); the audit log is a parameter so that a route that is never
// audited (the IPN receiver) does not carry the storage clients in its bundle.
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { Principal } from '#functions/domain/principal.ts';
import { config } from '#functions/config.ts';
import { logger, metrics, tracer } from '#functions/observability.ts';
import { routeById, type Route, type RouteId, type RouteDefinition } from '#functions/routes.ts';
import type { AuditDeps } from '#functions/app/audit.ts';
import { auditTrail, isAuditedRoute } from './audit.ts';
import { credentialsInUrl, parseBody, principalFromAuthorizer, publishMetrics, requestStateOf, responseEnvelope } from './middlewares.ts';
import { parseWith } from './validation.ts';

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

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

/** The route's handler; `audit` is required by every audited route (a write under /v1 but the exempt ones). */
export function routePipeline<I extends RouteId>(
  routeId: I,
  handle: (request: RouteRequest<Route<I>>) => Promise<RouteResponse>,
  audit?: () => AuditDeps,
) {
  const route = routeById(routeId) as RouteDefinition;
  if (audit === undefined && isAuditedRoute(route)) throw new Error(`Route ${routeId} is audited: its handler needs the audit log`);
  const pipeline = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    // Responses hold checkout data: traces keep timings, not bodies.
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    // Lambda context (function, cold start, request id) on every log line; keys reset per invocation.
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics(metrics));
  // Before the envelope, so that it runs after it: one record per write, with its final status.
  if (audit) pipeline.use(auditTrail(route, audit));
  return pipeline
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
      } as RouteRequest<Route<I>>;
      const response = await handle(request);
      return {
        statusCode: response.statusCode,
        headers: { 'Content-Type': 'application/json', ...response.headers },
        body: JSON.stringify(response.body),
      };
    });
}
