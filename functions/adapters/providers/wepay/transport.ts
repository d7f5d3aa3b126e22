// One WePay call on the wire: a JSON POST with the token in the Authorization
// header, and the integration guide's retry loop around attempts that all send
// the same bytes. Whether an unknown outcome may be retried is the caller's
// RepeatPolicy.
import { setTimeout as delay } from 'node:timers/promises';
import { InvalidStateError, ProviderError, ProviderUnavailableError } from '#functions/domain/errors.ts';
import type { PlatformCredentials } from '#functions/ports/secrets.ts';
import { isObject, type WePayObject } from './checkout-object.ts';
import { classifyWePayError, describeTransportFailure, isErrorBody, throttled, type AttemptOutcome } from './errors.ts';
import { parseExactJson, stringifyExactJson } from './exact-json.ts';
import type { ProviderCallRecord } from '#functions/observability.ts';

/** The platform's own credentials at WePay (its app), issued by WePay only. */
export type ProviderClientCredentials = Pick<PlatformCredentials, 'clientId' | 'clientSecret' | 'appAccessToken'>;

export interface WePayClientOptions {
  /** Up to and including `/v2`, without a trailing slash. */
  baseUrl: string;
  /** Per attempt, covering the response body as well. */
  timeoutMs: number;
  /** Attempts per call when the outcome is unknown (1 means no retry). */
  maxAttempts: number;
  credentials: () => Promise<ProviderClientCredentials>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter source. */
  random?: () => number;
  /** Told of every attempt when it ends (the composition root logs it and publishes its latency). */
  onAttempt?: (attempt: ProviderCallRecord) => void;
  /** Full-jitter backoff: attempt n waits random() × min(cap, base × 2^(n−1)). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
}

/**
 * How a call may be repeated when its outcome is unknown:
 * - `idempotent`: reads, and /checkout/create whose unique_id makes WePay return the original checkout;
 * - `transition`: capture, cancel and full refund. They carry no unique_id, but a repeat cannot act
 *   twice (the first moved the checkout, so the repeat gets 4004); a 4004 after an unknown outcome is
 *   reconciled by fetching the checkout and accepting it when it is in the target state;
 * - `once`: calls a repeat could perform twice (register, account create, partial refund). An unknown
 *   outcome becomes ProviderUnavailableError at once; the caller reconciles (fetches the checkout)
 *   before deciding to call again.
 */
export type RepeatPolicy = { kind: 'idempotent' } | { kind: 'transition' } | { kind: 'once' };

/** A transition's repeat got 4004: the caller checks whether the unknown first attempt did the work. */
export class RepeatRejectedAfterUnknownOutcome extends Error {
  constructor(readonly invalidState: InvalidStateError) {
    super('A repeated state transition was rejected as invalid');
  }
}

export class WePayTransport {
  readonly credentials: () => Promise<ProviderClientCredentials>;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly onAttempt: ((attempt: ProviderCallRecord) => void) | undefined;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;

  constructor(options: WePayClientOptions) {
    // Fail at construction, not on the first payment, and refuse credentials in the URL.
    const url = new URL(options.baseUrl);
    if (url.username || url.password || url.search) throw new RangeError('The provider base URL may not carry credentials or a query');
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer');
    if (!(options.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.maxAttempts = options.maxAttempts;
    this.credentials = options.credentials;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => delay(ms));
    this.random = options.random ?? Math.random;
    this.onAttempt = options.onAttempt;
    this.backoffBaseMs = options.backoffBaseMs ?? 200;
    this.backoffCapMs = options.backoffCapMs ?? 2_000;
  }

  /** One logical call: the retry loop around attempts that all send the same bytes. */
  async call(path: string, accessToken: string, params: WePayObject, policy: RepeatPolicy, otherSecrets: string[] = []): Promise<WePayObject> {
    const requestBody = stringifyExactJson(params);
    const secrets = [accessToken, ...otherSecrets];
    let lastUnknown = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const started = performance.now();
      const outcome = await this.attempt(path, accessToken, requestBody, secrets);
      const detail = outcome.kind === 'unknown' ? outcome.reason : outcome.kind === 'failed' ? outcome.error.name : undefined;
      // An observer's failure never changes what the provider answered (the call has happened).
      try {
        this.onAttempt?.({ operation: path, attempt, durationMs: performance.now() - started, outcome: outcome.kind, ...(detail ? { detail } : {}) });
      } catch {
        // Logging and metrics are best effort here.
      }
      if (outcome.kind === 'answered') return outcome.body;
      if (outcome.kind === 'failed') {
        // A 4004 on a repeat may be our own earlier attempt having moved the checkout.
        if (attempt > 1 && policy.kind === 'transition' && outcome.error instanceof InvalidStateError) {
          throw new RepeatRejectedAfterUnknownOutcome(outcome.error);
        }
        throw outcome.error;
      }
      lastUnknown = outcome.reason;
      const willRetry = policy.kind !== 'once' && attempt < this.maxAttempts;
      if (!willRetry) break;
      await this.sleep(this.backoffDelayMs(attempt));
    }
    const advice = policy.kind === 'once' ? 'fetch the object before calling again' : 'retry with the same unique_id';
    throw new ProviderUnavailableError(`The payment provider did not confirm the outcome; ${advice}`, 5, new Error(`${path}: ${lastUnknown}`));
  }

  private backoffDelayMs(attempt: number): number {
    return Math.floor(this.random() * Math.min(this.backoffCapMs, this.backoffBaseMs * 2 ** (attempt - 1)));
  }

  private async attempt(path: string, accessToken: string, requestBody: string, secrets: string[]): Promise<AttemptOutcome> {
    let status: number;
    let retryAfterHeader: string | null;
    let text: string;
    try {
      const response = await this.fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${accessToken}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: requestBody,
        // WePay never redirects an API call; following one could carry the token elsewhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      retryAfterHeader = response.headers.get('retry-after');
      text = await response.text(); // under the same timeout signal
    } catch (error) {
      // Timeout, refused or dropped connection: the call may or may not have taken effect.
      return { kind: 'unknown', reason: describeTransportFailure(error, secrets) };
    }

    if (status >= 300 && status < 400) {
      return { kind: 'failed', error: new ProviderError(`The payment provider answered HTTP ${status}; check PROVIDER_BASE_URL`) };
    }
    let body: unknown;
    try {
      body = parseExactJson(text);
    } catch {
      body = undefined;
    }
    if (status === 429 && !isErrorBody(body)) {
      return { kind: 'failed', error: throttled(retryAfterHeader) };
    }
    // /checkout/find answers with an array of checkouts.
    if (status >= 200 && status < 300 && Array.isArray(body)) return { kind: 'answered', body: { items: body } };
    if (!isObject(body)) {
      // An unreadable answer (typically a load balancer's HTML 502/504 page, or a body
      // cut short) says nothing about whether WePay acted: the outcome is unknown, and
      // the retry policy decides whether repeating is safe.
      return { kind: 'unknown', reason: `HTTP ${status} with a body that is not a JSON object` };
    }
    if (status >= 200 && status < 300 && !isErrorBody(body)) return { kind: 'answered', body };
    if (!isErrorBody(body)) {
      return { kind: 'unknown', reason: `HTTP ${status} without a WePay error` };
    }
    return classifyWePayError(body, status, retryAfterHeader, secrets, path);
  }
}
