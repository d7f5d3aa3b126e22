import * as z from 'zod/mini';
import { eventTypes } from '#functions/domain/events.ts';
import type { WebhookEndpoint } from '#functions/domain/webhook-endpoint.ts';
import { pageCursor, pageLimit } from './fields.ts';

// `url` and `events` are required, else parameter_invalid (a missing one included),
// so their absence is checked by the handler rather than reported as parameter_missing.
export const createWebhookEndpointRequest = z
  .strictObject({
    url: z.optional(z.string({ error: 'url must be a string' }).check(z.maxLength(2048, { error: 'url must be at most 2048 characters' }))),
    events: z.optional(
      z.union(
        [
          z.tuple([z.literal('*')]),
          z.array(z.enum(eventTypes, { error: `events must be known event types (${eventTypes.join(', ')}) or exactly ["*"]` })).check(z.minLength(1)),
        ],
        { error: 'events must be known event types or exactly ["*"]' },
      ),
    ),
    description: z._default(z.nullable(z.string({ error: 'description must be a string' }).check(z.maxLength(1024, { error: 'description must be at most 1024 characters' }))), null),
  })
  .register(z.globalRegistry, {
    id: 'CreateWebhookEndpointRequest',
    examples: [{ url: 'https://platform.example.com/webhooks/payments', events: ['checkout.captured', 'checkout.refund.succeeded'], description: 'Order service' }],
  });

const endpointExample = {
  id: 'we_4f2a9c1d',
  url: 'https://platform.example.com/webhooks/payments',
  events: ['checkout.captured', 'checkout.refund.succeeded'],
  description: 'Order service',
  status: 'enabled',
  created_at: '2026-12-01T09:00:00.000Z',
} as const;

export const webhookEndpointResponse = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.nullable(z.string()),
    status: z.enum(['enabled', 'disabled']),
    secret: z.optional(z.string()).register(z.globalRegistry, { description: 'Only in the answers of create and rotate_secret.' }),
    created_at: z.string(),
  })
  .register(z.globalRegistry, {
    id: 'WebhookEndpoint',
    examples: [{ ...endpointExample, events: [...endpointExample.events], secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }],
  });

export const webhookEndpointListResponse = z
  .object({ data: z.array(webhookEndpointResponse), next_cursor: z.nullable(z.string()) })
  .register(z.globalRegistry, { id: 'WebhookEndpointList', examples: [{ data: [{ ...endpointExample, events: [...endpointExample.events] }], next_cursor: null }] });

export const deletedWebhookEndpointResponse = z.object({ id: z.string(), deleted: z.literal(true) }).register(z.globalRegistry, { id: 'DeletedWebhookEndpoint', examples: [{ id: 'we_4f2a9c1d', deleted: true }] });

export const pageQuery = z.strictObject({
  limit: pageLimit(),
  cursor: pageCursor(),
});

export function webhookEndpointJson(endpoint: WebhookEndpoint, secret?: string): z.output<typeof webhookEndpointResponse> {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: [...endpoint.events],
    description: endpoint.description,
    status: endpoint.status,
    ...(secret === undefined ? {} : { secret }),
    created_at: endpoint.createdAt,
  };
}
