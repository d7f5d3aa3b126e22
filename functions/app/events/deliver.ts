// One attempt of one delivery, from its queue message. A scheduled attempt is
// claimed with a conditional write (pending, and still due at the message's
// `dueAt`), so duplicate messages make one attempt; the claim moves `nextAttemptAt`
// to the following slot and the message for it is sent right after. A worker dying
// between the two leaves its own message unacknowledged: when it comes back it finds
// the delivery moved on and sends the missing message (duplicates lose the claim).
// Each message is one delivery: a slow endpoint holds up only its own.
import { delayAfter, outcomeOf, urlProblem, webhookHeaders, type StoredEvent, type UrlPolicy } from '#functions/domain/events.ts';
import type { Clock } from '#functions/ports/clock.ts';
import type { AttemptRecord, EventStore } from '#functions/ports/event-store.ts';
import type { WebhookSecretVault } from '#functions/ports/token-vault.ts';
import type { WebhookEndpointRepository } from '#functions/ports/webhook-endpoint-repository.ts';
import type { WebhookEndpoint } from '#functions/domain/webhook-endpoint.ts';
import type { DeliveryMessage, DeliveryQueue, WebhookResponse, WebhookSender } from '#functions/ports/webhook-sender.ts';

export interface DeliverDeps {
  events: EventStore;
  endpoints: WebhookEndpointRepository;
  queue: DeliveryQueue;
  sender: WebhookSender;
  vault: WebhookSecretVault;
  clock: Clock;
  urlPolicy: UrlPolicy;
  /** Multiplies the retry delays (SANDBOX_TIME_SCALE locally; 1 in AWS). */
  timeScale: number;
}

export type DeliverOutcome = 'delivered' | 'retrying' | 'failed' | 'disabled' | 'waiting' | 'stale';

/** Redeliveries within this much of their due time go now rather than waiting again. */
const earlyToleranceMs = 1_000;

export async function deliver(deps: DeliverDeps, message: DeliveryMessage): Promise<DeliverOutcome> {
  const event = await deps.events.get(message.eventId);
  const delivery = event?.deliveries.find((d) => d.endpointId === message.endpointId);
  if (!event || !delivery) return 'stale';
  const endpoint = await deps.endpoints.get(message.endpointId);
  const now = deps.clock.now();

  if (message.kind === 'extra') {
    if (endpoint?.status !== 'enabled') return 'stale';
    if (!(await deps.events.claimExtraAttempt(event.body.id, endpoint.id))) return 'stale';
    const response = await attempt(deps, endpoint, event);
    const outcome = outcomeOf(response.statusCode);
    if (outcome === 'retry') {
      await deps.events.recordAttempt(event.body.id, endpoint.id, { lastStatusCode: response.statusCode, clearNextAttempt: false, onlyIfPending: false });
      return 'retrying';
    }
    return settle(deps, event, endpoint, response, outcome);
  }

  if (delivery.status !== 'pending' || delivery.nextAttemptAt === null) return 'stale';
  if (delivery.nextAttemptAt !== message.dueAt) {
    // An older slot's message: make sure the current slot has one (a crash may have lost it).
    if (message.dueAt < delivery.nextAttemptAt) {
      const current = { ...message, dueAt: delivery.nextAttemptAt };
      await deps.queue.send(current, Math.max(0, Date.parse(current.dueAt) - now));
    }
    return 'stale';
  }
  const due = Date.parse(message.dueAt);
  if (due - now > earlyToleranceMs) {
    // SQS delays a message 15 minutes at most: longer waits go round again.
    await deps.queue.send(message, due - now);
    return 'waiting';
  }
  if (endpoint?.status !== 'enabled') {
    // Deleted or disabled since: nothing will ever receive it.
    await deps.events.recordAttempt(event.body.id, message.endpointId, { lastStatusCode: delivery.lastStatusCode, status: 'failed', clearNextAttempt: true, onlyIfPending: true });
    return 'failed';
  }
  const delay = delayAfter(delivery.scheduledAttempts + 1);
  const nextAttemptAt = delay === undefined ? null : new Date(now + delay * deps.timeScale).toISOString();
  if (!(await deps.events.claimScheduledAttempt(event.body.id, endpoint.id, message.dueAt, nextAttemptAt))) return 'stale';
  if (nextAttemptAt !== null) {
    await deps.queue.send({ kind: 'scheduled', eventId: event.body.id, endpointId: endpoint.id, dueAt: nextAttemptAt }, Date.parse(nextAttemptAt) - now);
  }
  const response = await attempt(deps, endpoint, event);
  const outcome = outcomeOf(response.statusCode);
  if (outcome === 'retry') {
    const record: AttemptRecord =
      nextAttemptAt === null
        ? { lastStatusCode: response.statusCode, status: 'failed', clearNextAttempt: true, onlyIfPending: true }
        : { lastStatusCode: response.statusCode, clearNextAttempt: false, onlyIfPending: true };
    await deps.events.recordAttempt(event.body.id, endpoint.id, record);
    return nextAttemptAt === null ? 'failed' : 'retrying';
  }
  return settle(deps, event, endpoint, response, outcome);
}

async function settle(deps: DeliverDeps, event: StoredEvent, endpoint: WebhookEndpoint, response: WebhookResponse, outcome: 'delivered' | 'gone'): Promise<DeliverOutcome> {
  const status = outcome === 'delivered' ? 'delivered' : 'failed';
  await deps.events.recordAttempt(event.body.id, endpoint.id, { lastStatusCode: response.statusCode, status, clearNextAttempt: true, onlyIfPending: false });
  if (outcome === 'delivered') return 'delivered';
  await deps.endpoints.disable(endpoint.id);
  return 'disabled';
}

/** Signs with every secret still valid (two during a rotation's overlap) and POSTs. */
async function attempt(deps: DeliverDeps, endpoint: WebhookEndpoint, event: StoredEvent): Promise<WebhookResponse> {
  const now = deps.clock.now();
  if (urlProblem(endpoint.url, deps.urlPolicy)) return { statusCode: null, error: 'url refused' };
  const context = { endpointId: endpoint.id, purpose: 'webhook_secret' } as const;
  const live = endpoint.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now);
  const secrets = await Promise.all(live.map((s) => deps.vault.open(s.sealed, context)));
  const body = JSON.stringify(event.body);
  return deps.sender.send({ url: endpoint.url, headers: webhookHeaders(secrets, event.body.id, now, body), body });
}
