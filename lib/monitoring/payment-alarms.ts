// Alarms on what payments do, from the functions' own metrics: card testing (the decline ratio),
// velocity limits tripping, the provider failing, checkout volume falling below what the hour
// usually sees, and audit records that could not be written. Thresholds come from the
// environment's `alarms` context (lib/environment-config.ts).
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '#lib/environment-config.ts';
import type { AlarmFactory } from '#lib/monitoring/alarm-factory.ts';
import { businessMetric, businessMetrics, velocityLimitDimension, velocityLimits } from '#lib/monitoring/business-metrics.ts';
import { runbooks } from '#lib/monitoring/runbooks.ts';

const period = Duration.minutes(5);
/** The volume model's period: long enough that a normal quiet spell is not a zero. */
export const checkoutVolumePeriod = Duration.minutes(15);

export interface PaymentAlarms {
  declineRatio: cloudwatch.Alarm;
  velocityLimited: cloudwatch.Alarm;
  providerFailureRate: cloudwatch.Alarm;
  checkoutVolume: cloudwatch.AnomalyDetectionAlarm;
  auditWriteFailed: cloudwatch.Alarm;
}

export function addPaymentAlarms(scope: Construct, factory: AlarmFactory, config: EnvironmentConfig): PaymentAlarms {
  const thresholds = config.alarms;
  const sum = (metricName: string) => businessMetric(metricName, { period });
  // A metric a function did not emit in a period has no datapoint there: FILL makes it the 0 it means.
  const created = 'FILL(created, 0)';
  const declined = 'FILL(declined, 0)';

  // Card testing: many cards tried, most declined. Below the minimum volume a few declines are a
  // bad afternoon for one buyer, not an attack, so the ratio reads 0 there.
  const declineRatio = factory.alarm('DeclineRatio', runbooks.declineRatio, {
    metric: new cloudwatch.MathExpression({
      expression: `IF(${declined} + ${created} >= ${thresholds.declineRatioMinimumAttempts}, ${declined} / (${declined} + ${created}), 0)`,
      usingMetrics: { declined: sum(businessMetrics.cardDeclined), created: sum(businessMetrics.checkoutCreated) },
      label: 'declined share of checkout attempts',
      period,
    }),
    threshold: thresholds.declineRatio,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    summary: `declines were ${thresholds.declineRatio * 100}% or more of checkout attempts (at least ${thresholds.declineRatioMinimumAttempts} attempts) in 2 of the last 3 five-minute periods: card testing, or the provider declining good cards`,
  });

  // SUM over the limit dimension's values: a metric alarm cannot use SEARCH.
  const velocityLimited = factory.alarm('VelocityLimited', runbooks.velocityLimited, {
    metric: new cloudwatch.MathExpression({
      expression: `SUM([${velocityLimits.join(', ')}])`,
      usingMetrics: Object.fromEntries(
        velocityLimits.map((limit) => [limit, businessMetric(businessMetrics.velocityLimited, { period, extraDimensions: { [velocityLimitDimension]: limit } })]),
      ),
      label: 'creates refused by a velocity limit',
      period,
    }),
    threshold: thresholds.velocityLimited,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    summary: `velocity limits refused ${thresholds.velocityLimited} or more checkout creates in five minutes: someone is trying cards or flooding creates`,
  });

  // The calls we can count: checkouts the provider created or declined, and every call it failed
  // (any route). A failure share of the calls that reached it, with a minimum volume.
  const failures = 'FILL(unavailable, 0) + FILL(rejected, 0) + FILL(throttled, 0)';
  const providerFailureRate = factory.alarm('ProviderFailureRate', runbooks.providerFailureRate, {
    metric: new cloudwatch.MathExpression({
      expression: `IF(${failures} + ${created} + ${declined} >= ${thresholds.providerFailureMinimumCalls}, (${failures}) / (${failures} + ${created} + ${declined}), 0)`,
      usingMetrics: {
        unavailable: sum(businessMetrics.providerUnavailable),
        rejected: sum(businessMetrics.providerRejected),
        throttled: sum(businessMetrics.providerThrottled),
        created: sum(businessMetrics.checkoutCreated),
        declined: sum(businessMetrics.cardDeclined),
      },
      label: 'provider failure share',
      period,
    }),
    threshold: thresholds.providerFailureRate,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    summary: `${thresholds.providerFailureRate * 100}% or more of provider calls failed (unavailable, rejected or throttled; at least ${thresholds.providerFailureMinimumCalls} calls) in 2 of the last 3 five-minute periods`,
  });

  const checkoutVolume = addCheckoutVolumeAlarm(scope, factory, config);

  const auditWriteFailed = factory.alarm('AuditWriteFailed', runbooks.auditWriteFailed, {
    metric: sum(businessMetrics.auditWriteFailed),
    threshold: 1,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    summary: 'an audit record could not be written to the audit table (it is kept in the function\'s ERROR log line)',
  });

  return { declineRatio, velocityLimited, providerFailureRate, checkoutVolume, auditWriteFailed };
}

/**
 * Checkouts created per 15 minutes against CloudWatch's anomaly model of that series (daily and
 * weekly seasonality, in the platform's time zone), alarming below the band's lower edge. The model
 * is declared (not left to CloudWatch's implicit one) to set that time zone.
 */
function addCheckoutVolumeAlarm(scope: Construct, factory: AlarmFactory, config: EnvironmentConfig): cloudwatch.AnomalyDetectionAlarm {
  // No CheckoutCreated datapoint means no checkout was created: FILL turns it into the 0 this alarm
  // exists for, so at hours where the model expects checkouts, silence breaches. Where it expects
  // none (the band's lower edge is 0), 0 is not below it. What can still be missing is the band
  // itself while the model trains (about two weeks after deploy): that is not an incident.
  const volume = new cloudwatch.MathExpression({
    expression: 'FILL(created, 0)',
    usingMetrics: { created: businessMetric(businessMetrics.checkoutCreated, { period: checkoutVolumePeriod }) },
    label: 'checkouts created',
    period: checkoutVolumePeriod,
  });
  const id = 'CheckoutVolumeLow';
  const alarm = new cloudwatch.AnomalyDetectionAlarm(scope, id, {
    alarmName: factory.alarmName(id),
    alarmDescription: factory.description(
      `fewer checkouts were created than the anomaly model expects at this hour and weekday (below its band of ${config.alarms.checkoutVolumeBandWidth} standard deviations) for 30 minutes: checkouts may be failing before they are counted`,
      runbooks.checkoutVolume,
    ),
    metric: volume,
    stdDevs: config.alarms.checkoutVolumeBandWidth,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_LOWER_THRESHOLD,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  // The same queries as the alarm's band (ids included), so CloudWatch uses this model for it.
  const detector = new cloudwatch.CfnAnomalyDetector(scope, `${id}Model`, {
    metricMathAnomalyDetector: {
      metricDataQueries: [
        { id: 'm0', expression: 'FILL(created, 0)', returnData: true },
        {
          id: 'created',
          metricStat: {
            metric: {
              namespace: businessMetrics.namespace,
              metricName: businessMetrics.checkoutCreated,
              dimensions: Object.entries(businessMetrics.dimensions).map(([name, value]) => ({ name, value })),
            },
            period: checkoutVolumePeriod.toSeconds(),
            stat: 'Sum',
          },
          returnData: false,
        },
      ],
    },
    configuration: { metricTimeZone: config.alarms.checkoutVolumeTimeZone },
  });
  alarm.node.addDependency(detector);
  return factory.notify(alarm);
}
