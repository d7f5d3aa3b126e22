// Events come only from committed changes: the checkout's recorded `changes`
// (written in the same conditional write as the change) and stored accounts.
// Each (subject, version, type) has one deterministic event id and the event is a
// conditional put, so publishing again (a stream retry, a restart's catch-up) makes
// no duplicate. Deliveries are decided when the event is created: the endpoints
// enabled and subscribed then.
import { eventIdFor, eventRetentionMs, newDelivery, type EventBody, type EventType, type StoredEvent } from '#functions/domain/events.ts';
import type { Checkout } from '#functions/domain/checkout.ts';
import type { Clock } from '#functions/ports/clock.ts';
import type { EventStore } from '#functions/ports/event-store.ts';
import type { MerchantAccount } from '#functions/domain/merchant.ts';
import type { Mandate } from '#functions/domain/mandate.ts';
import type { WebhookEndpointRepository } from '#functions/ports/webhook-endpoint-repository.ts';
import type { WebhookEndpoint } from '#functions/domain/webhook-endpoint.ts';
import type { DeliveryQueue, EventBus } from '#functions/ports/webhook-sender.ts';

/** The API's JSON shapes, given by the HTTP layer (app/ does not import http/). */
export interface EventRenderer {
  checkout(checkout: Checkout): Record<string, unknown>;
  refund(checkout: Checkout, refundId: string): Record<string, unknown> | undefined;
  account(account: MerchantAccount): Record<string, unknown>;
  /** The mandate as the API shows it: never its token. */
  mandate(mandate: Mandate, nowMs: number): Record<string, unknown>;
}

export interface PublishDeps {
  events: EventStore;
  endpoints: WebhookEndpointRepository;
  queue: DeliveryQueue;
  bus?: EventBus;
  clock: Clock;
  render: EventRenderer;
}

export const subscribes = (endpoint: WebhookEndpoint, type: EventType) =>
  endpoint.status === 'enabled' && (endpoint.events[0] === '*' || (endpoint.events as string[]).includes(type));

/** Publishes the checkout's recorded changes after `sinceVersion`, `data.object` being the checkout as given. */
export async function publishCheckoutChanges(deps: PublishDeps, checkout: Checkout, sinceVersion: number): Promise<EventBody[]> {
  const published: EventBody[] = [];
  const object = deps.render.checkout(checkout);
  const endpoints = endpointsOnce(deps);
  for (const change of checkout.changes.filter((c) => c.version > sinceVersion)) {
    for (const type of change.types) {
      if (type === 'checkout.refund.succeeded') {
        // One event per refund; a change that settles two refunds at once gives two.
        for (const refundId of change.refundIds ?? []) {
          const refund = deps.render.refund(checkout, refundId);
          const id = eventIdFor(`${checkout.id}/${refundId}`, change.version, type);
          published.push(await publishEvent(deps, { id, type, created_at: change.at, data: { object, ...(refund ? { refund } : {}) } }, endpoints));
        }
        continue;
      }
      published.push(await publishEvent(deps, { id: eventIdFor(checkout.id, change.version, type), type, created_at: change.at, data: { object } }, endpoints));
    }
  }
  return published;
}

/** Locally (no stream): publishes what the marker says is not yet published, then moves the marker. */
export async function publishPendingChanges(deps: PublishDeps, checkout: Checkout): Promise<number> {
  const highest = Math.max(0, ...checkout.changes.map((c) => c.version));
  const since = await deps.events.publishedVersion(checkout.id);
  if (highest <= since) return 0;
  const published = await publishCheckoutChanges(deps, checkout, since);
  await deps.events.markPublished(checkout.id, highest);
  return published.length;
}

export function publishAccountCreated(deps: PublishDeps, account: MerchantAccount): Promise<EventBody> {
  const type = 'merchant.account.created';
  return publishEvent(deps, { id: eventIdFor(account.id, 1, type), type, created_at: account.createdAt, data: { object: deps.render.account(account) } });
}

/**
 * A mandate's two events, each once: `mandate.created` (version 1) and, once it is
 * revoked, `mandate.revoked` (version 2). Deterministic ids make a repeat harmless;
 * `publishedUpTo` (locally, the marker) skips what is known to be out already.
 */
export async function publishMandateEvents(deps: PublishDeps, mandate: Mandate, publishedUpTo = 0): Promise<EventBody[]> {
  const published: EventBody[] = [];
  const object = (at: string) => deps.render.mandate(mandate, Date.parse(at));
  const endpoints = endpointsOnce(deps);
  if (publishedUpTo < 1) {
    const type = 'mandate.created';
    published.push(await publishEvent(deps, { id: eventIdFor(mandate.id, 1, type), type, created_at: mandate.createdAt, data: { object: object(mandate.createdAt) } }, endpoints));
  }
  if (publishedUpTo < 2 && mandate.revokedAt !== undefined) {
    const type = 'mandate.revoked';
    published.push(await publishEvent(deps, { id: eventIdFor(mandate.id, 2, type), type, created_at: mandate.revokedAt, data: { object: object(mandate.revokedAt) } }, endpoints));
  }
  return published;
}

/** The endpoints, read on first use and shared by the events of one write (one read, not one per event). */
function endpointsOnce(deps: PublishDeps): () => Promise<WebhookEndpoint[]> {
  let read: Promise<WebhookEndpoint[]> | undefined;
  return () => (read ??= deps.endpoints.all());
}

async function publishEvent(deps: PublishDeps, body: EventBody, endpointsOf = endpointsOnce(deps)): Promise<EventBody> {
  const now = deps.clock.now();
  const at = new Date(now).toISOString();
  const endpoints = (await endpointsOf()).filter((endpoint) => subscribes(endpoint, body.type));
  const event: StoredEvent = { body, deliveries: endpoints.map((e) => newDelivery(e.id, at)), expiresAt: now + eventRetentionMs };
  const created = await deps.events.putIfAbsent(event);
  const stored = created ? event : await deps.events.get(body.id);
  // Both are sent again when the event already existed, so a publisher that died after
  // the put loses nothing: bus consumers dedupe by event id, a duplicate delivery
  // message finds its attempt already claimed.
  await deps.bus?.publish([{ id: body.id, type: body.type, body: JSON.stringify(stored?.body ?? body) }]);
  for (const delivery of stored?.deliveries ?? []) {
    if (delivery.status !== 'pending' || delivery.nextAttemptAt === null) continue;
    const message = { kind: 'scheduled' as const, eventId: body.id, endpointId: delivery.endpointId, dueAt: delivery.nextAttemptAt };
    await deps.queue.send(message, Math.max(0, Date.parse(delivery.nextAttemptAt) - now));
  }
  return body;
}
