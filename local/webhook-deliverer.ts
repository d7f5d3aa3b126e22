// Locally, webhook delivery attempts wait on in-process timers and run the same
// handler SQS invokes in AWS, one message per invocation (a slow endpoint holds up
// only its own delivery). Timers do not survive a restart; the deliveries do (on
// their events), so on start every pending delivery is queued again for its
// `next_attempt_at`, which already carries the time scale.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createDynamoDbClients } from '#functions/adapters/dynamodb/clients.ts';
import { DynamoDbEventStore } from '#functions/adapters/dynamodb/event-store.ts';
import { inProcessDeliveryQueue } from '#local/adapters/in-process-delivery-queue.ts';
import { eventRetentionMs } from '#functions/domain/events.ts';
import type { DeliveryMessage } from '#functions/ports/webhook-sender.ts';
import { lambdaContext } from './gateway-request.ts';

type SqsHandler = (event: SQSEvent, context: ReturnType<typeof lambdaContext>) => Promise<SQSBatchResponse>;

export interface WebhookDelivererOptions {
  loadHandler: (name: string) => Promise<unknown>;
  endpoint: string;
  tableName: string;
  log?: (line: string) => void;
}

function sqsEvent(message: DeliveryMessage, messageId: string): SQSEvent {
  return {
    Records: [
      {
        messageId,
        receiptHandle: messageId,
        body: JSON.stringify(message),
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'local', ApproximateFirstReceiveTimestamp: String(Date.now()) },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:webhook-deliveries',
        awsRegion: 'local',
      },
    ],
  };
}

export async function startWebhookDeliverer(options: WebhookDelivererOptions): Promise<() => Promise<void>> {
  const queue = inProcessDeliveryQueue();
  let sequence = 0;
  const failures = new WeakMap<DeliveryMessage, number>();
  queue.consume(async (message) => {
    const { handler } = (await options.loadHandler('webhooks-deliver')) as { handler: SqsHandler };
    const messageId = `local-delivery-${++sequence}`;
    const response = await handler(sqsEvent(message, messageId), lambdaContext('webhooks-deliver', messageId, 30_000));
    // A failure of ours (not the endpoint's): try again shortly, as SQS would after the visibility timeout.
    if (response.batchItemFailures.length > 0) {
      const count = (failures.get(message) ?? 0) + 1;
      failures.set(message, count);
      options.log?.(`webhook delivery of ${message.eventId} to ${message.endpointId} failed (${count})`);
      // Like SQS's redrive (maxReceiveCount 5); the delivery stays pending and the next start queues it again.
      if (count < 5) await queue.send(message, 1_000);
    }
  });

  const { documentClient } = createDynamoDbClients({ region: 'us-east-1', endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const events = new DynamoDbEventStore({ client: documentClient, tableName: options.tableName });
  const now = Date.now();
  for (const event of await events.listPendingSince(new Date(now - eventRetentionMs).toISOString())) {
    for (const delivery of event.deliveries) {
      if (delivery.status !== 'pending' || delivery.nextAttemptAt === null) continue;
      await queue.send({ kind: 'scheduled', eventId: event.body.id, endpointId: delivery.endpointId, dueAt: delivery.nextAttemptAt }, Date.parse(delivery.nextAttemptAt) - now);
    }
  }
  documentClient.destroy();
  return () => queue.stop();
}
