// The pipeline without the audit log, for routes that are never audited (health,
// the OpenAPI document, the fee quote, the IPN receiver): their bundles then carry no DynamoDB client
// (bench/README.md). Building an audited route's handler here throws at load.
import { routeIn, type RouteDefinition } from '#functions/routes/route-definition.ts';
import { httpPipeline, type RouteRequest, type RouteResponse } from './pipeline.ts';

/** As httpHandler (http-handler.ts): route `id` of its resource's `table`. */
export function unauditedHttpHandler<T extends readonly RouteDefinition[], I extends T[number]['id']>(
  table: T,
  id: I,
  handle: (request: RouteRequest<Extract<T[number], { id: I }>>) => Promise<RouteResponse>,
) {
  return httpPipeline(routeIn(table, id), handle, undefined);
}
