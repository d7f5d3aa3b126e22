// Every HTTP route's Lambda handler is built here (the pipeline is pipeline.ts), so
// every route shares it and every audited route gets the audit log without its
// handler passing it. Handlers supply only the route id and the use-case call.
import { auditDeps } from '#functions/wiring/audit.ts';
import type { Route, RouteId } from '#functions/routes.ts';
import { httpPipeline, type RouteRequest, type RouteResponse } from './pipeline.ts';

export type { RouteRequest, RouteResponse } from './pipeline.ts';

export function httpHandler<I extends RouteId>(routeId: I, handle: (request: RouteRequest<Route<I>>) => Promise<RouteResponse>) {
  return httpPipeline(routeId, handle, auditDeps);
}
