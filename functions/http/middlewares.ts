// The middy middlewares every route shares, in the order http-handler.ts applies them.
import { VelocityLimitedError } from '#functions/domain/velocity.ts';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { InvalidRequestError, AuthenticationError, PermissionDeniedError } from '#functions/domain/errors.ts';
import { valueContainsCardNumber, containsCardNumber } from '#functions/domain/card-data.ts';
import { roles as allRoles, type Principal, type Role } from '#functions/domain/principal.ts';
import type { RouteDefinition } from '#functions/routes.ts';
import { errorResponse } from './error-response.ts';
import { requestIdFrom, securityHeaders } from './security-headers.ts';
import { rejectCredentialsInQuery } from './authentication.ts';
// Browsers see a response only when its origin is allowed; preflights never reach a function.
import { corsHeaders, originOf } from './cors.ts';
import { jsonNestsDeeperThan, maxJsonDepth } from './json-depth.ts';
import { businessMetric, countMetric, countMetricWithDimension } from '#functions/observability.ts';

export const maxBodyBytes = 64 * 1024;

/** What the middlewares learn about a request, for the handler. */
export interface RequestState {
  requestId: string;
  principal: Principal | undefined;
  /** Parsed JSON body, or form fields for `form` routes; undefined for `none`. */
  body: unknown;
}

type Middleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;
type HttpRequest = Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

// Keyed by the event object: middy hands the handler (event, context), not the request.
const states = new WeakMap<APIGatewayProxyEvent, RequestState>();

function state(request: HttpRequest): RequestState {
  let found = states.get(request.event);
  if (!found) {
    found = {
      requestId: requestIdFrom(request.event.requestContext?.requestId ?? request.context.awsRequestId),
      principal: undefined,
      body: undefined,
    };
    states.set(request.event, found);
  }
  return found;
}

export function requestStateOf(event: APIGatewayProxyEvent): RequestState {
  const found = states.get(event);
  if (!found) throw new Error('request state is set by responseEnvelope');
  return found;
}

/**
 * Outermost: gives the request its id, maps any error to the API's error body,
 * and puts the security headers and X-Request-Id on every response.
 */
export function responseEnvelope(logger: Logger, allowedOrigins: () => readonly string[] = () => []): Middleware {
  const finish = (request: HttpRequest) => {
    const { requestId } = state(request);
    const response = request.response!;
    response.headers = { ...response.headers, ...securityHeaders, 'X-Request-Id': requestId, ...corsHeaders(originOf(request.event.headers), allowedOrigins()) };
  };
  return {
    before: (request) => {
      logger.appendKeys({ request_id: state(request).requestId });
    },
    after: (request) => {
      finish(request);
      logger.info('request completed', { route: request.event.resource, status: request.response?.statusCode });
    },
    onError: (request) => {
      const { requestId } = state(request);
      const mapped = errorResponse(request.error, requestId);
      if (request.error instanceof VelocityLimitedError) countMetricWithDimension(businessMetric.velocityLimited, { name: 'limit', value: request.error.dimension });
      else countRefusal(mapped.body.error.code);
      if (mapped.statusCode >= 500) logger.error('request failed', { error: request.error as Error });
      else logger.info('request refused', { status: mapped.statusCode, code: mapped.body.error.code });
      request.response = {
        statusCode: mapped.statusCode,
        headers: { 'Content-Type': 'application/json', ...mapped.headers },
        body: JSON.stringify(mapped.body),
      };
      finish(request);
    },
  };
}

/** Flushes the request's business metrics, if it recorded any (an empty flush only warns). */
export function publishMetrics(metrics: Metrics): Middleware {
  const flush = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: flush, onError: flush };
}

/** A credential in the query string is refused on every path, before authentication. */
export function credentialsInUrl(): Middleware {
  return {
    before: (request) => {
      const names = Object.keys({
        ...request.event.queryStringParameters,
        ...request.event.multiValueQueryStringParameters,
      });
      rejectCredentialsInQuery(names);
    },
  };
}

/**
 * The principal comes from the REQUEST authorizer's context (API Gateway in AWS,
 * the local server locally); the handler enforces the route's roles.
 */
export function principalFromAuthorizer(route: RouteDefinition): Middleware {
  return {
    before: (request) => {
      if (!Array.isArray(route.access)) return;
      const authorizer = request.event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
      const sub = authorizer?.sub;
      if (typeof sub !== 'string' || sub === '') {
        throw new AuthenticationError('authentication_required', 'An Authorization: Bearer token is required');
      }
      const groups = String(authorizer?.groups ?? '').split(',');
      // 'agent' only with the mandate the authorizer found for an agt_ token.
      const mandateId = typeof authorizer?.mandate_id === 'string' && authorizer.mandate_id !== '' ? authorizer.mandate_id : undefined;
      const principal: Principal = {
        sub,
        roles: allRoles.filter((r) => groups.includes(r) && (r !== 'agent' || mandateId !== undefined)),
        ...(mandateId === undefined ? {} : { mandateId }),
      };
      const allowed = route.access as readonly Role[];
      if (!principal.roles.some((role) => allowed.includes(role))) {
        throw new PermissionDeniedError(`This action requires the role ${allowed.join(' or ')}`);
      }
      state(request).principal = principal;
    },
  };
}

const refusalMetrics: Partial<Record<string, Parameters<typeof countMetric>[0]>> = {
  provider_unavailable: businessMetric.providerUnavailable,
  provider_error: businessMetric.providerRejected,
  rate_limited: businessMetric.providerThrottled,
  idempotency_key_in_use: businessMetric.idempotencyConflict,
  idempotency_key_reused: businessMetric.idempotencyConflict,
};

function countRefusal(code: string): void {
  const metric = refusalMetrics[code];
  if (metric) countMetric(metric);
}

function rawBody(event: APIGatewayProxyEvent): string {
  if (event.body === null || event.body === undefined) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/**
 * Size, media type, parsing, and the raw-card-data check, which runs before
 * anything could log the body.
 */
export function parseBody(route: RouteDefinition): Middleware {
  return {
    before: (request) => {
      if (route.bodyType === 'none') return;
      const text = rawBody(request.event);
      if (Buffer.byteLength(text, 'utf8') > maxBodyBytes) {
        throw new InvalidRequestError('body_too_large', `The body may not exceed ${maxBodyBytes} bytes`);
      }
      const contentType = (request.event.headers?.['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (route.bodyType === 'form') {
        if (contentType !== 'application/x-www-form-urlencoded') {
          throw new InvalidRequestError('unsupported_media_type', 'Content-Type must be application/x-www-form-urlencoded');
        }
        state(request).body = Object.fromEntries(new URLSearchParams(text));
        return;
      }
      if (text.trim() === '' && contentType === '') {
        state(request).body = {};
        return;
      }
      if (contentType !== 'application/json') {
        throw new InvalidRequestError('unsupported_media_type', 'Content-Type must be application/json');
      }
      if (containsCardNumber(text)) throw rawCardData();
      if (jsonNestsDeeperThan(text)) throw new InvalidRequestError('body_unparseable', `The body may not nest deeper than ${maxJsonDepth} levels`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new InvalidRequestError('body_unparseable', 'The body is not valid JSON');
      }
      if (valueContainsCardNumber(parsed)) throw rawCardData();
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new InvalidRequestError('body_unparseable', 'The body must be a JSON object');
      }
      state(request).body = parsed;
    },
  };
}

function rawCardData(): InvalidRequestError {
  return new InvalidRequestError(
    'raw_card_data',
    'Raw card numbers are not accepted; tokenize the card in the browser and send its token',
  );
}

