// Composition root, events part: the event store, webhook endpoints, the delivery
// queue (SQS in AWS, timers in process locally), the bus, the vault for signing
// secrets and the HTTP sender. Only the events and webhook functions import this.
// First: these functions call out of AWS, where X-Ray subsegments earn their cost.
import './tracing.ts';
import { readFile } from 'node:fs/promises';
import { config, requireSetting } from '#functions/config.ts';
import { systemClock } from '#functions/wiring/clock.ts';
import type { WebhookSecretVault } from '#functions/ports/token-vault.ts';
import type { DeliveryQueue, EventBus } from '#functions/ports/webhook-sender.ts';
import { DynamoDbEventStore } from '#functions/adapters/dynamodb/event-store.ts';
import { DynamoDbWebhookEndpoints } from '#functions/adapters/dynamodb/webhook-endpoints.ts';
import { EventBridgeBus } from '#functions/adapters/eventbridge/event-bus.ts';
import { SqsDeliveryQueue } from '#functions/adapters/queue/sqs-delivery-queue.ts';
import { inProcessDeliveryQueue } from '#functions/adapters/queue/in-process-delivery-queue.ts';
import { kmsTokenVault } from '#functions/adapters/token-vault/kms-token-vault.ts';
import { localTokenVault } from '#functions/adapters/token-vault/local-token-vault.ts';
import { HttpWebhookSender, dnsResolver } from '#functions/adapters/webhooks/http-sender.ts';
import type { DeliverDeps } from '#functions/app/events/deliver.ts';
import type { PublishDeps } from '#functions/app/events/publish.ts';
import type { WebhookEndpointDeps } from '#functions/app/webhook-endpoints.ts';
import { eventRenderer } from '#functions/http/schemas/events.ts';
import { once } from './once.ts';
import { paymentsTable } from './storage.ts';

export const eventStore = once(() => new DynamoDbEventStore(paymentsTable()));
export const webhookEndpoints = once(() => new DynamoDbWebhookEndpoints(paymentsTable()));

export const deliveryQueue = once<DeliveryQueue>(() => {
  const cfg = config();
  return cfg.runtime === 'aws' ? new SqsDeliveryQueue(requireSetting(cfg.webhooks.queueUrl, 'WEBHOOK_QUEUE_URL')) : inProcessDeliveryQueue();
});

const eventBus = once<EventBus | undefined>(() => {
  const cfg = config();
  return cfg.runtime === 'aws' ? new EventBridgeBus(requireSetting(cfg.webhooks.eventBusName, 'EVENT_BUS_NAME')) : undefined;
});

const secretVault = once<Promise<WebhookSecretVault>>(async () => {
  const cfg = config();
  if (cfg.runtime === 'aws') return kmsTokenVault({ keyArn: requireSetting(cfg.tokenKmsKeyArn, 'TOKEN_KMS_KEY_ARN'), region: cfg.region });
  return localTokenVault({ keyBytes: await readFile(cfg.localTokenKeyFile) });
});

export async function webhookEndpointDeps(): Promise<WebhookEndpointDeps> {
  return { endpoints: webhookEndpoints(), vault: await secretVault(), clock: systemClock, urlPolicy: config().webhooks.urlPolicy, resolver: dnsResolver };
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
    sender: new HttpWebhookSender(urlPolicy),
    vault: await secretVault(),
    clock: systemClock,
    urlPolicy,
    timeScale,
  };
}

/** The stream's records as events see them (the adapter reads DynamoDB's wire format). */
export { streamChangeOf } from '#functions/adapters/dynamodb/stream-images.ts';
