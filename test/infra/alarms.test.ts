// Every alarm of the synthesized monitoring stacks has a runbook section in docs/runbooks.md
// (table-driven: an alarm added without one fails here), and the payment, abuse and CloudTrail
// alarms read the metrics the functions and the trail actually produce.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { windowRules } from '#functions/domain/velocity.ts';
import { businessMetric as emitted, latencyMetric } from '#functions/observability.ts';
import { auditWriteFailedMetric } from '#functions/wiring/audit.ts';
import { projectRoot } from '#lib/constructs/payments-function.ts';
import { parseEnvironments, placeholdersIn } from '#lib/environment-config.ts';
import { businessMetrics, velocityLimitDimension } from '#lib/monitoring/business-metrics.ts';
import { runbooks } from '#lib/monitoring/runbooks.ts';
import { trailMetricFilters, trailMetricNamespace } from '#lib/stateful/trail-metric-filters.ts';
import { buildTestApp, cdkJsonContext } from './test-app.ts';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };

// Thresholds and the second channel set away from their defaults, so the assertions prove they come from context.
const contextEnvironments = cdkJsonContext().environments as Record<string, Record<string, unknown>>;
const environments = Object.fromEntries(
  Object.entries(contextEnvironments).map(([name, env]) => [
    name,
    {
      ...env,
      undeliveredPageSubscriptions: [{ protocol: 'email', endpoint: `second-channel-${name}@pager.acme.test` }],
      alarms: { declineRatio: 0.4, declineRatioMinimumAttempts: 25, velocityLimited: 7, providerFailureRate: 0.15, providerFailureMinimumCalls: 12, api4xxRate: 0.3, api4xxMinimumRequests: 80, wafBlockedRequests: 150, checkoutVolumeBandWidth: 2.5, checkoutVolumeTimeZone: 'Europe/Paris' },
    },
  ]),
);
const { stages } = buildTestApp({ environments });

const runbookDoc = readFileSync(path.join(projectRoot, 'docs', 'runbooks.md'), 'utf8');
/** Each `### Heading` section's text, keyed by its anchor. */
const sections = new Map(
  runbookDoc.split(/^### /m).slice(1).map((section) => {
    const heading = section.slice(0, section.indexOf('\n')).trim();
    return [heading.toLowerCase().replace(/\s+/g, '-'), section] as const;
  }),
);

const synthesized = stages.map((stage) => {
  const monitoring = Template.fromStack(stage.monitoring);
  const resources = monitoring.toJSON().Resources as Record<string, Resource>;
  const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm');
  const byName = (id: string) => {
    const found = alarms.find((a) => a.Properties.AlarmName === `payments-${stage.stageName}-${id}`);
    if (!found) throw new Error(`no alarm ${id}`);
    return found.Properties;
  };
  const logicalId = (element: unknown) => stage.monitoring.getLogicalId(element as CfnElement);
  return { stage, name: stage.stageName, monitoring, resources, alarms, byName, logicalId };
});

const everyAlarm = synthesized.flatMap((env) => env.alarms.map((alarm) => [env.name, alarm.Properties.AlarmName as string, alarm] as const));

it.each(everyAlarm)('%s: %s names a runbook section that says what it means, what to check and what to do', (envName, _alarmName, alarm) => {
  const description = alarm.Properties.AlarmDescription as string;
  const runbookUrl = contextEnvironments[envName]!.runbookUrl as string;
  expect(description).toContain(`. Runbook: ${runbookUrl}#`);
  const anchor = /Runbook: \S+#([a-z0-9-]+)$/.exec(description)?.[1];
  expect(Object.values(runbooks).map((r) => r.toLowerCase())).toContain(anchor);
  const section = sections.get(anchor!);
  expect(section).toMatch(/\*\*Means:\*\*/);
  expect(section).toMatch(/\*\*First checks:\*\*/);
  expect(section).toMatch(/\*\*Mitigate:\*\*/);
});

it('has a runbook section for every runbook name an alarm can use', () => {
  for (const runbook of Object.values(runbooks)) expect([...sections.keys()]).toContain(runbook.toLowerCase());
});

