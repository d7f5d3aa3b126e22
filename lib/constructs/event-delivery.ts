// Events and webhook delivery in AWS, as one construct (the API stack instantiates it):
//   payments table stream ─▶ publisher (events-publish) ─▶ event items + EventBridge bus
//                                        └─ a batch that keeps failing ─▶ publisher dead letters (SQS)
//   delivery queue (SQS, one message per attempt, DelaySeconds ≤ 900) ─▶ deliverer (webhooks-deliver,
//   batch size 1: a slow endpoint holds up only its own invocation) ─▶ platform endpoints
//                                        └─ a message failing 5 receives ─▶ delivery dead letters
// Least privilege through lib/constructs/grants.ts: the deliverer opens webhook secrets only (KMS
// encryption context purpose webhook_secret); the API routes that seal them or queue redeliveries
// get exactly that from their `uses` (lib/api/uses.ts). The alarms live in the monitoring stack,
// with the on-call topic: both dead-letter queues (`deadLetterQueues`), both functions, and
// `failedDeliveriesMetric`.
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { eventFunctions, type RouteUse } from '#functions/routes.ts';
import { grantTo, type Grant } from '#lib/constructs/grants.ts';
import { PaymentsFunction, type NetworkPlacement } from '#lib/constructs/payments-function.ts';
import { businessMetric, businessMetrics } from '#lib/monitoring/business-metrics.ts';

export interface EventDeliveryProps {
  /** The payments table, streaming new and old images (its grants come from the route table's `uses`). */
  table: dynamodb.ITableV2;
  /** The stateful stack's customer-managed key: queues, bus, logs, and webhook secrets' envelopes. */
  key: kms.IKey;
  environment: Record<string, string>;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  reservedConcurrency: number;
  network?: NetworkPlacement;
}

const delivererTimeout = Duration.seconds(30);
/** How old a stream record may get before it is dead-lettered instead of retried. */
export const publisherMaxRecordAge = Duration.hours(6);
/** Receives of one delivery message before it is dead-lettered (each failed receive is an error of ours, not the endpoint's). */
export const maxDeliveryReceives = 5;

/**
 * Deliveries that failed for good (retries exhausted, or a 410), per five minutes: the deliverer's
 * Powertools metric (functions/handlers/webhooks-deliver.ts; namespace and `service` dimension from
 * POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME).
 */
export function failedDeliveriesMetric(): cloudwatch.Metric {
  return businessMetric(businessMetrics.webhookDeliveryFailed);
}

