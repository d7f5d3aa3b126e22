import * as z from 'zod/mini';

export const errorBody = z
  .object({
    error: z.object({
      type: z.string().register(z.globalRegistry, { description: 'The family of the error: invalid_request, authentication_error, card_error, permission_error, not_found, idempotency_error, rate_limit_error, provider_error or api_error.' }),
      code: z.string().register(z.globalRegistry, { description: 'What went wrong, one of the codes listed on each response.' }),
      message: z.string().register(z.globalRegistry, { description: 'A sentence for the developer; never a stack trace.' }),
      param: z.optional(z.string()).register(z.globalRegistry, { description: 'The request field at fault, when there is one (dotted path).' }),
      request_id: z.string().register(z.globalRegistry, { description: 'The X-Request-Id of the response: quote it when reporting a problem.' }),
    }),
  })
  .register(z.globalRegistry, {
    id: 'Error',
    description: 'Every 4xx and 5xx answer.',
    examples: [
      {
        error: {
          type: 'invalid_request',
          code: 'parameter_invalid',
          message: 'amount must be a positive integer',
          param: 'amount',
          request_id: 'req_4f1c2b7e',
        },
      },
    ],
  });

export const healthResponse = z.object({ status: z.literal('ok') }).register(z.globalRegistry, { id: 'Health', examples: [{ status: 'ok' }] });

export const openApiDocument = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }).register(z.globalRegistry, {
  id: 'OpenApiDocument',
  description: 'This document (OpenAPI 3.1).',
});
