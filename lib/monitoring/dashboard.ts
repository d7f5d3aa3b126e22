// The dashboard of an environment: alarm states, API traffic and latency, payments
// (created, declined, provider failures, velocity refusals), the latency of calls out of
// AWS (the provider's API, merchants' webhook endpoints), function errors and
// durations, table capacity, and the IPN queue.
import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { PaymentsFunction } from '#lib/constructs/payments-function.ts';
import { businessMetric, businessMetrics, velocityLimitDimension, velocityLimits } from '#lib/monitoring/business-metrics.ts';

export interface DashboardSources {
  api: apigw.RestApi;
  functions: PaymentsFunction[];
  tables: dynamodb.ITableV2[];
  ipnQueue: sqs.IQueue;
  deadLetterQueues: sqs.IQueue[];
}

export function addDashboard(
  scope: Construct,
  environment: string,
  alarms: cloudwatch.IAlarm[],
  { api, functions, tables, ipnQueue, deadLetterQueues }: DashboardSources,
): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    dashboardName: `payments-${environment}`,
    defaultInterval: Duration.hours(6),
  });
  const apiDimensions = { ApiName: api.restApiName, Stage: api.deploymentStage.stageName };
  const apiMetric = (metricName: string, statistic: string) =>
    new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: apiDimensions, statistic, period: Duration.minutes(1) });
  dashboard.addWidgets(
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 }),
    new cloudwatch.GraphWidget({ title: 'API requests', left: [apiMetric('Count', 'Sum')], right: [apiMetric('4XXError', 'Sum'), apiMetric('5XXError', 'Sum')], width: 12 }),
    new cloudwatch.GraphWidget({ title: 'API latency', left: [apiMetric('Latency', 'p50'), apiMetric('Latency', 'p99'), apiMetric('IntegrationLatency', 'p99')], width: 12 }),
    new cloudwatch.GraphWidget({
      title: 'Payments',
      left: [businessMetrics.checkoutCreated, businessMetrics.cardDeclined].map((name) => businessMetric(name, { period: Duration.minutes(5) }).with({ label: name })),
      right: [businessMetrics.providerUnavailable, businessMetrics.providerRejected, businessMetrics.providerThrottled].map((name) =>
        businessMetric(name, { period: Duration.minutes(5) }).with({ label: name }),
      ),
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Velocity limits tripped',
      left: velocityLimits.map((limit) =>
        businessMetric(businessMetrics.velocityLimited, { period: Duration.minutes(5), extraDimensions: { [velocityLimitDimension]: limit } }).with({ label: limit }),
      ),
      width: 12,
    }),
    // What X-Ray subsegments showed before the functions dropped the X-Ray SDK (docs/observability.md):
    // p99 of each call out of AWS, one line per provider operation.
    new cloudwatch.GraphWidget({
      title: 'Calls out of AWS, p99 (ms)',
      left: [
        new cloudwatch.MathExpression({
          expression: `SEARCH('{${businessMetrics.namespace},service,operation} MetricName="${businessMetrics.providerCallLatency}"', 'p99', 300)`,
          period: Duration.minutes(5),
        }),
      ],
      right: [businessMetric(businessMetrics.webhookDeliveryLatency, { statistic: 'p99' }).with({ label: 'webhook POST' })],
      width: 24,
    }),
    new cloudwatch.GraphWidget({ title: 'Function errors', left: functions.map((fn) => fn.function.metricErrors({ label: fn.node.id })), width: 12 }),
    new cloudwatch.GraphWidget({ title: 'Function p99 duration', left: functions.map((fn) => fn.function.metricDuration({ label: fn.node.id, statistic: 'p99' })), width: 12 }),
    new cloudwatch.GraphWidget({
      title: 'DynamoDB consumed capacity',
      left: tables.flatMap((table) => [
        table.metricConsumedReadCapacityUnits({ label: `${table.node.id} reads` }),
        table.metricConsumedWriteCapacityUnits({ label: `${table.node.id} writes` }),
      ]),
      width: 24,
    }),
    new cloudwatch.GraphWidget({
      title: 'IPN queue',
      left: [
        ipnQueue.metricNumberOfMessagesSent({ label: 'notices queued', statistic: 'Sum' }),
        ipnQueue.metricApproximateNumberOfMessagesVisible({ label: 'waiting', statistic: 'Maximum' }),
        ...deadLetterQueues.map((queue) => queue.metricApproximateNumberOfMessagesVisible({ label: `${queue.node.id} (dead letters)`, statistic: 'Maximum' })),
      ],
      right: [ipnQueue.metricApproximateAgeOfOldestMessage({ label: 'oldest notice (s)', statistic: 'Maximum' })],
      width: 24,
    }),
  );
  return dashboard;
}
