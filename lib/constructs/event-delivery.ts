// Events and webhook delivery in AWS, as one construct (not yet wired into a stack):
//   payments table stream ─▶ publisher (events-publish) ─▶ event items + EventBridge bus
//                                        └─ a batch that keeps failing ─▶ publisher dead letters (SQS)
//   delivery queue (SQS, one message per attempt, DelaySeconds ≤ 900) ─▶ deliverer (webhooks-deliver,
//   batch size 1: a slow endpoint holds up only its own invocation) ─▶ platform endpoints
//                                        └─ a message failing 5 receives ─▶ delivery dead letters
// Least privilege, written as explicit statements: the deliverer opens webhook secrets
// only (KMS encryption context purpose webhook_secret), API routes that seal them or
// queue redeliveries get exactly that through grantSealSecrets / grantSendDeliveries.
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { grantTo } from '#lib/constructs/grants.ts';
import { PaymentsFunction, type NetworkPlacement } from '#lib/constructs/payments-function.ts';

export interface EventDeliveryProps {
  /** The payments table (streaming new and old images) and its GSI names. */
  table: dynamodb.ITableV2;
  tableIndexNames: readonly string[];
  /** The stateful stack's customer-managed key: queues, bus, logs, and webhook secrets' envelopes. */
  key: kms.IKey;
  environment: Record<string, string>;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  reservedConcurrency: number;
  network?: NetworkPlacement;
  /** Where the alarms page (the on-call topic). */
  alarmTopic?: sns.ITopic;
  /** Base URL of the runbooks (the docs' anchors are appended). */
  runbookBaseUrl?: string;
}

const delivererTimeout = Duration.seconds(30);
const maxDeliveryReceives = 5;
const secretPurpose = 'webhook_secret';

