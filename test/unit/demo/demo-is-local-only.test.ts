// The /demo/ page is served by the local runtime only: no route of the table (from
// which the CDK app builds its API and functions) serves it, and its handler
// leaves every other path to the API's routing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { routes, type RouteDefinition } from '#functions/routes.ts';
import { demoPages } from '#local/demo/server.ts';

test('no route of the route table serves /demo', () => {
  expect((routes as readonly RouteDefinition[]).filter((route) => route.path === '/demo' || route.path.startsWith('/demo/'))).toEqual([]);
});

test('the demo handler answers nothing outside /demo/', async () => {
  const serve = demoPages('/nonexistent');
  const written: unknown[] = [];
  const res = { writeHead: (...args: unknown[]) => written.push(args), end: (...args: unknown[]) => written.push(args) } as unknown as ServerResponse;
  for (const url of ['/v1/health', '/v1/checkouts', '/demonstration', '/']) {
    expect(await serve({ url, method: 'GET' } as IncomingMessage, res)).toBe(false);
  }
  expect(written).toEqual([]);
});
