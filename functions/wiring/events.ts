// Composition root, events part: the event store, webhook endpoints, the delivery
// queue (SQS in AWS; the local runtime installs timers in process), the bus, the
// vault for signing secrets and the HTTP sender. Only the events and webhook
// functions import this.
import { config, requireSetting } from '#functions/config.ts';
import { recordWebhookSend } from '#functions/observability.ts';
import { systemClock } from '#functions/wiring/clock.ts';
import type { DeliveryQueue, EventBus } from '#functions/ports/webhook-sender.ts';
import { DynamoDbEventStore } from '#functions/adapters/dynamodb/event-store.ts';
import { DynamoDbWebhookEndpoints } from '#functions/adapters/dynamodb/webhook-endpoints.ts';
import { EventBridgeBus } from '#functions/adapters/eventbridge/event-bus.ts';
import { SqsDeliveryQueue } from '#functions/adapters/queue/sqs-delivery-queue.ts';
import { HttpWebhookSender, dnsResolver } from '#functions/adapters/webhooks/http-sender.ts';
import type { DeliverDeps } from '#functions/app/events/deliver.ts';
import type { PublishDeps } from '#functions/app/events/publish.ts';
import type { WebhookEndpointDeps } from '#functions/app/webhook-endpoints.ts';
import { eventRenderer } from '#functions/http/schemas/events.ts';
import { once } from './once.ts';
import { runtimePart } from './runtime-parts.ts';
import { paymentsTable } from './storage.ts';
import { tokenVault } from './vault.ts';

// Each part is built on its first use; `@__PURE__` lets esbuild drop the ones a function never
// uses (the readers carry no SQS, EventBridge, KMS or Encryption SDK: test/unit/architecture).
export const eventStore = /* @__PURE__ */ once(() => new DynamoDbEventStore(paymentsTable()));
export const webhookEndpoints = /* @__PURE__ */ once(() => new DynamoDbWebhookEndpoints(paymentsTable()));

export const deliveryQueue = /* @__PURE__ */ once<DeliveryQueue>(() =>
  runtimePart('deliveryQueue', () => new SqsDeliveryQueue(requireSetting(config().webhooks.queueUrl, 'WEBHOOK_QUEUE_URL'))),
);

const eventBus = /* @__PURE__ */ once<EventBus | undefined>(() =>
  runtimePart('eventBus', () => new EventBridgeBus(requireSetting(config().webhooks.eventBusName, 'EVENT_BUS_NAME'))),
);

export async function webhookEndpointDeps(): Promise<WebhookEndpointDeps> {
  return { endpoints: webhookEndpoints(), vault: await tokenVault(), clock: systemClock, urlPolicy: config().webhooks.urlPolicy, resolver: dnsResolver };
}

export function publishDeps(): PublishDeps {
  const bus = eventBus();
  return { events: eventStore(), endpoints: webhookEndpoints(), queue: deliveryQueue(), clock: systemClock, render: eventRenderer, ...(bus ? { bus } : {}) };
}

export async function deliverDeps(): Promise<DeliverDeps> {
  const { urlPolicy, timeScale } = config().webhooks;
  return {
    events: eventStore(),
    endpoints: webhookEndpoints(),
    queue: deliveryQueue(),
    // Each POST's latency as a metric and a log line (docs/observability.md).
    sender: new HttpWebhookSender(urlPolicy, undefined, recordWebhookSend),
    vault: await tokenVault(),
    clock: systemClock,
    urlPolicy,
    timeScale,
  };
}

/** The stream's records as events see them (the adapter reads DynamoDB's wire format). */
export { streamChangeOf } from '#functions/adapters/dynamodb/stream-images.ts';
