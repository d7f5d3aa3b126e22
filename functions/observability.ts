// Logger, metrics and tracer, created once per process. Every log line passes
// through `redactForLog`: credentials by key, card numbers and bearer tokens by
// value, so that no secret reaches CloudWatch even when a caller logs carelessly.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { containsCardNumber, maskCardNumbers } from '#functions/domain/card-data.ts';

const sensitiveKey =
  /authorization|token|secret|password|passwd|api[_-]?key|cookie|cc_?number|card_?number|cvv|cvc|private_?key|credential|sealed/i;
const jwtLike = /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g;
const bearer = /\b(Bearer)\s+[\w.~+/=-]+/gi;

export function redactString(text: string): string {
  return maskCardNumbers(text).replace(jwtLike, '[REDACTED JWT]').replace(bearer, '$1 [REDACTED]');
}

/** A JSON.stringify replacer: applied by the logger to every key and value of every line. */
export function redactForLog(key: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (key !== '' && sensitiveKey.test(key)) return '[REDACTED]';
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'number' && containsCardNumber(String(value))) return '[REDACTED CARD]';
  return value;
}

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'payments';

export const logger = new Logger({
  serviceName,
  logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
  jsonReplacerFn: redactForLog,
});

/** X-Ray: on in Lambda (active tracing), off elsewhere by Powertools' own detection. */
export const tracer = new Tracer({ serviceName });

/** Business metrics as CloudWatch EMF lines (namespace from POWERTOOLS_METRICS_NAMESPACE). */
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Payments', serviceName });

export const businessMetric = {
  checkoutCreated: 'CheckoutCreated',
  cardDeclined: 'CardDeclined',
  idempotentReplay: 'IdempotentReplay',
  idempotencyConflict: 'IdempotencyConflict',
  providerUnavailable: 'ProviderUnavailable',
  providerRejected: 'ProviderRejected',
  providerThrottled: 'ProviderThrottled',
  /** Actions and creations a reconciliation pass left unknown (emitted every pass, 0 included): alarm above 0. */
  reconcileUnresolved: 'ReconcileUnresolved',
  /** 1 when a reconciliation pass throws: alarm. */
  reconcileFailed: 'ReconcileFailed',
} as const;

export function countMetric(name: (typeof businessMetric)[keyof typeof businessMetric], value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}
