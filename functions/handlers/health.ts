import { unauditedHttpHandler } from '#functions/http/unaudited-handler.ts';
import { serviceRoutes } from '#functions/routes/service.ts';

export const handler = unauditedHttpHandler(serviceRoutes, 'health', async () => ({ statusCode: 200, body: { status: 'ok' } }));
