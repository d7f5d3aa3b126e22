// Locally, the IPN queue is the in-process queue and its consumer is the same
// processor handler the SQS event source invokes in AWS, called with the SQS event
// it would get, with SQS's redelivery and dead-letter behaviour (the settings the
// CDK app gives the real queue).
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ipnQueueSettings } from '#functions/adapters/queue/ipn-queue-settings.ts';
import { inProcessQueue, localIpnQueueName, type QueuedMessage } from '#local/adapters/in-process-queue.ts';
import { lambdaContext } from './gateway-request.ts';

type SqsHandler = (event: SQSEvent, context: ReturnType<typeof lambdaContext>) => Promise<SQSBatchResponse>;

function sqsEvent(messages: QueuedMessage[]): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.messageId,
      receiptHandle: message.messageId,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:local:000000000000:${localIpnQueueName}`,
      awsRegion: 'local',
    })),
  };
}

export interface IpnConsumerOptions {
  dataDir: string;
  loadHandler: (name: string) => Promise<unknown>;
  /** Multiplies the redelivery delay (SQS's visibility timeout), like the sandbox's time scale. */
  timeScale: number;
  /** Runs one invocation (the local runtime gives each its own logger and metrics). */
  invoke?: <T>(run: () => Promise<T>) => Promise<T>;
  log?: (line: string) => void;
}

/** Starts consuming; returns the function that stops it. Dead letters go to `<data dir>/dead-letters/ipn.jsonl`. */
export function startIpnConsumer(options: IpnConsumerOptions): () => Promise<void> {
  const queue = inProcessQueue(localIpnQueueName);
  queue.consume(
    async (messages) => {
      const { handler } = (await options.loadHandler('ipn-process')) as { handler: SqsHandler };
      const context = lambdaContext('ipn-process', messages[0]!.messageId, ipnQueueSettings.visibilityTimeoutSeconds * 1000 / 6);
      const invoke = options.invoke ?? ((run) => run());
      const response = await invoke(() => handler(sqsEvent(messages), context));
      return response.batchItemFailures.map((failure) => failure.itemIdentifier);
    },
    {
      maxReceiveCount: ipnQueueSettings.maxReceiveCount,
      batchSize: ipnQueueSettings.batchSize,
      retryDelayMs: ipnQueueSettings.visibilityTimeoutSeconds * 1000 * options.timeScale,
      onDeadLetter: async (message) => {
        const dir = join(options.dataDir, 'dead-letters');
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await appendFile(join(dir, 'ipn.jsonl'), `${JSON.stringify({ ...message, deadLetteredAt: new Date().toISOString() })}\n`, { mode: 0o600 });
        options.log?.(`ipn notice dead-lettered after ${message.receiveCount} deliveries`);
      },
    },
  );
  return () => queue.stop();
}
