import { getMerchantAccount } from '#functions/app/merchants.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { merchantAccountJson } from '#functions/http/schemas/merchants.ts';
import { merchantRepository } from '#functions/wiring/storage.ts';

export const handler = httpHandler('merchants.get', async ({ principal, pathParameters }) => {
  const account = await getMerchantAccount({ merchants: merchantRepository() }, principal, pathParameters.id ?? '');
  return { statusCode: 200, body: merchantAccountJson(account) };
});
