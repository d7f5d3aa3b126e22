// The IPN queue in AWS: one SQS message per notice (KMS-encrypted queue, DLQ after
// ipnQueueSettings.maxReceiveCount deliveries).
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { IpnNotice, IpnQueue } from '#functions/ports/ipn-queue.ts';

export class SqsIpnQueue implements IpnQueue {
  private readonly client: SQSClient;

  constructor(
    private readonly queueUrl: string,
    client?: SQSClient,
  ) {
    this.client = client ?? new SQSClient({});
  }

  async enqueue(notice: IpnNotice): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(notice) }));
  }
}
