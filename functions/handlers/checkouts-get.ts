import { getCheckout } from '#functions/app/checkouts.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { checkoutJson } from '#functions/http/schemas/checkouts.ts';
import { checkoutRepository } from '#functions/wiring/storage.ts';
import { checkoutRoutes } from '#functions/routes/checkouts.ts';

export const handler = httpHandler(checkoutRoutes, 'checkouts.get', async ({ principal, pathParameters }) => {
  const checkout = await getCheckout({ checkouts: checkoutRepository() }, principal, pathParameters.id ?? '');
  return { statusCode: 200, body: checkoutJson(checkout) };
});
