import { listCheckouts } from '#functions/app/checkouts.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { checkoutJson } from '#functions/http/schemas/checkouts.ts';
import { checkoutRepository, merchantRepository } from '#functions/wiring/storage.ts';
import { checkoutRoutes } from '#functions/routes/checkouts.ts';

export const handler = httpHandler(checkoutRoutes, 'checkouts.list', async ({ principal, query }) => {
  const page = await listCheckouts({ checkouts: checkoutRepository(), merchants: merchantRepository() }, principal, {
    limit: query.limit,
    ...(query.account_id === undefined ? {} : { accountId: query.account_id }),
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  });
  return { statusCode: 200, body: { data: page.items.map(checkoutJson), next_cursor: page.nextCursor } };
});
