import { httpHandler } from '#functions/http/http-handler.ts';

export const handler = httpHandler('health', async () => ({ statusCode: 200, body: { status: 'ok' } }));
