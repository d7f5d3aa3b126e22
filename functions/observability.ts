// Logger and metrics, created once per process (per invocation locally). Every log line passes
// through `redactForLog`: credentials by key, card numbers and bearer tokens by
// value, so that no secret reaches CloudWatch even when a caller logs carelessly.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger, LogLevelThreshold, type LogItem } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
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
const loggerOptions = {
  serviceName,
  logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
  jsonReplacerFn: redactForLog,
};
const metricsOptions = { namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Payments', serviceName };

const processLogger = new Logger(loggerOptions);
const processMetrics = new Metrics(metricsOptions);

// In Lambda a process runs one function, and one logger per process is right. The
// local runtime runs every function in one process, concurrently: each invocation
// then gets a logger and metrics of its own (runInvocation), or a request of one
// function would tag its lines with another's function_name.
const invocations = new AsyncLocalStorage<{ logger: Logger; metrics: Metrics }>();

/** The current invocation's instance, or the process's (Lambda, unit tests). */
function perInvocation<T extends object>(processWide: T, pick: (invocation: { logger: Logger; metrics: Metrics }) => T): T {
  return new Proxy(processWide, {
    get(_target, property) {
      const invocation = invocations.getStore();
      const target = invocation ? pick(invocation) : processWide;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export const logger: Logger = perInvocation(processLogger, (invocation) => invocation.logger);

// Tracing: every function has Lambda active tracing (its segment, with initialization
// and invocation times, linked to API Gateway's) and loads no tracer. The Powertools
// Tracer (the X-Ray SDK, with cls-hooked's async hooks on every promise) was 121 KiB
// and a sixth of the import CPU of the functions that carried it, enough to keep them
// over issue 16's budgets (bench/README.md). What its subsegments showed of the calls
// out of AWS, the provider's API and merchants' webhook endpoints, comes from
// recordProviderCall and recordWebhookSend below (docs/observability.md).

/** Business metrics as CloudWatch EMF lines (namespace from POWERTOOLS_METRICS_NAMESPACE). */
export const metrics: Metrics = perInvocation(processMetrics, (invocation) => invocation.metrics);

/**
 * Local text log: warnings and errors as one line (level, function, message, redacted
 * details); the rest is left to the runtime's one line per request.
 */
class TextLogger extends Logger {
  constructor(private readonly write: (line: string) => void) {
    super(loggerOptions);
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (logLevel < LogLevelThreshold.WARN) return;
    const { level, message, function_name: functionName, ...rest } = log.getAttributes();
    const details = Object.fromEntries(Object.entries(rest).filter(([key]) => !contextKeys.has(key)));
    const extra = Object.keys(details).length > 0 ? ` ${JSON.stringify(details, redactForLog)}` : '';
    this.write(`${String(level)} ${String(functionName ?? '-')} ${redactString(String(message))}${extra}`);
  }
}
const contextKeys = new Set(['timestamp', 'service', 'cold_start', 'function_arn', 'function_memory_size', 'function_request_id', 'xray_trace_id', 'sampling_rate']);

export type InvocationLog = { format: 'json' } | { format: 'text'; write: (line: string) => void };

/**
 * Local runtime: runs one function invocation with its own logger and metrics. `json`
 * prints what CloudWatch would get (JSON lines, EMF metrics); `text` only warnings and
 * errors, as one line each, through `write`.
 */
export function runInvocation<T>(log: InvocationLog, invoke: () => Promise<T>): Promise<T> {
  const metrics = new Metrics(metricsOptions);
  if (log.format === 'text') Reflect.set(metrics, 'disabled', true); // Powertools' own switch, read at publish time
  const logger = log.format === 'json' ? new Logger(loggerOptions) : new TextLogger(log.write);
  return invocations.run({ logger, metrics }, invoke);
}

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
  /** A checkout creation refused by a velocity limit, with the dimension `limit` naming which one. */
  velocityLimited: 'VelocityLimited',
  /** A webhook delivery that failed for good (retries exhausted, or a 410). */
  webhookDeliveryFailed: 'WebhookDeliveryFailed',
} as const;

export function countMetric(name: (typeof businessMetric)[keyof typeof businessMetric], value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}

/**
 * What an on-call engineer sees of a call out of AWS now that these functions carry no
 * X-Ray SDK (bench/README.md measured its cost; docs/observability.md): per attempt, one
 * log line (with the request's ids, like every line) and one latency metric, so a slow
 * provider shows as a p99 on the dashboard and, for a given request, in its log lines.
 */
export const latencyMetric = {
  /** Milliseconds per attempt at the provider's API, with the dimension `operation` (its path, e.g. `/checkout/create`). */
  providerCall: 'ProviderCallLatency',
  /** Milliseconds per webhook POST to a merchant's endpoint (service dimension only: hosts are unbounded). */
  webhookDelivery: 'WebhookDeliveryLatency',
} as const;

/** One attempt at a provider call, as the transport reports it: never the request, the answer or a token. */
export interface ProviderCallRecord {
  /** The provider's API path: a short, fixed set, so it can be a dimension. */
  operation: string;
  attempt: number;
  durationMs: number;
  /** `answered`, `failed` (an error answer) or `unknown` (timeout, dropped connection, unreadable answer). */
  outcome: 'answered' | 'failed' | 'unknown';
  /** Why the outcome is unknown, or the error's name; never a token (the transport redacts them). */
  detail?: string;
}

export function recordProviderCall(call: ProviderCallRecord): void {
  const durationMs = Math.round(call.durationMs);
  logger.info('Provider call', { operation: call.operation, attempt: call.attempt, outcome: call.outcome, duration_ms: durationMs, ...(call.detail ? { detail: call.detail } : {}) });
  latency(latencyMetric.providerCall, durationMs, { name: 'operation', value: call.operation });
}

/** One webhook POST, as the sender reports it. */
export interface WebhookSendRecord {
  /** The endpoint's host only: a webhook URL's path or query may carry the merchant's own secret. */
  host: string;
  durationMs: number;
  statusCode: number | null;
  error?: string;
}

export function recordWebhookSend(send: WebhookSendRecord): void {
  const durationMs = Math.round(send.durationMs);
  logger.info('Webhook delivery attempt', { host: send.host, status_code: send.statusCode, duration_ms: durationMs, ...(send.error ? { error: send.error } : {}) });
  latency(latencyMetric.webhookDelivery, durationMs);
}

/** A metric of its own EMF line, published at once. The local text log turns metrics off per invocation; it follows that switch. */
function singleMetric(): Metrics {
  const single = metrics.singleMetric();
  Reflect.set(single, 'disabled', Reflect.get(metrics, 'disabled'));
  return single;
}

/** A latency published at once as its own EMF line: the call may be one of several in a request. */
function latency(name: string, milliseconds: number, dimension?: { name: string; value: string }): void {
  const single = singleMetric();
  if (dimension) single.addDimension(dimension.name, dimension.value);
  single.addMetric(name, MetricUnit.Milliseconds, milliseconds);
}

/** One count with its own dimension (e.g. which velocity limit tripped), published at once as its own EMF line. */
export function countMetricWithDimension(name: (typeof businessMetric)[keyof typeof businessMetric], dimension: { name: string; value: string }): void {
  const single = singleMetric();
  single.addDimension(dimension.name, dimension.value);
  single.addMetric(name, MetricUnit.Count, 1);
}
