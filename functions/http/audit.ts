// The audit trail's HTTP side: which routes are audited (derived from the route
// table, so a new write route is audited without anyone remembering to), the
// actor and resource of a request, and the middy middleware that writes one
// record per audited request once its answer is known, whatever the status.
// The authorizer writes the record of a request it refuses (in AWS such a
// request never reaches the route's function): functions/handlers/authorize.ts.
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { recordRequest, type AuditDeps } from '#functions/app/audit.ts';
import { roles as allRoles } from '#functions/domain/principal.ts';
import type { AuditActor } from '#functions/domain/audit-record.ts';
import type { RouteDefinition } from '#functions/routes.ts';
import { ipnRouteId } from './schemas/ipn.ts';
import { requestIdFrom } from './security-headers.ts';

/** Writes that are not audited: the fee quote changes nothing; the IPN's changes are audited as `provider:<name>`. */
export const auditExemptRouteIds: readonly string[] = ['fees.quote', ipnRouteId];

/** Every POST or DELETE to a /v1 route, but the exempt ones. */
export function isAuditedRoute(route: Pick<RouteDefinition, 'id' | 'method' | 'path' | 'access'>): boolean {
  const method: string = route.method;
  return (
    (method === 'POST' || method === 'DELETE') &&
    route.path.startsWith('/v1/') &&
    route.access !== 'ipn' &&
    !auditExemptRouteIds.includes(route.id)
  );
}

// Resource types named by the collection a route path starts with; the rest drop their plural `s`.
const resourceTypeOverrides: Readonly<Record<string, string>> = { merchants: 'merchant_account' };

/** `checkout` for /v1/checkouts/..., `merchant_account` for /v1/merchants, `webhook_endpoint` for /v1/webhook_endpoints... */
export function resourceTypeOf(route: Pick<RouteDefinition, 'path'>): string {
  const collection = route.path.split('/')[2] ?? '';
  return resourceTypeOverrides[collection] ?? collection.replace(/s$/, '');
}

/**
 * The resource a request acted on: the path's `{id}` for an action, the created
 * object's `id` (from a successful answer's body) for a creation, else unknown.
 */
export function resourceIdOf(route: Pick<RouteDefinition, 'path'>, pathParameters: Record<string, string | undefined> | null, status: number, body: string | undefined): string | null {
  if (route.path.includes('{id}')) return pathParameters?.id ?? null;
  if (status < 200 || status >= 300 || body === undefined) return null;
  try {
    const parsed = JSON.parse(body) as { id?: unknown };
    return typeof parsed?.id === 'string' ? parsed.id : null;
  } catch {
    return null;
  }
}

/**
 * Who made a request, from the REQUEST authorizer's context (null `sub` without
 * a valid token) and API Gateway's view of the connection. An agent's context
 * carries its mandate (`mandate_id`, with its payer as `sub`): role `agent`.
 */
export function actorOf(
  authorizer: Record<string, unknown> | null | undefined,
  identity: { sourceIp?: string | null; userAgent?: string | null } | null | undefined,
): AuditActor {
  const sub = typeof authorizer?.sub === 'string' && authorizer.sub !== '' ? authorizer.sub : null;
  const mandateId = typeof authorizer?.mandate_id === 'string' && authorizer.mandate_id !== '' ? authorizer.mandate_id : null;
  const groups = String(authorizer?.groups ?? '').split(',');
  return {
    sub,
    roles: sub === null ? [] : mandateId !== null ? ['agent'] : allRoles.filter((role) => groups.includes(role)),
    mandate_id: sub === null ? null : mandateId,
    ip: identity?.sourceIp || null,
    user_agent: identity?.userAgent || null,
  };
}

type Middleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const found = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return found === undefined ? undefined : String(found[1]);
}

/**
 * Writes the request's audit record after the response envelope has put its final
 * status and X-Request-Id on the answer (so it is `use`d before responseEnvelope:
 * middy runs `after` and `onError` in reverse). A failed write never changes the
 * answer (functions/app/audit.ts says why and what happens instead).
 */
export function auditTrail(route: RouteDefinition, deps: () => AuditDeps): Middleware {
  const audited = isAuditedRoute(route);
  const record = async (request: { event: APIGatewayProxyEvent; response: APIGatewayProxyResult | null | undefined }) => {
    const response = request.response;
    if (!audited || !response) return;
    const { event } = request;
    await recordRequest(deps(), {
      action: route.id,
      actor: actorOf(event.requestContext?.authorizer, event.requestContext?.identity),
      resource: { type: resourceTypeOf(route), id: resourceIdOf(route, event.pathParameters, response.statusCode, response.body) },
      requestId: headerValue(response.headers, 'X-Request-Id') ?? '',
      status: response.statusCode,
    });
  };
  return { after: record, onError: record };
}

/**
 * The record of a request the REQUEST authorizer refuses (401): in AWS it never
 * reaches the route's function. The authorizer sees the route (method and
 * resource template), the connection and API Gateway's request id, which the
 * gateway response's X-Request-Id and `request_id` carry too.
 */
export async function auditRefusal(event: APIGatewayRequestAuthorizerEvent, status: number, deps: AuditDeps, routes: readonly RouteDefinition[]): Promise<void> {
  const route = routes.find((r) => r.method === event.httpMethod && r.path === event.resource);
  if (!route || !isAuditedRoute(route)) return;
  const context = event.requestContext as Partial<APIGatewayRequestAuthorizerEvent['requestContext']> | undefined;
  await recordRequest(deps, {
    action: route.id,
    actor: actorOf(null, context?.identity),
    resource: { type: resourceTypeOf(route), id: resourceIdOf(route, event.pathParameters, status, undefined) },
    requestId: context?.requestId ? requestIdFrom(context.requestId) : '',
    status,
  });
}