export class EventDelivery extends Construct {
  readonly bus: events.EventBus;
  readonly publisher: PaymentsFunction;
  readonly publisherDeadLetters: sqs.Queue;
  readonly deliveryQueue: sqs.Queue;
  readonly deliveryDeadLetters: sqs.Queue;
  readonly deliverer: PaymentsFunction;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: EventDeliveryProps) {
    super(scope, id);
    this.key = props.key;
    const streamArn = props.table.tableStreamArn;
    if (!streamArn) throw new Error('EventDelivery needs the payments table with its stream enabled');
    const functionDefaults = { logKey: props.key, environment: props.environment, logLevel: props.logLevel, reservedConcurrency: props.reservedConcurrency, ...(props.network ? { network: props.network } : {}) };

    this.bus = new events.EventBus(this, 'Bus', { kmsKey: props.key, description: 'Payments events (checkout.*, merchant.account.created), as delivered to webhooks' });

    this.deliveryDeadLetters = this.queue('DeliveryDeadLetters', { retentionPeriod: Duration.days(14) });
    this.deliveryQueue = this.queue('DeliveryQueue', {
      // Six times the deliverer's timeout: AWS's advice for SQS event sources.
      visibilityTimeout: Duration.seconds(delivererTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deliveryDeadLetters, maxReceiveCount: maxDeliveryReceives },
    });
    this.publisherDeadLetters = this.queue('PublisherDeadLetters', { retentionPeriod: Duration.days(14) });
    Validations.of(this.publisherDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the on-failure destination of the publisher\'s stream event source mapping (the records of a batch that failed every retry), i.e. a dead-letter queue itself; a dead-letter queue of its own would only hold what nothing consumes twice.',
    });
    for (const deadLetters of [this.deliveryDeadLetters, this.publisherDeadLetters]) {
      Validations.of(deadLetters).acknowledge({
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'This queue is itself a dead-letter queue (of the webhook delivery queue, or the event publisher\'s stream failures): nothing consumes it automatically, an alarm pages on its first message and an operator redrives it (docs/events.md runbooks).',
      });
    }

    this.publisher = new PaymentsFunction(this, 'Publisher', {
      ...functionDefaults,
      handler: 'events-publish',
      description: 'Payments table stream: committed checkout changes and new accounts become events',
      timeout: Duration.seconds(60),
      synchronousCaller: 'its DynamoDB stream event source mapping invokes it synchronously, retries a failing batch (bisecting it) and sends what still fails to the publisher dead-letter queue, which is alarmed on',
    });
    grantTo(this.publisher, { kind: 'table', table: props.table, indexNames: props.tableIndexNames, access: 'readWrite', env: 'PAYMENTS_TABLE_NAME' });
    this.publisher.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], resources: [streamArn] }),
    );
    this.publisher.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
    Validations.of(this.publisher.role).acknowledge({
      id: 'AwsSolutions-IAM5',
      reason: 'dynamodb:ListStreams cannot name a resource (IAM supports only "*" for it); Lambda\'s stream poller calls it with the function\'s role. Every other statement names the table, its stream, the queues, the bus or the key.',
    });
    this.grantSend(this.publisher, this.deliveryQueue, 'WEBHOOK_QUEUE_URL');
    this.grantSend(this.publisher, this.publisherDeadLetters);
    this.publisher.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }));
    this.publisher.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `events.${this.publisher.function.stack.region}.amazonaws.com` } },
      }),
    );
    this.publisher.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);
    const stream = new lambda.CfnEventSourceMapping(this, 'PublisherStream', {
      functionName: this.publisher.function.functionName,
      eventSourceArn: streamArn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 100,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 10,
      maximumRecordAgeInSeconds: 86_400,
      functionResponseTypes: ['ReportBatchItemFailures'],
      destinationConfig: { onFailure: { destination: this.publisherDeadLetters.queueArn } },
      // Only what can make events: checkouts, merchant accounts and mandates (event items and markers are written here too).
      filterCriteria: {
        filters: [{ pattern: JSON.stringify({ dynamodb: { NewImage: { entity: { S: ['checkout', 'merchant_account', 'mandate'] } } } }) }],
      },
    });
    stream.node.addDependency(this.publisher.role);

    this.deliverer = new PaymentsFunction(this, 'Deliverer', {
      ...functionDefaults,
      handler: 'webhooks-deliver',
      description: 'Webhook delivery queue: one signed attempt per message, the next one scheduled',
      timeout: delivererTimeout,
      synchronousCaller: `its SQS event source mapping invokes it synchronously; a message that fails ${maxDeliveryReceives} receives goes to the delivery dead-letter queue, which is alarmed on`,
    });
    grantTo(this.deliverer, { kind: 'table', table: props.table, indexNames: props.tableIndexNames, access: 'readWrite', env: 'PAYMENTS_TABLE_NAME' });
    grantTo(this.deliverer, { kind: 'queue', queue: this.deliveryQueue, access: 'consume' });
    this.grantSend(this.deliverer, this.deliveryQueue, 'WEBHOOK_QUEUE_URL');
    this.grantSecrets(this.deliverer, ['kms:Decrypt']);
    const deliveries = this.deliverer.function.addEventSourceMapping('DeliveryQueueSource', {
      eventSourceArn: this.deliveryQueue.queueArn,
      batchSize: 1,
      reportBatchItemFailures: true,
      maxConcurrency: Math.min(1000, Math.max(2, props.reservedConcurrency)),
    });
    Validations.of(deliveries).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: `Lambda supports on-failure destinations for stream and Kafka sources only, not SQS: a delivery message failing ${maxDeliveryReceives} receives goes to the delivery queue's own dead-letter queue (redrive policy), which an alarm pages on.`,
    });

    Validations.of(this).acknowledge({
      id: 'PCI.DSS.321-IAMNoInlinePolicy',
      reason: 'The publisher\'s and deliverer\'s roles each carry their own least-privilege statements as an inline policy that lives and dies with that role; a customer-managed policy per role would hold the same statements in a second, separately attachable resource, which PCI DSS 7.1.2 asks us to avoid.',
    });
    this.alarm('PublisherDeadLetters', this.publisherDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }), 'Events could not be published from the payments table stream', 'publisher-dead-letters', props);
    this.alarm('DeliveryDeadLetters', this.deliveryDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }), 'Webhook delivery messages failed inside the deliverer', 'delivery-dead-letters', props);
    const failed = new cloudwatch.Metric({ namespace: 'Payments', metricName: 'WebhookDeliveryFailed', dimensionsMap: { service: 'payments' }, statistic: 'Sum', period: Duration.minutes(5) });
    this.alarm('FailedDeliveries', failed, 'Webhook deliveries failed for good (retries exhausted or 410)', 'failed-deliveries', props);
  }

  /** For the API's webhook_endpoints.create and rotate_secret functions (`webhook-secret:seal`). */
  grantSealSecrets(fn: PaymentsFunction): void {
    this.grantSecrets(fn, ['kms:GenerateDataKey', 'kms:Encrypt']);
  }

  /** For the API's events.redeliver function (`webhook-queue:send`). */
  grantSendDeliveries(fn: PaymentsFunction): void {
    this.grantSend(fn, this.deliveryQueue, 'WEBHOOK_QUEUE_URL');
  }

  private grantSecrets(fn: PaymentsFunction, actions: string[]): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions,
        resources: [this.key.keyArn],
        // Only envelopes bound to an endpoint for this purpose: never a merchant's provider token.
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': secretPurpose }, Null: { 'kms:EncryptionContext:endpoint_id': 'false' } },
      }),
    );
    fn.addEnvironment('TOKEN_KMS_KEY_ARN', this.key.keyArn);
  }

  private grantSend(fn: PaymentsFunction, queue: sqs.Queue, env?: string): void {
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${fn.function.stack.region}.amazonaws.com`, 'kms:EncryptionContext:aws:sqs:arn': queue.queueArn } },
      }),
    );
    if (env) fn.addEnvironment(env, queue.queueUrl);
  }

  private queue(id: string, props: sqs.QueueProps): sqs.Queue {
    return new sqs.Queue(this, id, { ...props, encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.key, enforceSSL: true });
  }

  private alarm(id: string, metric: cloudwatch.IMetric, what: string, runbook: string, props: EventDeliveryProps): void {
    const alarm = new cloudwatch.Alarm(this, `${id}Alarm`, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${what}. Runbook: ${props.runbookBaseUrl ?? 'docs/events.md'}#runbook-${runbook}`,
    });
    if (props.alarmTopic) alarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
    this.alarms.push(alarm);
  }
}
