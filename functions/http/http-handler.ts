// Every HTTP route's Lambda handler is built here (the pipeline is pipeline.ts), so
// every route shares it and every audited route gets the audit log without its
// handler passing it. Handlers supply only their route and the use-case call.
import { auditDeps } from '#functions/wiring/audit.ts';
import { routeIn, type RouteDefinition } from '#functions/routes/route-definition.ts';
import { httpPipeline, type RouteRequest, type RouteResponse } from './pipeline.ts';

export type { RouteRequest, RouteResponse } from './pipeline.ts';

/**
 * The handler of route `id` of `table`, its resource's table under functions/routes/ (not
 * the joined route table: a bundle then carries its own resource's schemas and no other's).
 */
export function httpHandler<T extends readonly RouteDefinition[], I extends T[number]['id']>(
  table: T,
  id: I,
  handle: (request: RouteRequest<Extract<T[number], { id: I }>>) => Promise<RouteResponse>,
) {
  return httpPipeline(routeIn(table, id), handle, auditDeps);
}
