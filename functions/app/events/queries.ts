// Reading the event log, and asking for one more attempt of an event's deliveries.
import { NotFoundError } from '#functions/domain/errors.ts';
import type { EventType, StoredEvent } from '#functions/domain/events.ts';
import type { Page } from '#functions/domain/page.ts';
import type { EventStore } from '#functions/ports/event-store.ts';
import type { WebhookEndpointRepository } from '#functions/ports/webhook-endpoint-repository.ts';
import type { DeliveryQueue } from '#functions/ports/webhook-sender.ts';

export function listEvents(deps: { events: EventStore }, query: { limit: number; cursor?: string; type?: EventType }): Promise<Page<StoredEvent>> {
  return deps.events.list(query);
}

export async function getEvent(deps: { events: EventStore }, id: string): Promise<StoredEvent> {
  const event = await deps.events.get(id);
  if (!event) throw new NotFoundError(`No event ${id}`);
  return event;
}

/**
 * One new attempt now for each delivery whose endpoint is enabled, whatever its
 * status; the retry schedule goes on as it was. Answers the event as it is now:
 * the attempts are made by the deliverer, each on its own, never in this request.
 */
export async function redeliverEvent(
  deps: { events: EventStore; endpoints: WebhookEndpointRepository; queue: DeliveryQueue },
  id: string,
): Promise<StoredEvent> {
  const event = await getEvent(deps, id);
  const enabled = new Set((await deps.endpoints.all()).filter((e) => e.status === 'enabled').map((e) => e.id));
  for (const delivery of event.deliveries) {
    if (enabled.has(delivery.endpointId)) await deps.queue.send({ kind: 'extra', eventId: id, endpointId: delivery.endpointId }, 0);
  }
  return event;
}
