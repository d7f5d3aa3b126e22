// Webhook deliveries in AWS: one SQS message per attempt to make (KMS-encrypted
// queue with a dead-letter queue). SQS delays a message 15 minutes at most, so a
// longer wait arrives early and the deliverer sends it round again until due.
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DeliveryMessage, DeliveryQueue } from '#functions/ports/webhook-sender.ts';

export const maxSqsDelaySeconds = 900;

export class SqsDeliveryQueue implements DeliveryQueue {
  private readonly client: SQSClient;

  constructor(
    private readonly queueUrl: string,
    client?: SQSClient,
  ) {
    this.client = client ?? new SQSClient({});
  }

  async send(message: DeliveryMessage, delayMs: number): Promise<void> {
    const delaySeconds = Math.min(maxSqsDelaySeconds, Math.max(0, Math.ceil(delayMs / 1000)));
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message), DelaySeconds: delaySeconds }));
  }
}
