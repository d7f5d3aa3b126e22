// Each route's handler file serves that route: a handler names its route by id in its
// resource's table (httpHandler(table, id, …)), and a wrong id from the right table
// would still compile. This imports every route's handler and checks the route it built.
import { handlerEntry } from '#lib/constructs/payments-function.ts';
import { routes } from '#functions/routes.ts';

test.each(routes.map((route) => [route.handler, route.id] as const))('functions/handlers/%s.ts serves %s', async (handlerFile, routeId) => {
  const module = (await import(handlerEntry(handlerFile))) as { handler: { routeId?: string } };
  expect(module.handler.routeId).toBe(routeId);
});
