// Alarms at the API's edge: the share of requests answered 4xx (bad tokens, probing, a client
// broken by a release) and a spike of requests the web ACL blocked.
import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '#lib/environment-config.ts';
import type { AlarmFactory } from '#lib/monitoring/alarm-factory.ts';
import { runbooks } from '#lib/monitoring/runbooks.ts';

const period = Duration.minutes(5);

/**
 * AWS/WAFV2's `WebACL` dimension: the web ACL's visibility metric name, which lib/api/firewall.ts
 * also gives the web ACL as its name (so either reading matches); it needs no reference to the API stack.
 */
export function webAclMetricName(webAcl: wafv2.CfnWebACL): string {
  const visibility = webAcl.visibilityConfig as wafv2.CfnWebACL.VisibilityConfigProperty;
  return visibility.metricName;
}

export function addEdgeAlarms(scope: Construct, factory: AlarmFactory, config: EnvironmentConfig, api: apigw.RestApi, webAcl: wafv2.CfnWebACL): void {
  const thresholds = config.alarms;
  const apiDimensions = { ApiName: api.restApiName, Stage: api.deploymentStage.stageName };
  const apiMetric = (metricName: string, statistic: string) =>
    new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: apiDimensions, statistic, period });

  // 4XXError's average is the share of requests answered 4xx; below the minimum volume one
  // client's mistakes would be most of it, so the share reads 0 there.
  factory.alarm('Api4xxRate', runbooks.api4xxRate, {
    metric: new cloudwatch.MathExpression({
      expression: `IF(FILL(requests, 0) >= ${thresholds.api4xxMinimumRequests}, FILL(clientErrors, 0), 0)`,
      usingMetrics: { clientErrors: apiMetric('4XXError', 'Average'), requests: apiMetric('Count', 'Sum') },
      label: 'share of API requests answered 4xx',
      period,
    }),
    threshold: thresholds.api4xxRate,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    summary: `${thresholds.api4xxRate * 100}% or more of API requests were answered 4xx (at least ${thresholds.api4xxMinimumRequests} requests) in 2 of the last 3 five-minute periods`,
  });

  factory.alarm('WafBlockedRequests', runbooks.wafBlocked, {
    metric: new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: webAclMetricName(webAcl), Rule: 'ALL', Region: Stack.of(scope).region },
      statistic: 'Sum',
      period,
    }),
    threshold: thresholds.wafBlockedRequests,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    summary: `the web ACL blocked ${thresholds.wafBlockedRequests} or more requests in five minutes (rate limits, IP reputation, managed rules)`,
  });
}
