import { getMerchantAccount } from '#functions/app/merchants.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { merchantAccountJson } from '#functions/http/schemas/merchants.ts';
import { merchantRepository } from '#functions/wiring/storage.ts';
import { merchantRoutes } from '#functions/routes/merchants.ts';

export const handler = httpHandler(merchantRoutes, 'merchants.get', async ({ principal, pathParameters }) => {
  const account = await getMerchantAccount({ merchants: merchantRepository() }, principal, pathParameters.id ?? '');
  return { statusCode: 200, body: merchantAccountJson(account) };
});
