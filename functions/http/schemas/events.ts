import { mandateJson } from './mandates.ts';
import * as z from 'zod/mini';
import { eventTypes, type StoredEvent } from '#functions/domain/events.ts';
import type { EventRenderer } from '#functions/app/events/publish.ts';
import { checkoutJson } from './checkouts.ts';
import { merchantAccountJson } from './merchants.ts';
import { pageQuery } from './webhooks.ts';

export const listEventsQuery = z.extend(pageQuery, {
  type: z.optional(z.enum(eventTypes, { error: 'type must be a known event type' })),
});

export const eventResponse = z
  .object({
    id: z.string(),
    type: z.enum(eventTypes),
    created_at: z.string(),
    data: z.object({ object: z.looseObject({ id: z.string() }), refund: z.optional(z.looseObject({ id: z.string() })) }),
  })
  .register(z.globalRegistry, { id: 'Event', description: 'What a webhook delivers: the object as it was right after the change.', examples: [eventExample()] });

function eventExample() {
  return {
    id: 'evt_8c1b2d3e',
    type: 'checkout.captured',
    created_at: '2026-12-01T10:00:05.000Z',
    data: { object: { id: 'chk_5e6f7a8b', state: 'captured', amount: 10400, currency: 'USD' } },
  };
}

export const deliveryResponse = z
  .object({
    endpoint_id: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.int(),
    last_status_code: z.nullable(z.int()),
    next_attempt_at: z.nullable(z.string()),
  })
  .register(z.globalRegistry, { id: 'Delivery' });

export const eventWithDeliveriesResponse = z.extend(eventResponse, { deliveries: z.array(deliveryResponse) }).register(z.globalRegistry, {
  id: 'EventWithDeliveries',
  examples: [{ ...eventExample(), deliveries: [{ endpoint_id: 'we_4f2a9c1d', status: 'pending', attempts: 2, last_status_code: 500, next_attempt_at: '2026-12-01T10:35:05.000Z' }] }],
});

export const eventListResponse = z
  .object({ data: z.array(eventResponse), next_cursor: z.nullable(z.string()) })
  .register(z.globalRegistry, { id: 'EventList', examples: [{ data: [eventExample()], next_cursor: null }] });

export function eventJson(event: StoredEvent) {
  return event.body;
}

export function eventWithDeliveriesJson(event: StoredEvent): z.output<typeof eventWithDeliveriesResponse> {
  return {
    ...(event.body as z.output<typeof eventResponse>),
    deliveries: event.deliveries.map((d) => ({
      endpoint_id: d.endpointId,
      status: d.status,
      attempts: d.attempts,
      last_status_code: d.lastStatusCode,
      next_attempt_at: d.nextAttemptAt,
    })),
  };
}

/** The API's JSON of each object an event carries: the same mapping as the responses. */
export const eventRenderer: EventRenderer = {
  checkout: (checkout) => checkoutJson(checkout),
  refund: (checkout, refundId) => checkoutJson(checkout).refunds.find((r) => r.id === refundId),
  account: (account) => merchantAccountJson(account),
  mandate: (mandate, nowMs) => mandateJson(mandate, nowMs),
};
