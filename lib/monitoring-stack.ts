// One on-call topic, the alarms that page it, and a dashboard. Every alarm's
// description names its runbook section in docs/runbooks.md.
import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { PaymentsFunction } from '#lib/constructs/payments-function.ts';
import type { EnvironmentConfig } from '#lib/environment-config.ts';
import { addDashboard } from '#lib/monitoring/dashboard.ts';

/** The runbook sections, one per alarm kind: `### <name>` headings in docs/runbooks.md. */
export const runbooks = {
  apiServerErrors: 'ApiServerErrorRate',
  apiLatency: 'ApiLatencyP99',
  functionErrors: 'FunctionErrors',
  functionThrottles: 'FunctionThrottles',
  tableThrottles: 'DynamoDbThrottles',
  tableSystemErrors: 'DynamoDbSystemErrors',
  deadLetters: 'DeadLetterQueueNotEmpty',
  ipnBacklog: 'IpnQueueOldestMessage',
  reconcileUnresolved: 'ReconcileUnresolved',
  reconcileFailed: 'ReconcileFailed',
} as const;

/**
 * The reconciler's own metrics (Powertools, namespace POWERTOOLS_METRICS_NAMESPACE, default
 * dimension `service` = POWERTOOLS_SERVICE_NAME): what a pass left unresolved, and passes that failed.
 */
export const reconcileMetrics = {
  namespace: 'Payments',
  dimensions: { service: 'payments' },
  unresolved: 'ReconcileUnresolved',
  failed: 'ReconcileFailed',
} as const;

/**
 * Age of the IPN queue's oldest notice that pages. A notice that keeps failing is dead-lettered
 * after ipnQueueSettings.maxReceiveCount deliveries, one visibility timeout apart (5 × 180 s = 15
 * minutes), which DeadLetterQueueNotEmpty reports; a notice still in the queue after 20 minutes
 * means the queue is not being drained at all, and checkout states are going stale.
 */
export const ipnQueueOldestMessageAlarmSeconds = 20 * 60;
export type RunbookName = (typeof runbooks)[keyof typeof runbooks];

export interface MonitoringStackProps extends StackProps {
  config: EnvironmentConfig;
  key: kms.IKey;
  api: apigw.RestApi;
  functions: PaymentsFunction[];
  tables: dynamodb.ITableV2[];
  deadLetterQueues: sqs.IQueue[];
  /** The queue between the IPN receiver and the processor. */
  ipnQueue: sqs.IQueue;
  /** The rules that run the reconciler on its schedule. */
  scheduleRules: events.Rule[];
}

export class MonitoringStack extends Stack {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly config: EnvironmentConfig;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    this.config = props.config;
    const { api, functions, tables, deadLetterQueues, ipnQueue, scheduleRules } = props;

