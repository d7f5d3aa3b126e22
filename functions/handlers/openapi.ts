import { buildOpenApiDocument } from '#functions/http/openapi.ts';
import { httpHandler } from '#functions/http/http-handler.ts';

// Built once per cold start: the routes and schemas cannot change while running.
let document: Record<string, unknown> | undefined;

export const handler = httpHandler('openapi', async () => {
  document ??= buildOpenApiDocument();
  return { statusCode: 200, body: document };
});
