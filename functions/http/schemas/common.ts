import { z } from 'zod';

export const errorBody = z
  .object({
    error: z.object({
      type: z.string(),
      code: z.string(),
      message: z.string(),
      param: z.string().optional(),
      request_id: z.string(),
    }),
  })
  .meta({ id: 'Error' });

export const healthResponse = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

export const openApiDocument = z.looseObject({ openapi: z.string(), info: z.object({}).loose(), paths: z.object({}).loose() }).meta({
  id: 'OpenApiDocument',
});