it('reads the metric names, namespace and service dimension the functions emit', () => {
  expect(businessMetrics).toMatchObject({
    checkoutCreated: emitted.checkoutCreated,
    cardDeclined: emitted.cardDeclined,
    providerUnavailable: emitted.providerUnavailable,
    providerRejected: emitted.providerRejected,
    providerThrottled: emitted.providerThrottled,
    velocityLimited: emitted.velocityLimited,
    reconcileUnresolved: emitted.reconcileUnresolved,
    reconcileFailed: emitted.reconcileFailed,
    webhookDeliveryFailed: emitted.webhookDeliveryFailed,
    auditWriteFailed: auditWriteFailedMetric,
    providerCallLatency: latencyMetric.providerCall,
    webhookDeliveryLatency: latencyMetric.webhookDelivery,
  });
  const { stage } = synthesized[0]!;
  const api = Template.fromStack(stage.api).toJSON().Resources as Record<string, Resource>;
  const handler = api[stage.api.getLogicalId(stage.api.routeFunctions.get('checkouts.create')!.function.node.defaultChild as CfnElement)]!;
  expect(handler.Properties.Environment.Variables).toMatchObject({
    POWERTOOLS_METRICS_NAMESPACE: businessMetrics.namespace,
    POWERTOOLS_SERVICE_NAME: businessMetrics.dimensions.service,
  });
});

it('refuses an example address as the second channel, as it does for on-call', () => {
  const stage = { ...contextEnvironments.stage, undeliveredPageSubscriptions: [{ protocol: 'email', endpoint: 'pages-failed@example.com' }] };
  const [config] = parseEnvironments({ stage });
  expect(placeholdersIn(config!)).toContainEqual(expect.stringMatching(/^environments\.stage\.undeliveredPageSubscriptions\[0\]\.endpoint: pages-failed@example\.com/));
});

it('refuses a checkout volume time zone that is not an IANA zone, naming the key', () => {
  const stage = { ...contextEnvironments.stage, alarms: { checkoutVolumeTimeZone: 'Central European' } };
  expect(() => parseEnvironments({ stage })).toThrow(/environments\.stage\.alarms\.checkoutVolumeTimeZone: .*IANA/);
});

