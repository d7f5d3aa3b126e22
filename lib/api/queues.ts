// The IPN queue with its dead-letter queue, and one function per entry of
// `queueConsumers` (functions/routes.ts) fed by its queue. Built in the API stack's
// scope directly, so construct paths and logical ids are those of the stack.
import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ipnQueueSettings } from '#functions/adapters/queue/ipn-queue-settings.ts';
import { queueConsumers, type RouteUse } from '#functions/routes.ts';
import type { Queues } from '#lib/api/uses.ts';
import { grantTo, type Grant } from '#lib/constructs/grants.ts';
import { PaymentsFunction, type PaymentsFunctionProps } from '#lib/constructs/payments-function.ts';

/**
 * A queue consumer's timeout. The queue's visibility timeout must be at least six times it (AWS's
 * advice for SQS event sources: Lambda then has time to retry a batch whose invocation was throttled
 * before the messages become visible again): ipnQueueSettings' 180 s gives 30 s, which holds the provider client's budget
 * (3 attempts of 7 s plus backoff) for the slowest notice of a batch, processed in parallel.
 */
export const queueConsumerTimeout = Duration.seconds(ipnQueueSettings.visibilityTimeoutSeconds / 6);

/**
 * The IPN queue and its dead-letter queue, from ipnQueueSettings (the local queue reads the same).
 * Encrypted with the stateful stack's customer-managed key like the app's other queues: producers
 * and consumers get the key through explicit IAM statements (only via SQS, only for this queue's
 * encryption context) and the key policy, which delegates to IAM, is not touched, so the stateful
 * stack never references this one. A notice holds only a WePay checkout id and a timestamp.
 */
export function createIpnQueue(scope: Construct, key: kms.IKey): { queue: sqs.Queue; deadLetterQueue: sqs.Queue } {
  const deadLetterQueue = new sqs.Queue(scope, 'IpnDeadLetters', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    // A standard queue keeps a message's first enqueue time when it is dead-lettered, so this counts
    // from when the receiver queued the notice; it must outlast the IPN queue's retention (4 days).
    retentionPeriod: Duration.days(ipnQueueSettings.deadLetterRetentionDays),
  });
  const queue = new sqs.Queue(scope, 'IpnQueue', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(ipnQueueSettings.visibilityTimeoutSeconds),
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: ipnQueueSettings.maxReceiveCount },
  });
  Validations.of(deadLetterQueue).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason:
      'This queue is itself the IPN queue\'s dead-letter queue: nothing consumes it automatically, so there are no failed receives to redrive; an operator inspects its notices and moves them back (runbook DeadLetterQueueNotEmpty), and DeadLetterQueueNotEmpty pages as soon as one arrives.',
  });
  return { queue, deadLetterQueue };
}

/** One function per entry of `queueConsumers`, keyed by its id, each fed by an event source mapping on its queue. */
export function addQueueConsumers(
  scope: Construct,
  options: {
    queues: Queues;
    defaults: Pick<PaymentsFunctionProps, 'environment' | 'network' | 'logKey' | 'logLevel'>;
    grantsFor: (uses: readonly RouteUse[]) => Grant[];
    reservedConcurrency: number;
  },
): Map<string, PaymentsFunction> {
  const functions = new Map<string, PaymentsFunction>();
  for (const consumer of queueConsumers) {
    const queue = options.queues[consumer.queue];
    const fn = new PaymentsFunction(scope, `Consumer-${consumer.id}`, {
      ...options.defaults,
      handler: consumer.handler,
      description: `${consumer.queue} queue: ${consumer.summary}`,
      timeout: queueConsumerTimeout,
      reservedConcurrency: options.reservedConcurrency,
      synchronousCaller: `its SQS event source mapping invokes it synchronously with batches from the ${consumer.queue} queue; a message that fails goes back to the queue and, after ${ipnQueueSettings.maxReceiveCount} deliveries, to that queue's dead-letter queue, which is alarmed on`,
    });
    for (const grant of options.grantsFor(consumer.uses)) grantTo(fn, grant);
    // The poller's calls, written explicitly (lib/constructs/grants.ts), hence a plain event source
    // mapping rather than SqsEventSource, whose grantConsumeMessages would add broader ones.
    grantTo(fn, { kind: 'queue', queue, access: 'consume' });
    const eventSource = fn.function.addEventSourceMapping('QueueEventSource', {
      eventSourceArn: queue.queueArn,
      batchSize: ipnQueueSettings.batchSize,
      // The handler answers the ids of failed notices (Powertools processPartialResponse): only those return.
      reportBatchItemFailures: true,
      // Lambda's pollers stop at the reserved concurrency instead of being throttled by it: a throttled
      // batch counts as a delivery, so throttling alone could dead-letter notices.
      maxConcurrency: Math.min(1000, Math.max(2, options.reservedConcurrency)),
    });
    Validations.of(eventSource).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: `Lambda supports on-failure destinations for stream and Kafka event sources only, not SQS: a message of the ${consumer.queue} queue that fails ${ipnQueueSettings.maxReceiveCount} deliveries goes to the queue's own dead-letter queue (redrive policy), which DeadLetterQueueNotEmpty pages on.`,
    });
    functions.set(consumer.id, fn);
  }
  return functions;
}
