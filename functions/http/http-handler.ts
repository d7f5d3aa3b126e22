// The handler factory every route but the IPN receiver uses: the shared pipeline
// (./route-pipeline.ts) with the audit log, so that every audited route is
// audited without its handler passing anything.
import type { Route, RouteId } from '#functions/routes.ts';
import { auditDeps } from '#functions/wiring/audit.ts';
import { routePipeline, type RouteRequest, type RouteResponse } from './route-pipeline.ts';

export type { RouteRequest, RouteResponse };

export function httpHandler<I extends RouteId>(routeId: I, handle: (request: RouteRequest<Route<I>>) => Promise<RouteResponse>) {
  return routePipeline(routeId, handle, auditDeps);
}
