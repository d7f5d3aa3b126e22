// The pipeline without the audit log, for routes that are never audited (health,
// the OpenAPI document, the fee quote, the IPN receiver): their bundles then carry no DynamoDB client
// (bench/README.md). Building an audited route's handler here throws at load.
import type { Route, RouteId } from '#functions/routes.ts';
import { httpPipeline, type RouteRequest, type RouteResponse } from './pipeline.ts';

export function unauditedHttpHandler<I extends RouteId>(routeId: I, handle: (request: RouteRequest<Route<I>>) => Promise<RouteResponse>) {
  return httpPipeline(routeId, handle, undefined);
}
