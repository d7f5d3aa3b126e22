// The client's retries: only where the API contract makes a second try safe, with the
// same request (so the same unique_id), honouring Retry-After, within a bounded
// budget of attempts and waiting time.
//
// Safe to retry:
// - 429 rate_limited, on any request: the request was refused before anything happened;
// - on an idempotent request (a GET/DELETE, a fee quote, or a POST whose body carries a
//   unique_id): a network error (the answer was lost; the API replays or finishes the
//   original), 503 provider_unavailable (the key stays bound; the retry settles it),
//   409 idempotency_key_in_use and 409 checkout_busy (the first request is still in flight).
// Anything else is an answer, and is returned as is.
import { PaymentsNetworkError, retryAfterSeconds } from './errors.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included (default 5). */
  maxAttempts: number;
  /** The most the client waits between attempts in all, in ms (default 30 000); a Retry-After beyond it ends the retries. */
  maxWaitMs: number;
  /** The first backoff when the answer names no Retry-After (default 250 ms), doubled per attempt up to maxDelayMs (default 5 000). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injectable for tests. */
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
  /** Called before each wait, e.g. to show "retrying". */
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  reason: 'network_error' | 'rate_limited' | 'provider_unavailable' | 'idempotency_key_in_use' | 'checkout_busy';
  method: string;
  url: string;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  maxWaitMs: 30_000,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  random: () => Math.random(),
};

const retryable409 = new Set(['idempotency_key_in_use', 'checkout_busy']);

/** Whether sending this request (with this body) twice cannot act twice (idempotency by unique_id). */
export function isIdempotent(request: Request, body: ArrayBuffer | null): boolean {
  if (['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(request.method)) return true;
  if (request.method !== 'POST') return false;
  if (new URL(request.url).pathname.endsWith('/v1/fees/quote')) return true;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body ?? new ArrayBuffer(0))) as { unique_id?: unknown } | null;
    return typeof parsed?.unique_id === 'string' && parsed.unique_id !== '';
  } catch {
    return false;
  }
}

async function reasonToRetry(response: Response, idempotent: boolean): Promise<RetryEvent['reason'] | null> {
  if (response.status === 429) return 'rate_limited';
  if (!idempotent) return null;
  if (response.status === 503) return 'provider_unavailable';
  if (response.status !== 409) return null;
  try {
    const code = ((await response.clone().json()) as { error?: { code?: string } }).error?.code;
    return code !== undefined && retryable409.has(code) ? (code as RetryEvent['reason']) : null;
  } catch {
    return null;
  }
}

/** Wraps a fetch so that each request is retried as the policy allows; the request is cloned per attempt. */
export function retryingFetch(fetchImpl: (request: Request) => Promise<Response>, overrides: Partial<RetryPolicy> = {}) {
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...overrides };
  return async (request: Request): Promise<Response> => {
    // The body is read once and given whole to each attempt: the same bytes (the same unique_id) every
    // time, and a plain body rather than a stream, which browsers send (and devtools show) as is.
    const body = request.body === null ? null : await request.clone().arrayBuffer();
    const idempotent = isIdempotent(request, body);
    const started = policy.now();
    for (let attempt = 1; ; attempt += 1) {
      let outcome: { response: Response } | { error: unknown };
      try {
        outcome = { response: await fetchImpl(body === null ? request.clone() : new Request(request, { body })) };
      } catch (error) {
        if (request.signal?.aborted) throw error;
        outcome = { error };
      }
      const reason = 'error' in outcome ? (idempotent ? 'network_error' : null) : await reasonToRetry(outcome.response, idempotent);
      const retryAfter = 'response' in outcome ? retryAfterSeconds(outcome.response.headers.get('Retry-After'), policy.now) : undefined;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      // Retry-After is honoured as given (at least that long); otherwise a jittered backoff spreads retries.
      const delayMs = retryAfter !== undefined ? retryAfter * 1000 : Math.round(backoff / 2 + (policy.random() * backoff) / 2);
      const withinBudget = attempt < policy.maxAttempts && policy.now() - started + delayMs <= policy.maxWaitMs;
      if (reason === null || !withinBudget) {
        if ('response' in outcome) return outcome.response;
        const cause = outcome.error;
        throw new PaymentsNetworkError(`${request.method} ${new URL(request.url).pathname} got no answer after ${attempt} attempt(s)`, { cause });
      }
      policy.onRetry?.({ attempt, delayMs, reason, method: request.method, url: request.url });
      await policy.sleep(delayMs);
    }
  };
}
