import { unauditedHttpHandler } from '#functions/http/unaudited-handler.ts';

export const handler = unauditedHttpHandler('health', async () => ({ statusCode: 200, body: { status: 'ok' } }));
