// Logger, metrics and tracer, created once per process (per invocation locally). Every log line passes
// through `redactForLog`: credentials by key, card numbers and bearer tokens by
// value, so that no secret reaches CloudWatch even when a caller logs carelessly.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger, LogLevelThreshold, type LogItem } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
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

/**
 * What the code asks of X-Ray: subsegments for AWS SDK calls and for the handler. Every
 * function has Lambda active tracing (its segment, with initialization and invocation
 * times, linked to API Gateway's) without loading anything. The Powertools Tracer (the
 * X-Ray SDK, whose cls-hooked async hooks cost CPU on every promise) is installed only
 * by functions/wiring/tracing.ts, which the composition roots of the functions that call
 * out of AWS import (the provider, merchants' webhook endpoints): there its subsegments
 * show where a slow request spent its time. Elsewhere these are no-ops (bench/README.md).
 */
export interface Tracing {
  captureAWSv3Client<T>(client: T): T;
  /** A middy middleware: the handler's subsegment and cold-start annotation. */
  handlerMiddleware(): MiddlewareObj;
}

// middy refuses a middleware without a hook: this one has an empty `before`.
const untraced: Tracing = { captureAWSv3Client: (client) => client, handlerMiddleware: () => ({ before: () => undefined }) };
let installedTracing: Tracing = untraced;

/** Called once, at import, by functions/wiring/tracing.ts. */
export function installTracing(tracing: Tracing): void {
  installedTracing = tracing;
}

/** Delegates to the installed tracing at the time of the call (clients and handlers are built after every import ran). */
export const tracer: Tracing = {
  captureAWSv3Client: (client) => installedTracing.captureAWSv3Client(client),
  handlerMiddleware: () => installedTracing.handlerMiddleware(),
};

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
} as const;

export function countMetric(name: (typeof businessMetric)[keyof typeof businessMetric], value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}

/** One count with its own dimension (e.g. which velocity limit tripped), published at once as its own EMF line. */
export function countMetricWithDimension(name: (typeof businessMetric)[keyof typeof businessMetric], dimension: { name: string; value: string }): void {
  const single = metrics.singleMetric();
  // The local text log turns metrics off per invocation; the single metric follows that switch.
  Reflect.set(single, 'disabled', Reflect.get(metrics, 'disabled'));
  single.addDimension(dimension.name, dimension.value);
  single.addMetric(name, MetricUnit.Count, 1);
}
