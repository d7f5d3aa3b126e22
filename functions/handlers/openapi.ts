import { buildOpenApiDocument } from '#functions/http/openapi.ts';
import { unauditedHttpHandler } from '#functions/http/unaudited-handler.ts';
import { serviceRoutes } from '#functions/routes/service.ts';

// Built once per cold start: the routes and schemas cannot change while running.
let document: Record<string, unknown> | undefined;

export const handler = unauditedHttpHandler(serviceRoutes, 'openapi', async () => {
  document ??= buildOpenApiDocument();
  return { statusCode: 200, body: document };
});
