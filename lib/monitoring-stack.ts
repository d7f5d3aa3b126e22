// The on-call channels, every alarm (each description names its runbook section in
// docs/runbooks.md), the composite "payments are failing" page, and a dashboard. The alarms
// themselves are built by the modules of lib/monitoring/ in this stack's scope.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { failedDeliveriesMetric } from '#lib/constructs/event-delivery.ts';
import type { EnvironmentConfig } from '#lib/environment-config.ts';
import { AlarmFactory } from '#lib/monitoring/alarm-factory.ts';
import { businessMetrics } from '#lib/monitoring/business-metrics.ts';
import { addCloudTrailAlarms } from '#lib/monitoring/cloudtrail-alarms.ts';
import { addDashboard } from '#lib/monitoring/dashboard.ts';
import { addEdgeAlarms } from '#lib/monitoring/edge-alarms.ts';
import { createOnCallChannels } from '#lib/monitoring/on-call.ts';
import { addPaymentAlarms } from '#lib/monitoring/payment-alarms.ts';
import { runbooks } from '#lib/monitoring/runbooks.ts';
import { addServiceAlarms, type ServiceAlarmSources } from '#lib/monitoring/service-alarms.ts';

export { runbooks, type RunbookName } from '#lib/monitoring/runbooks.ts';
export { ipnQueueOldestMessageAlarmSeconds } from '#lib/monitoring/service-alarms.ts';

/**
 * The reconciler's own metrics (Powertools, namespace POWERTOOLS_METRICS_NAMESPACE, default
 * dimension `service` = POWERTOOLS_SERVICE_NAME): what a pass left unresolved, and passes that failed.
 */
export const reconcileMetrics = {
  namespace: businessMetrics.namespace,
  dimensions: businessMetrics.dimensions,
  unresolved: businessMetrics.reconcileUnresolved,
  failed: businessMetrics.reconcileFailed,
} as const;

/** What the service alarms watch (the API, functions, tables, queues, schedules), plus the web ACL. */
export interface MonitoringStackProps extends StackProps, ServiceAlarmSources {
  config: EnvironmentConfig;
  key: kms.IKey;
  /** The web ACL in front of the API (its blocked requests). */
  webAcl: wafv2.CfnWebACL;
}

export class MonitoringStack extends Stack {
  /** The on-call topic: every alarm but UndeliveredPages notifies it. */
  readonly topic: sns.Topic;
  /** The second channel, told only when the on-call topic could not deliver a page. */
  readonly undeliveredPagesTopic: sns.Topic;
  readonly alarms: cloudwatch.AlarmBase[];
  /** Pages when money stops moving; its rule names the alarms it stands for. */
  readonly paymentsFailing: cloudwatch.CompositeAlarm;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config } = props;
    const channels = createOnCallChannels(this, config, props.key);
    this.topic = channels.topic;
    this.undeliveredPagesTopic = channels.undeliveredPagesTopic;
    const factory = new AlarmFactory(this, config, this.topic);
    this.alarms = factory.alarms;

    const { apiServerErrorRate } = addServiceAlarms(factory, props);
    addEdgeAlarms(this, factory, config, props.api, props.webAcl);
    const payments = addPaymentAlarms(this, factory, config);
    addCloudTrailAlarms(factory, config);

    // A page that never arrived is reported on the other channel: the failed one may be the cause.
    factory.alarm('PagesUndelivered', runbooks.undeliveredPages, {
      metric: channels.undelivered.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      summary: 'SNS could not deliver an on-call notification (it is in the UndeliveredPages queue): on-call may be missing pages',
      topic: this.undeliveredPagesTopic,
    });

    // Money is not moving: the provider fails, the API fails, or checkouts stopped arriving. Card
    // testing (DeclineRatio) is left out: payments still work during an attack the velocity limits
    // hold, and a provider that declines every card shows as a volume drop within 30 minutes.
    const failingId = 'PaymentsFailing';
    this.paymentsFailing = factory.notify(
      new cloudwatch.CompositeAlarm(this, failingId, {
        compositeAlarmName: factory.alarmName(failingId),
        alarmDescription: factory.description(
          'payments are failing: the provider fails calls (ProviderFailureRate), the API answers 5xx (ApiServerErrorRate), or checkouts stopped arriving (CheckoutVolumeLow)',
          runbooks.paymentsFailing,
        ),
        alarmRule: cloudwatch.AlarmRule.anyOf(payments.providerFailureRate, apiServerErrorRate, payments.checkoutVolume),
      }),
    );

    // The deliverer's metric: a platform endpoint is failing (the publisher's and deliverer's own failures are dead letters).
    factory.alarm('WebhookDeliveriesFailed', runbooks.webhookDeliveriesFailed, {
      metric: failedDeliveriesMetric(),
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      summary: 'a webhook delivery failed for good (its retries exhausted, or the endpoint answered 410 and was disabled)',
    });

    addDashboard(this, config.name, this.alarms, props);
    new CfnOutput(this, 'OnCallTopicArn', { value: this.topic.topicArn, description: 'SNS topic every alarm but PagesUndelivered pages: subscribe on-call tools here' });
  }
}
