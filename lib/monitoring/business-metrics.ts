// The functions' own metrics, as the alarms read them: Powertools EMF in the namespace
// POWERTOOLS_METRICS_NAMESPACE with the default dimension `service` = POWERTOOLS_SERVICE_NAME
// (lib/api-stack.ts sets both). The names are functions/observability.ts's and
// functions/wiring/audit.ts's (test/infra/alarms.test.ts holds them equal).
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { VelocityDimension } from '#functions/domain/velocity.ts';

export const businessMetrics = {
  namespace: 'Payments',
  dimensions: { service: 'payments' },
  checkoutCreated: 'CheckoutCreated',
  cardDeclined: 'CardDeclined',
  providerUnavailable: 'ProviderUnavailable',
  providerRejected: 'ProviderRejected',
  providerThrottled: 'ProviderThrottled',
  velocityLimited: 'VelocityLimited',
  auditWriteFailed: 'AuditWriteFailed',
  reconcileUnresolved: 'ReconcileUnresolved',
  reconcileFailed: 'ReconcileFailed',
  webhookDeliveryFailed: 'WebhookDeliveryFailed',
  /** Milliseconds per attempt at the provider's API, under service and `operation` (the API path). */
  providerCallLatency: 'ProviderCallLatency',
  /** Milliseconds per webhook POST to a merchant's endpoint, under service alone. */
  webhookDeliveryLatency: 'WebhookDeliveryLatency',
} as const;

/** VelocityLimited carries one more dimension, naming the limit that tripped. */
export const velocityLimitDimension = 'limit';

/** Every value of that dimension; a limit added to the domain without being listed here fails to compile. */
export const velocityLimits = Object.keys({
  payer_creates: true,
  payer_declines: true,
  card_declines: true,
  ip_creates: true,
} satisfies Record<VelocityDimension, true>) as VelocityDimension[];

export function businessMetric(
  metricName: string,
  options: { statistic?: string; period?: Duration; extraDimensions?: Record<string, string> } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: businessMetrics.namespace,
    metricName,
    dimensionsMap: { ...businessMetrics.dimensions, ...options.extraDimensions },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? Duration.minutes(5),
  });
}