describe.each(synthesized)('$name monitoring stack', (env) => {
  const thresholds = (environments[env.name] as { alarms: Record<string, number | string> }).alarms;
  const query = (alarm: Record<string, any>, id: string) => (alarm.Metrics as any[]).find((m) => m.Id === id);
  const returned = (alarm: Record<string, any>) => (alarm.Metrics as any[]).find((m) => m.ReturnData !== false);
  const metricOf = (alarm: Record<string, any>, id: string) => query(alarm, id)?.MetricStat;
  const serviceDimension = [{ Name: 'service', Value: 'payments' }];

  it('alarms on the decline ratio over checkout attempts, above a minimum volume, at the configured threshold', () => {
    const alarm = env.byName('DeclineRatio');
    expect(returned(alarm).Expression).toBe(
      `IF(FILL(declined, 0) + FILL(created, 0) >= ${thresholds.declineRatioMinimumAttempts}, FILL(declined, 0) / (FILL(declined, 0) + FILL(created, 0)), 0)`,
    );
    expect(metricOf(alarm, 'declined')).toMatchObject({ Metric: { Namespace: 'Payments', MetricName: 'CardDeclined', Dimensions: serviceDimension }, Stat: 'Sum', Period: 300 });
    expect(metricOf(alarm, 'created')).toMatchObject({ Metric: { MetricName: 'CheckoutCreated', Dimensions: serviceDimension }, Stat: 'Sum' });
    expect(alarm).toMatchObject({ Threshold: thresholds.declineRatio, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
  });

  it('sums VelocityLimited over every limit the domain can trip', () => {
    const alarm = env.byName('VelocityLimited');
    const limits = Object.keys(windowRules({ createsPerMinute: 1, declinesPerHour: 1, declinesPerCardPerDay: 1, createsPerIpPerMinute: 1 }));
    expect(returned(alarm).Expression).toBe(`SUM([${limits.join(', ')}])`);
    for (const limit of limits) {
      expect(metricOf(alarm, limit).Metric).toEqual({
        Namespace: 'Payments',
        MetricName: 'VelocityLimited',
        Dimensions: expect.arrayContaining([{ Name: velocityLimitDimension, Value: limit }, ...serviceDimension]),
      });
    }
    expect(alarm.Threshold).toBe(thresholds.velocityLimited);
  });

  it('alarms on the share of provider calls that failed, above a minimum volume', () => {
    const alarm = env.byName('ProviderFailureRate');
    const failures = 'FILL(unavailable, 0) + FILL(rejected, 0) + FILL(throttled, 0)';
    expect(returned(alarm).Expression).toBe(
      `IF(${failures} + FILL(created, 0) + FILL(declined, 0) >= ${thresholds.providerFailureMinimumCalls}, (${failures}) / (${failures} + FILL(created, 0) + FILL(declined, 0)), 0)`,
    );
    expect(metricOf(alarm, 'unavailable').Metric.MetricName).toBe('ProviderUnavailable');
    expect(metricOf(alarm, 'rejected').Metric.MetricName).toBe('ProviderRejected');
    expect(metricOf(alarm, 'throttled').Metric.MetricName).toBe('ProviderThrottled');
    expect(alarm.Threshold).toBe(thresholds.providerFailureRate);
  });

  it('alarms on the API 4XX share only above a minimum request count', () => {
    const alarm = env.byName('Api4xxRate');
    expect(returned(alarm).Expression).toBe(`IF(FILL(requests, 0) >= ${thresholds.api4xxMinimumRequests}, FILL(clientErrors, 0), 0)`);
    expect(metricOf(alarm, 'clientErrors')).toMatchObject({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: '4XXError' }, Stat: 'Average' });
    expect(metricOf(alarm, 'requests')).toMatchObject({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count' }, Stat: 'Sum' });
    expect(alarm.Threshold).toBe(thresholds.api4xxRate);
  });

  it("alarms on the web ACL's blocked requests, all rules, under the dimensions WAF publishes", () => {
    const api = Template.fromStack(env.stage.api).toJSON().Resources as Record<string, Resource>;
    const acl = Object.values(api).find((r) => r.Type === 'AWS::WAFv2::WebACL')!;
    const alarm = env.byName('WafBlockedRequests');
    expect(alarm).toMatchObject({ Namespace: 'AWS/WAFV2', MetricName: 'BlockedRequests', Statistic: 'Sum', Threshold: thresholds.wafBlockedRequests });
    expect(alarm.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'WebACL', Value: acl.Properties.VisibilityConfig.MetricName },
        { Name: 'Rule', Value: 'ALL' },
        { Name: 'Region', Value: env.stage.monitoring.region },
      ]),
    );
  });

  it('alarms when checkout volume falls below its anomaly band, silence counting as zero, on the declared model', () => {
    const alarm = env.byName('CheckoutVolumeLow');
    expect(alarm).toMatchObject({ ComparisonOperator: 'LessThanLowerThreshold', TreatMissingData: 'notBreaching', EvaluationPeriods: 2, DatapointsToAlarm: 2 });
    const band = query(alarm, alarm.ThresholdMetricId);
    expect(band.Expression).toBe(`ANOMALY_DETECTION_BAND(m0, ${thresholds.checkoutVolumeBandWidth})`);
    expect(query(alarm, 'm0').Expression).toBe('FILL(created, 0)');
    expect(metricOf(alarm, 'created')).toMatchObject({ Metric: { Namespace: 'Payments', MetricName: 'CheckoutCreated', Dimensions: serviceDimension }, Stat: 'Sum', Period: 900 });

    const detectors = Object.entries(env.resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::AnomalyDetector');
    expect(detectors).toHaveLength(1);
    const [detectorId, detector] = detectors[0]!;
    expect(detector.Properties.Configuration).toEqual({ MetricTimeZone: thresholds.checkoutVolumeTimeZone });
    // The model's queries are the alarm's, band aside (labels are display only).
    const withoutLabel = ({ Label: _label, ...rest }: Record<string, unknown>) => rest;
    const alarmQueries = (alarm.Metrics as any[]).filter((m) => m.Id !== alarm.ThresholdMetricId).map(withoutLabel);
    expect(detector.Properties.MetricMathAnomalyDetector.MetricDataQueries).toEqual(alarmQueries);
    const alarmResource = Object.values(env.resources).find((r) => r.Properties?.AlarmName === alarm.AlarmName)!;
    expect(alarmResource.DependsOn).toContain(detectorId);
  });

  it('pages "payments are failing" when the provider fails, the API answers 5xx, or checkout volume drops', () => {
    const composite = env.byName('PaymentsFailing');
    const idOf = (name: string) => env.logicalId(env.stage.monitoring.node.findChild(name).node.defaultChild);
    const rule = JSON.stringify(composite.AlarmRule);
    for (const child of ['ProviderFailureRate', 'ApiServerErrorRate', 'CheckoutVolumeLow']) expect(rule).toContain(`{"Fn::GetAtt":["${idOf(child)}","Arn"]}`);
    expect(rule.match(/ALARM\(/g)).toHaveLength(3);
    expect(rule.match(/ OR /g)).toHaveLength(2);
    expect(rule).not.toContain(idOf('DeclineRatio'));
    const onCall = env.logicalId(env.stage.monitoring.topic.node.defaultChild);
    expect(composite.AlarmActions).toEqual([{ Ref: onCall }]);
    expect(composite.OKActions).toEqual([{ Ref: onCall }]);
  });

  it('alarms on any audit record that could not be written', () => {
    expect(env.byName('AuditWriteFailed')).toMatchObject({ Namespace: 'Payments', MetricName: 'AuditWriteFailed', Dimensions: serviceDimension, Statistic: 'Sum', Threshold: 1 });
  });

  it("gives the authorizer's errors their own runbook", () => {
    expect(env.byName('FunctionErrors-Authorizer').AlarmDescription).toMatch(/#authorizererrors$/);
  });

  it('reports undelivered pages on a second, encrypted topic that nothing else notifies, with its own subscribers', () => {
    const second = env.logicalId(env.stage.monitoring.undeliveredPagesTopic.node.defaultChild);
    const onCall = env.logicalId(env.stage.monitoring.topic.node.defaultChild);
    expect(second).not.toBe(onCall);
    expect(env.resources[second]!.Properties.KmsMasterKeyId).toEqual(env.resources[onCall]!.Properties.KmsMasterKeyId);
    const alarm = env.byName('PagesUndelivered');
    expect(alarm).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 1 });
    expect(alarm.AlarmActions).toEqual([{ Ref: second }]);
    const usingSecond = env.alarms.filter((a) => JSON.stringify([a.Properties.AlarmActions, a.Properties.OKActions]).includes(`"${second}"`));
    expect(usingSecond.map((a) => a.Properties.AlarmName)).toEqual([`payments-${env.name}-PagesUndelivered`]);

    const subscriptions = Object.values(env.resources).filter((r) => r.Type === 'AWS::SNS::Subscription');
    const secondSubscriptions = subscriptions.filter((s) => s.Properties.TopicArn.Ref === second);
    expect(secondSubscriptions.map((s) => s.Properties.Endpoint)).toEqual([`second-channel-${env.name}@pager.acme.test`]);
    // The on-call subscriptions dead-letter into the queue the alarm watches.
    const queueId = env.logicalId(env.stage.monitoring.node.findChild('UndeliveredPages').node.defaultChild);
    expect(JSON.stringify(alarm.Dimensions)).toContain(queueId);
    for (const subscription of subscriptions.filter((s) => s.Properties.TopicArn.Ref === onCall)) {
      expect(JSON.stringify(subscription.Properties.RedrivePolicy)).toContain(queueId);
    }
  });

  it('filters the trail\'s encrypted, year-long log group for CIS events, and alarms on each', () => {
    const stateful = Template.fromStack(env.stage.stateful).toJSON().Resources as Record<string, Resource>;
    const trailLogs = env.stage.stateful.trail.logGroup!;
    const trailLogsId = env.stage.stateful.getLogicalId(trailLogs.node.defaultChild as CfnElement);
    expect(stateful[trailLogsId]!.Properties).toMatchObject({ KmsKeyId: expect.anything(), RetentionInDays: expect.any(Number) });
    expect(stateful[trailLogsId]!.Properties.RetentionInDays).toBeGreaterThanOrEqual(365);

    const filters = Object.values(stateful).filter((r) => r.Type === 'AWS::Logs::MetricFilter');
    expect(filters).toHaveLength(trailMetricFilters.length);
    const patternOf = (metricName: string) => {
      const filter = filters.find((f) => f.Properties.MetricTransformations[0].MetricName === metricName)!;
      expect(filter.Properties.LogGroupName).toEqual({ Ref: trailLogsId });
      expect(filter.Properties.MetricTransformations[0]).toMatchObject({ MetricNamespace: trailMetricNamespace(env.name), MetricValue: '1' });
      return filter.Properties.FilterPattern as string;
    };
    expect(patternOf('KmsKeyDisabledOrScheduledForDeletion')).toBe(
      '{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }',
    );
    const iam = patternOf('IamPolicyChanged');
    for (const event of ['PutRolePolicy', 'DeleteUserPolicy', 'CreatePolicyVersion', 'AttachRolePolicy', 'DetachGroupPolicy']) expect(iam).toContain(`($.eventName = ${event})`);
    expect(iam).toContain('($.eventSource = iam.amazonaws.com)');
    expect(iam).toContain('($.sourceIPAddress != cloudformation.amazonaws.com)');
    const trail = patternOf('CloudTrailChanged');
    for (const event of ['CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StopLogging']) expect(trail).toContain(`($.eventName = ${event})`);
    expect(patternOf('RootAccountUsed')).toBe('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }');

    for (const filter of trailMetricFilters) {
      expect(env.byName(filter.id)).toMatchObject({ Namespace: trailMetricNamespace(env.name), MetricName: filter.id, Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
  });
});
