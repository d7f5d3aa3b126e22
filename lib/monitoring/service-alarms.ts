// Alarms on the service's machinery: API 5xx and latency, every function's errors and throttles
// (the authorizer's errors with a runbook of their own), tables, dead-letter queues, the IPN
// queue's backlog and the reconciler.
import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { PaymentsFunction } from '#lib/constructs/payments-function.ts';
import type { AlarmFactory } from '#lib/monitoring/alarm-factory.ts';
import { businessMetric, businessMetrics } from '#lib/monitoring/business-metrics.ts';
import { runbooks } from '#lib/monitoring/runbooks.ts';

/**
 * Age of the IPN queue's oldest notice that pages. A notice that keeps failing is dead-lettered
 * after ipnQueueSettings.maxReceiveCount deliveries, one visibility timeout apart (5 × 180 s = 15
 * minutes), which DeadLetterQueueNotEmpty reports; a notice still in the queue after 20 minutes
 * means the queue is not being drained at all, and checkout states are going stale.
 */
export const ipnQueueOldestMessageAlarmSeconds = 20 * 60;

export interface ServiceAlarmSources {
  api: apigw.RestApi;
  /** The REQUEST authorizer; also one of `functions`. */
  authorizer: PaymentsFunction;
  functions: PaymentsFunction[];
  tables: dynamodb.ITableV2[];
  deadLetterQueues: sqs.IQueue[];
  /** The queue between the IPN receiver and the processor. */
  ipnQueue: sqs.IQueue;
  /** The rules that run the reconciler on its schedule. */
  scheduleRules: events.Rule[];
}

export function addServiceAlarms(factory: AlarmFactory, sources: ServiceAlarmSources): { apiServerErrorRate: cloudwatch.Alarm } {
  const { api, authorizer, functions, tables, deadLetterQueues, ipnQueue, scheduleRules } = sources;
  const apiDimensions = { ApiName: api.restApiName, Stage: api.deploymentStage.stageName };
  const apiMetric = (metricName: string, statistic: string) =>
    new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: apiDimensions, statistic, period: Duration.minutes(5) });

  // 5XXError's average is the share of requests that failed with a 5xx.
  const apiServerErrorRate = factory.alarm('ApiServerErrorRate', runbooks.apiServerErrors, {
    metric: apiMetric('5XXError', 'Average'),
    threshold: 0.02,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    summary: 'more than 2% of API requests answered 5xx in 2 of the last 3 five-minute periods',
  });
  // WePay calls dominate latency; three attempts of 7 s plus backoff fit in 29 s, p99 above 5 s means the provider is struggling.
  factory.alarm('ApiLatencyP99', runbooks.apiLatency, {
    metric: apiMetric('Latency', 'p99'),
    threshold: 5000,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    summary: 'API p99 latency above 5 s for 15 minutes',
  });

  for (const fn of functions) {
    const name = fn.node.id;
    // The authorizer runs before every protected route: its failure is every caller's 500.
    const isAuthorizer = fn === authorizer;
    factory.alarm(`FunctionErrors-${name}`, isAuthorizer ? runbooks.authorizerErrors : runbooks.functionErrors, {
      metric: fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      summary: isAuthorizer
        ? `the authorizer (${fn.handlerName}) failed an invocation: API Gateway answers such requests 500 instead of reaching the route`
        : `${name} (${fn.handlerName}) failed an invocation (unhandled error or timeout)`,
    });
    factory.alarm(`FunctionThrottles-${name}`, runbooks.functionThrottles, {
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
    factory.alarm(`DynamoDbThrottles-${name}`, runbooks.tableThrottles, {
      metric: throttles,
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      summary: `${name} throttled reads or writes for 10 minutes (on-demand table above its peak-based limit)`,
    });
    factory.alarm(`DynamoDbSystemErrors-${name}`, runbooks.tableSystemErrors, {
      metric: table.metricSystemErrorsForOperations({ operations: tableOperations as never, period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      summary: `DynamoDB answered ${name} requests with 500s`,
    });
  }

  for (const queue of deadLetterQueues) {
    factory.alarm(`DeadLetterQueueNotEmpty-${queue.node.id}`, runbooks.deadLetters, {
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      summary: `${queue.node.id} holds messages that exhausted their retries`,
    });
  }

  factory.alarm('IpnQueueOldestMessage', runbooks.ipnBacklog, {
    metric: ipnQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: ipnQueueOldestMessageAlarmSeconds,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    summary: `the IPN queue's oldest notice has waited ${ipnQueueOldestMessageAlarmSeconds / 60} minutes or more: IPNs are not being processed and checkout states are going stale`,
  });

  // Any action or creation a pass could not settle needs a person: it stays pending until then.
  factory.alarm('ReconcileUnresolved', runbooks.reconcileUnresolved, {
    metric: businessMetric(businessMetrics.reconcileUnresolved, { statistic: 'Maximum', period: Duration.minutes(15) }),
    threshold: 0,
    comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    summary: 'a reconciliation pass left an action or creation unresolved (its outcome at the provider is still unknown)',
  });
  factory.alarm('ReconcileFailed', runbooks.reconcileFailed, {
    metric: businessMetric(businessMetrics.reconcileFailed, { period: Duration.minutes(15) }),
    threshold: 1,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    summary: 'a reconciliation pass failed: pending actions and stale checkouts are not being settled',
  });

  for (const rule of scheduleRules) {
    const name = rule.node.id;
    factory.alarm(`FailedInvocations-${name}`, runbooks.reconcileFailed, {
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
  return { apiServerErrorRate };
}
