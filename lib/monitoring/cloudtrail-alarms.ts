// One alarm per CloudTrail metric filter (lib/stateful/trail-metric-filters.ts): any match pages.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { EnvironmentConfig } from '#lib/environment-config.ts';
import type { AlarmFactory } from '#lib/monitoring/alarm-factory.ts';
import { runbooks, type RunbookName } from '#lib/monitoring/runbooks.ts';
import { trailMetricFilters, trailMetricNamespace, type TrailMetricFilter } from '#lib/stateful/trail-metric-filters.ts';

const runbookOf: Record<TrailMetricFilter['id'], RunbookName> = {
  KmsKeyDisabledOrScheduledForDeletion: runbooks.kmsKeyDisabled,
  IamPolicyChanged: runbooks.iamPolicyChanged,
  CloudTrailChanged: runbooks.cloudTrailChanged,
  RootAccountUsed: runbooks.rootUsed,
};

export function addCloudTrailAlarms(factory: AlarmFactory, config: EnvironmentConfig): void {
  for (const filter of trailMetricFilters) {
    factory.alarm(filter.id, runbookOf[filter.id], {
      metric: new cloudwatch.Metric({
        namespace: trailMetricNamespace(config.name),
        metricName: filter.id,
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      summary: filter.summary,
    });
  }
}