    this.topic = new sns.Topic(this, 'OnCall', {
      displayName: `Payments ${props.config.name} on-call`,
      masterKey: props.key,
      enforceSSL: true,
    });
    // Notifications SNS could not deliver (a bouncing mailbox, a paging endpoint down) land here and page too.
    const undelivered = new sqs.Queue(this, 'UndeliveredPages', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const isTheDeadLetterQueue =
      'This queue is itself the dead-letter queue of the on-call subscriptions: a queue for its failures would need one of its own; it is alarmed on (DeadLetterQueueNotEmpty) instead.';
    Validations.of(undelivered).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: isTheDeadLetterQueue },
      { id: 'Serverless-SQSRedrivePolicy', reason: isTheDeadLetterQueue },
    );
    for (const subscription of props.config.onCallSubscriptions) {
      const options = { deadLetterQueue: undelivered };
      this.topic.addSubscription(
        subscription.protocol === 'email'
          ? new subscriptions.EmailSubscription(subscription.endpoint, options)
          : subscription.protocol === 'sms'
            ? new subscriptions.SmsSubscription(subscription.endpoint, options)
            : new subscriptions.UrlSubscription(subscription.endpoint, { ...options, protocol: sns.SubscriptionProtocol.HTTPS }),
      );
    }

    const apiDimensions = { ApiName: api.restApiName, Stage: api.deploymentStage.stageName };
    const apiMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: apiDimensions, statistic, period: Duration.minutes(5) });

    // 5XXError's average is the share of requests that failed with a 5xx.
    this.alarm('ApiServerErrorRate', runbooks.apiServerErrors, {
      metric: apiMetric('5XXError', 'Average'),
      threshold: 0.02,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      summary: 'more than 2% of API requests answered 5xx in 2 of the last 3 five-minute periods',
    });
    // WePay calls dominate latency; three attempts of 7 s plus backoff fit in 29 s, p99 above 5 s means the provider is struggling.
    this.alarm('ApiLatencyP99', runbooks.apiLatency, {
      metric: apiMetric('Latency', 'p99'),
      threshold: 5000,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      summary: 'API p99 latency above 5 s for 15 minutes',
    });

    for (const fn of functions) {
      const name = fn.node.id;
      this.alarm(`FunctionErrors-${name}`, runbooks.functionErrors, {
        metric: fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        summary: `${name} (${fn.handlerName}) failed an invocation (unhandled error or timeout)`,
      });
      this.alarm(`FunctionThrottles-${name}`, runbooks.functionThrottles, {
        metric: fn.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        summary: `${name} (${fn.handlerName}) was throttled: it hit its reserved concurrency`,
      });
    }

    const tableOperations = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchGetItem', 'BatchWriteItem'];
    for (const table of tables) {
      const name = table.node.id;
      const throttles = new cloudwatch.MathExpression({
        expression: 'reads + writes',
        usingMetrics: {
          reads: table.metric('ReadThrottleEvents', { statistic: 'Sum', period: Duration.minutes(5) }),
          writes: table.metric('WriteThrottleEvents', { statistic: 'Sum', period: Duration.minutes(5) }),
        },
        label: `${name} throttle events`,
        period: Duration.minutes(5),
      });
      this.alarm(`DynamoDbThrottles-${name}`, runbooks.tableThrottles, {
        metric: throttles,
        threshold: 1,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        summary: `${name} throttled reads or writes for 10 minutes (on-demand table above its peak-based limit)`,
      });
      this.alarm(`DynamoDbSystemErrors-${name}`, runbooks.tableSystemErrors, {
        metric: table.metricSystemErrorsForOperations({ operations: tableOperations as never, period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        summary: `DynamoDB answered ${name} requests with 500s`,
      });
    }

    for (const queue of [...deadLetterQueues, undelivered]) {
      this.alarm(`DeadLetterQueueNotEmpty-${queue.node.id}`, runbooks.deadLetters, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        summary: `${queue.node.id} holds messages that exhausted their retries`,
      });
    }

    this.alarm('IpnQueueOldestMessage', runbooks.ipnBacklog, {
      metric: ipnQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: ipnQueueOldestMessageAlarmSeconds,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      summary: `the IPN queue's oldest notice has waited ${ipnQueueOldestMessageAlarmSeconds / 60} minutes or more: IPNs are not being processed and checkout states are going stale`,
    });

    const reconcileMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: reconcileMetrics.namespace,
        metricName,
        dimensionsMap: reconcileMetrics.dimensions,
        statistic,
        period: Duration.minutes(15),
      });
    // Any action or creation a pass could not settle needs a person: it stays pending until then.
    this.alarm('ReconcileUnresolved', runbooks.reconcileUnresolved, {
      metric: reconcileMetric(reconcileMetrics.unresolved, 'Maximum'),
      threshold: 0,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      summary: 'a reconciliation pass left an action or creation unresolved (its outcome at the provider is still unknown)',
    });
    this.alarm('ReconcileFailed', runbooks.reconcileFailed, {
      metric: reconcileMetric(reconcileMetrics.failed, 'Sum'),
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      summary: 'a reconciliation pass failed: pending actions and stale checkouts are not being settled',
    });

    for (const rule of scheduleRules) {
      const name = rule.node.id;
      this.alarm(`FailedInvocations-${name}`, runbooks.reconcileFailed, {
        metric: new cloudwatch.Metric({
          namespace: 'AWS/Events',
          metricName: 'FailedInvocations',
          dimensionsMap: { RuleName: rule.ruleName },
          statistic: 'Sum',
          period: Duration.minutes(15),
        }),
        threshold: 1,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        summary: `EventBridge could not invoke the target of ${name}: scheduled reconciliation passes are not running`,
      });
    }

    addDashboard(this, props.config.name, this.alarms, { api, functions, tables, ipnQueue, deadLetterQueues });
    new CfnOutput(this, 'OnCallTopicArn', { value: this.topic.topicArn, description: 'SNS topic every alarm pages: subscribe on-call tools here' });
  }

  private alarm(
    id: string,
    runbook: RunbookName,
    options: {
      metric: cloudwatch.IMetric;
      threshold: number;
      /** Defaults to >= threshold. */
      comparison?: cloudwatch.ComparisonOperator;
      evaluationPeriods: number;
      datapointsToAlarm: number;
      summary: string;
    },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `payments-${this.config.name}-${id}`,
      alarmDescription: `${options.summary}. Runbook: ${this.config.runbookUrl}#${runbook.toLowerCase()}`,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods,
      datapointsToAlarm: options.datapointsToAlarm,
      // No traffic is not an incident; these alarms watch what traffic does.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
