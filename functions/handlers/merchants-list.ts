import { listMerchantAccounts } from '#functions/app/merchants.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { merchantAccountJson } from '#functions/http/schemas/merchants.ts';
import { merchantRepository } from '#functions/wiring/storage.ts';
import { merchantRoutes } from '#functions/routes/merchants.ts';

export const handler = httpHandler(merchantRoutes, 'merchants.list', async ({ principal, query }) => {
  const page = await listMerchantAccounts({ merchants: merchantRepository() }, principal, {
    limit: query.limit,
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  });
  return { statusCode: 200, body: { data: page.items.map(merchantAccountJson), next_cursor: page.nextCursor } };
});
