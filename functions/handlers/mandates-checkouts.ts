import { listMandateCheckouts } from '#functions/app/mandates.ts';
import { httpHandler } from '#functions/http/http-handler.ts';
import { checkoutJson } from '#functions/http/schemas/checkouts.ts';
import { checkoutRepository, mandateRepository } from '#functions/wiring/storage.ts';
import { mandateRoutes } from '#functions/routes/mandates.ts';

export const handler = httpHandler(mandateRoutes, 'mandates.checkouts', async ({ principal, pathParameters, query }) => {
  const page = await listMandateCheckouts({ mandates: mandateRepository(), checkouts: checkoutRepository() }, principal, pathParameters.id ?? '', {
    limit: query.limit,
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  });
  return { statusCode: 200, body: { data: page.items.map(checkoutJson), next_cursor: page.nextCursor } };
});