export class EventDelivery extends Construct {
  readonly bus: events.EventBus;
  readonly publisher: PaymentsFunction;
  readonly publisherDeadLetters: sqs.Queue;
  readonly deliveryQueue: sqs.Queue;
  readonly deliveryDeadLetters: sqs.Queue;
  readonly deliverer: PaymentsFunction;
  /** Both dead-letter queues: the monitoring stack pages on their first message. */
  readonly deadLetterQueues: sqs.Queue[];
  readonly functions: PaymentsFunction[];
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: EventDeliveryProps) {
    super(scope, id);
    this.key = props.key;
    const streamArn = props.table.tableStreamArn;
    if (!streamArn) throw new Error('EventDelivery needs the payments table with its stream enabled');
    const functionDefaults = { logKey: props.key, environment: props.environment, logLevel: props.logLevel, reservedConcurrency: props.reservedConcurrency, ...(props.network ? { network: props.network } : {}) };

    this.bus = new events.EventBus(this, 'Bus', { kmsKey: props.key, description: 'Payments events (checkout.*, merchant.account.created, mandate.*), as delivered to webhooks' });

    this.deliveryDeadLetters = this.queue('WebhookDeliveryDeadLetters', { retentionPeriod: Duration.days(14) });
    this.deliveryQueue = this.queue('WebhookDeliveryQueue', {
      // Six times the deliverer's timeout: AWS's advice for SQS event sources.
      visibilityTimeout: Duration.seconds(delivererTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deliveryDeadLetters, maxReceiveCount: maxDeliveryReceives },
    });
    this.publisherDeadLetters = this.queue('EventPublisherDeadLetters', { retentionPeriod: Duration.days(14) });
    this.deadLetterQueues = [this.publisherDeadLetters, this.deliveryDeadLetters];
    Validations.of(this.publisherDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the on-failure destination of the publisher\'s stream event source mapping (the records of a batch that failed every retry), i.e. a dead-letter queue itself; a dead-letter queue of its own would only hold what nothing consumes twice.',
    });
    for (const deadLetters of this.deadLetterQueues) {
      Validations.of(deadLetters).acknowledge({
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'This queue is itself a dead-letter queue (of the webhook delivery queue, or the event publisher\'s stream failures): nothing consumes it automatically, DeadLetterQueueNotEmpty pages on its first message and an operator redrives it (docs/events.md, "In AWS").',
      });
    }

    this.publisher = new PaymentsFunction(this, 'EventPublisher', {
      ...functionDefaults,
      handler: 'events-publish',
      description: 'Payments table stream: committed checkout, account and mandate changes become events',
      timeout: Duration.seconds(60),
      synchronousCaller: 'its DynamoDB stream event source mapping invokes it synchronously, retries a failing batch (bisecting it) and sends what still fails to the publisher dead-letter queue, which is alarmed on',
    });
    // What Lambda's stream poller calls with the function's role.
    this.publisher.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], resources: [streamArn] }),
    );
    this.publisher.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
    Validations.of(this.publisher.role).acknowledge({
      id: 'AwsSolutions-IAM5',
      reason: 'dynamodb:ListStreams cannot name a resource (IAM supports only "*" for it); Lambda\'s stream poller calls it with the function\'s role. Every other statement names the table, its stream, the queues, the bus or the key.',
    });
    // The stream mapping's on-failure destination: Lambda sends there with the function's role.
    grantTo(this.publisher, { kind: 'queue', queue: this.publisherDeadLetters, access: 'send', env: 'none' });
    const stream = new lambda.CfnEventSourceMapping(this, 'PublisherStream', {
      functionName: this.publisher.function.functionName,
      eventSourceArn: streamArn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 100,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 10,
      // The stream keeps records 24 hours. A record this old (the publisher throttled or failing before
      // it runs) is dead-lettered while it can still be read back: 18 hours to replay it (docs/events.md).
      maximumRecordAgeInSeconds: publisherMaxRecordAge.toSeconds(),
      functionResponseTypes: ['ReportBatchItemFailures'],
      destinationConfig: { onFailure: { destination: this.publisherDeadLetters.queueArn } },
      // Only what can make events: checkouts, merchant accounts and mandates (event items and markers are written here too).
      filterCriteria: {
        filters: [{ pattern: JSON.stringify({ dynamodb: { NewImage: { entity: { S: ['checkout', 'merchant_account', 'mandate'] } } } }) }],
      },
    });
    // The poller checks the role when the mapping is created.
    stream.node.addDependency(this.publisher.role);

    this.deliverer = new PaymentsFunction(this, 'WebhookDeliverer', {
      ...functionDefaults,
      handler: 'webhooks-deliver',
      description: 'Webhook delivery queue: one signed attempt per message, the next one scheduled',
      timeout: delivererTimeout,
      synchronousCaller: `its SQS event source mapping invokes it synchronously; a message that fails ${maxDeliveryReceives} receives goes to the delivery dead-letter queue, which is alarmed on`,
    });
    // Its event source: Lambda's poller receives and deletes with the function's role.
    grantTo(this.deliverer, { kind: 'queue', queue: this.deliveryQueue, access: 'consume' });
    const deliveries = this.deliverer.function.addEventSourceMapping('DeliveryQueueSource', {
      eventSourceArn: this.deliveryQueue.queueArn,
      batchSize: 1,
      reportBatchItemFailures: true,
      maxConcurrency: Math.min(1000, Math.max(2, props.reservedConcurrency)),
    });
    Validations.of(deliveries).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: `Lambda supports on-failure destinations for stream and Kafka sources only, not SQS: a delivery message failing ${maxDeliveryReceives} receives goes to the delivery queue's own dead-letter queue (redrive policy), which DeadLetterQueueNotEmpty pages on.`,
    });
    this.functions = [this.publisher, this.deliverer];

    Validations.of(this).acknowledge({
      id: 'PCI.DSS.321-IAMNoInlinePolicy',
      reason: 'The publisher\'s and deliverer\'s roles each carry their own least-privilege statements as an inline policy that lives and dies with that role; a customer-managed policy per role would hold the same statements in a second, separately attachable resource, which PCI DSS 7.1.2 asks us to avoid.',
    });
  }

  /**
   * What the publisher's and deliverer's code touches: exactly their `uses` in the route
   * table (`eventFunctions`, functions/routes.ts), as the stack's `grantsFor` grants them.
   * Called once the stack knows this construct's queue and bus.
   */
  grantUses(grantsFor: (uses: readonly RouteUse[]) => Grant[]): void {
    const byHandler = { 'events-publish': this.publisher, 'webhooks-deliver': this.deliverer } as const;
    for (const entry of eventFunctions) {
      for (const grant of grantsFor(entry.uses)) grantTo(byHandler[entry.handler], grant);
    }
  }

  private queue(id: string, props: sqs.QueueProps): sqs.Queue {
    return new sqs.Queue(this, id, { ...props, encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.key, enforceSSL: true });
  }
}
