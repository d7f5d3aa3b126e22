// The WePay v2 client behind the PaymentProvider port. It owns the wire format
// (decimal dollars, numeric ids), the integration guide's retry loop, and the
// mapping of WePay's errors to the named domain errors.
import { setTimeout as delay } from 'node:timers/promises';
import type { Config } from '#functions/config.ts';
import {
  CardDeclinedError,
  InvalidStateError,
  type PaymentsError,
  ProviderCredentialsRevokedError,
  ProviderError,
  ProviderRejectedError,
  ProviderUnavailableError,
  RateLimitedError,
  UnknownCardTokenError,
} from '#functions/domain/errors.ts';
import { currencies, type Currency } from '#functions/domain/money.ts';
import {
  checkoutTypes,
  feePayers,
  providerCheckoutStates,
  type CheckoutRead,
  type CheckoutType,
  type CreateAccountInput,
  type FindCheckoutsInput,
  type CreateCheckoutInput,
  type FeePayer,
  type PaymentProvider,
  type ProviderAccount,
  type ProviderCheckout,
  type ProviderCheckoutState,
  type RegisteredUser,
  type RegisterUserInput,
} from '#functions/ports/payment-provider.ts';
import type { PlatformCredentials, PlatformSecrets } from '#functions/ports/secrets.ts';
import { fromDecimalDollars, toDecimalDollars } from './decimal-dollars.ts';
import { JsonNumberLiteral, parseExactJson, stringifyExactJson } from './exact-json.ts';

/** Custom scopes are gone and onboarding is the only chance to set them: ask for all of them. */
export const WEPAY_USER_SCOPES = [
  'manage_accounts',
  'collect_payments',
  'view_user',
  'preapprove_payments',
  'send_money',
] as const;

/** `/batch/create` holds at most this many calls, and `/checkout/find` pages at most this many checkouts. */
export const WEPAY_MAX_BATCH_CALLS = 50;

/** WePay throttles per 10-second window; waiting one window is the earliest useful retry. */
export const WEPAY_THROTTLE_WINDOW_SECONDS = 10;

/** The 1008 message that means "outcome unknown, retry with the same unique_id" (anything else under 1008 is final). */
export const WEPAY_UNKNOWN_ERROR_MESSAGE = 'there was an unknown error - please contact for support';

export type ProviderClientCredentials = Pick<PlatformCredentials, 'clientId' | 'clientSecret' | 'appAccessToken'>;

/** The part of a logger the client uses; Powertools' Logger fits. */
export interface ProviderCallLogger {
  warn(message: string, attributes?: Record<string, unknown>): void;
}

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
  logger?: ProviderCallLogger;
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
type RepeatPolicy =
  | { kind: 'idempotent' }
  | { kind: 'transition' }
  | { kind: 'once' };

/** A transition's repeat got 4004: the caller checks whether the unknown first attempt did the work. */
class RepeatRejectedAfterUnknownOutcome extends Error {
  constructor(readonly invalidState: InvalidStateError) {
    super('A repeated state transition was rejected as invalid');
  }
}

type AttemptOutcome =
  | { kind: 'answered'; body: Record<string, unknown> }
  | { kind: 'failed'; error: PaymentsError }
  | { kind: 'unknown'; reason: string };

type WePayObject = Record<string, unknown>;

export class WePayClient implements PaymentProvider {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly credentials: () => Promise<ProviderClientCredentials>;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly logger: ProviderCallLogger | undefined;
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
    this.logger = options.logger;
    this.backoffBaseMs = options.backoffBaseMs ?? 200;
    this.backoffCapMs = options.backoffCapMs ?? 2_000;
  }

  async registerUser(input: RegisterUserInput): Promise<RegisteredUser> {
    const app = await this.credentials();
    // /user/register is the one call whose client credentials WePay takes in the body.
    const body = await this.call('/user/register', app.appAccessToken, {
      client_id: providerId(app.clientId),
      client_secret: app.clientSecret,
      email: input.email,
      scope: WEPAY_USER_SCOPES.join(','),
      first_name: input.firstName,
      last_name: input.lastName,
      original_ip: input.originalIp,
      original_device: input.originalDevice,
      tos_acceptance_time: new JsonNumberLiteral(String(Math.trunc(input.tosAcceptanceTime))),
    }, { kind: 'once' }, [app.clientSecret]);
    return { userId: requiredText(body, 'user_id'), accessToken: requiredText(body, 'access_token') };
  }

  async lookUpCard(creditCardId: string): Promise<void> {
    const app = await this.credentials();
    // A read: safe to repeat, so it is retried like any idempotent call.
    await this.call('/credit_card', app.appAccessToken, {
      client_id: providerId(app.clientId),
      client_secret: app.clientSecret,
      credit_card_id: providerId(creditCardId),
    }, { kind: 'idempotent' }, [app.clientSecret]);
  }

  async createAccount(accessToken: string, input: CreateAccountInput): Promise<ProviderAccount> {
    const body = await this.call('/account/create', accessToken, {
      name: input.name,
      description: input.description,
      reference_id: input.referenceId,
    }, { kind: 'once' });
    return {
      accountId: requiredText(body, 'account_id'),
      name: requiredText(body, 'name'),
      state: optionalText(body, 'state') ?? 'active',
    };
  }

  async createCheckout(accessToken: string, input: CreateCheckoutInput): Promise<ProviderCheckout> {
    // Built once: every attempt sends these exact bytes, the same unique_id included.
    const body = await this.call('/checkout/create', accessToken, {
      account_id: providerId(input.accountId),
      short_description: input.shortDescription,
      type: input.type,
      amount: new JsonNumberLiteral(toDecimalDollars(input.amount)),
      currency: input.currency,
      fee: { app_fee: new JsonNumberLiteral(toDecimalDollars(input.fee.appFee)), fee_payer: input.fee.feePayer },
      unique_id: input.uniqueId,
      reference_id: input.referenceId,
      callback_uri: input.callbackUri,
      payment_method: {
        type: 'credit_card',
        credit_card: { id: providerId(input.creditCardId), auto_capture: input.autoCapture },
      },
    }, { kind: 'idempotent' });
    return toProviderCheckout(body);
  }

  async getCheckout(accessToken: string, checkoutId: string): Promise<ProviderCheckout> {
    const body = await this.call('/checkout', accessToken, { checkout_id: providerId(checkoutId) }, { kind: 'idempotent' });
    return toProviderCheckout(body);
  }

  async findCheckouts(accessToken: string, input: FindCheckoutsInput): Promise<ProviderCheckout[]> {
    const body = await this.call('/checkout/find', accessToken, {
      account_id: providerId(input.accountId),
      sort_order: 'ASC',
      ...(input.startTime === undefined ? {} : { start_time: new JsonNumberLiteral(String(Math.trunc(input.startTime))) }),
      ...(input.start === undefined ? {} : { start: new JsonNumberLiteral(String(input.start)) }),
      limit: new JsonNumberLiteral(String(input.limit ?? WEPAY_MAX_BATCH_CALLS)),
    }, { kind: 'idempotent' });
    // WePay answers a find with a JSON array; `call` hands arrays over under `items`.
    const items = (body as { items?: unknown }).items;
    if (!Array.isArray(items)) throw malformed('find result');
    return items.map((item) => {
      if (!isObject(item)) throw malformed('find result');
      return toProviderCheckout(item);
    });
  }

  async getCheckouts(reads: readonly CheckoutRead[]): Promise<(ProviderCheckout | Error)[]> {
    if (reads.length === 0) return [];
    if (reads.length > WEPAY_MAX_BATCH_CALLS) throw new RangeError(`A batch holds at most ${WEPAY_MAX_BATCH_CALLS} calls`);
    const app = await this.credentials();
    const body = await this.call('/batch/create', app.appAccessToken, {
      client_id: providerId(app.clientId),
      client_secret: app.clientSecret,
      calls: reads.map((read, index) => ({
        call: '/checkout',
        authorization: read.accessToken,
        reference_id: String(index),
        parameters: { checkout_id: providerId(read.checkoutId) },
      })),
    }, { kind: 'idempotent' }, [app.clientSecret, ...reads.map((read) => read.accessToken)]);
    const calls = Array.isArray(body.calls) ? body.calls : [];
    return reads.map((_, index) => {
      const answer = calls.find((c): c is WePayObject => isObject(c) && String(c.reference_id) === String(index));
      const response = answer && isObject(answer.response) ? answer.response : undefined;
      if (!response) return new ProviderError('The payment provider left a batched read unanswered');
      if (isErrorBody(response)) {
        const outcome = classifyWePayError(response, 400, null, [], '/checkout');
        return outcome.kind === 'failed' ? outcome.error : new ProviderUnavailableError('A batched read failed; read again later');
      }
      try {
        return toProviderCheckout(response);
      } catch (error) {
        return error as Error;
      }
    });
  }

  async captureCheckout(accessToken: string, checkoutId: string): Promise<ProviderCheckout> {
    return this.transition(accessToken, '/checkout/capture', { checkout_id: providerId(checkoutId) }, checkoutId, 'captured');
  }

  async cancelCheckout(accessToken: string, checkoutId: string, reason: string): Promise<ProviderCheckout> {
    return this.transition(accessToken, '/checkout/cancel', { checkout_id: providerId(checkoutId), cancel_reason: reason }, checkoutId, 'cancelled');
  }

  async refundCheckout(accessToken: string, checkoutId: string, reason: string, amount?: number): Promise<ProviderCheckout> {
    if (amount === undefined) {
      return this.transition(accessToken, '/checkout/refund', { checkout_id: providerId(checkoutId), refund_reason: reason }, checkoutId, 'refunded');
    }
    // A repeated partial refund would refund twice, so it is never repeated here.
    const body = await this.call('/checkout/refund', accessToken, {
      checkout_id: providerId(checkoutId),
      refund_reason: reason,
      amount: new JsonNumberLiteral(toDecimalDollars(amount)),
    }, { kind: 'once' });
    return this.fullCheckout(accessToken, checkoutId, body);
  }

  private async transition(
    accessToken: string,
    path: string,
    params: WePayObject,
    checkoutId: string,
    targetState: ProviderCheckoutState,
  ): Promise<ProviderCheckout> {
    try {
      const body = await this.call(path, accessToken, params, { kind: 'transition' });
      return await this.fullCheckout(accessToken, checkoutId, body);
    } catch (error) {
      if (!(error instanceof RepeatRejectedAfterUnknownOutcome)) throw error;
      const checkout = await this.getCheckout(accessToken, checkoutId);
      if (checkout.state === targetState) return checkout;
      throw error.invalidState;
    }
  }

  // WePay answers capture/cancel/refund with {checkout_id, state} only; fetch the full object then.
  private async fullCheckout(accessToken: string, checkoutId: string, body: WePayObject): Promise<ProviderCheckout> {
    if (body.amount !== undefined && body.account_id !== undefined) return toProviderCheckout(body);
    return this.getCheckout(accessToken, checkoutId);
  }

  /** One logical call: the retry loop around attempts that all send the same bytes. */
  private async call(
    path: string,
    accessToken: string,
    params: WePayObject,
    policy: RepeatPolicy,
    otherSecrets: string[] = [],
  ): Promise<WePayObject> {
    const requestBody = stringifyExactJson(params);
    const secrets = [accessToken, ...otherSecrets];
    let lastUnknown = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const outcome = await this.attempt(path, accessToken, requestBody, secrets);
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
      this.logger?.warn('Provider call outcome unknown', { path, attempt, maxAttempts: this.maxAttempts, reason: outcome.reason, willRetry });
      if (!willRetry) break;
      await this.sleep(this.backoffDelayMs(attempt));
    }
    const advice = policy.kind === 'once'
      ? 'fetch the object before calling again'
      : 'retry with the same unique_id';
    throw new ProviderUnavailableError(
      `The payment provider did not confirm the outcome; ${advice}`,
      5,
      new Error(`${path}: ${lastUnknown}`),
    );
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

/** Wires the client from the one configuration module and the platform's secrets. */
export function wepayClientFromConfig(
  cfg: Config,
  secrets: PlatformSecrets,
  overrides: Partial<Pick<WePayClientOptions, 'fetch' | 'sleep' | 'random' | 'logger'>> = {},
): WePayClient {
  return new WePayClient({
    baseUrl: cfg.provider.baseUrl,
    timeoutMs: cfg.provider.timeoutMs,
    maxAttempts: cfg.provider.maxAttempts,
    credentials: () => secrets.platformCredentials(),
    ...overrides,
  });
}

// ── WePay errors ──────────────────────────────────────────────────────────────

function isErrorBody(body: unknown): body is WePayObject {
  return isObject(body) && (body.error !== undefined || body.error_code !== undefined);
}

/**
 * A 1003 (invalid parameter) on /checkout/create about the card token. WePay documents no exact
 * wording for it, so this matches the parameter's name or "credit card" with a verdict; every other
 * 1003 (a unique_id reused with other parameters, say) stays a provider rejection.
 */
const unknownCardToken = /credit[ _.]?card[ _.]?id|credit card\b.*\b(?:not exist|not found|invalid|unknown)/i;

function classifyWePayError(
  body: WePayObject,
  status: number,
  retryAfterHeader: string | null,
  secrets: string[],
  path: string,
): AttemptOutcome {
  const code = Number(body.error_code);
  const description = redact(typeof body.error_description === 'string' ? body.error_description : '', secrets).slice(0, 300);
  const failed = (error: PaymentsError): AttemptOutcome => ({ kind: 'failed', error });
  if (code === 1003 && (path === '/checkout/create' || path === '/credit_card') && unknownCardToken.test(description)) return failed(new UnknownCardTokenError(code));
  switch (code) {
    case 1008:
      if (description.trim().toLowerCase() === WEPAY_UNKNOWN_ERROR_MESSAGE) {
        return { kind: 'unknown', reason: 'WePay 1008 unknown error' };
      }
      // Every other 1008 is final: a decline must never be charged again.
      if (/unable to charge|declin/i.test(description)) return failed(new CardDeclinedError('The card was declined'));
      return failed(new ProviderRejectedError(`The payment provider could not process the call: ${description}`, code));
    case 1007:
      return failed(throttled(retryAfterHeader));
    case 4004:
      return failed(new InvalidStateError(description || "The checkout's state does not allow this action"));
    case 1011:
      return failed(new ProviderCredentialsRevokedError('The merchant must re-authorize with the payment provider: its access token was revoked'));
    case 1006:
      return failed(new ProviderError('Authentication with the payment provider failed'));
    default:
      if (!Number.isFinite(code)) {
        // An error without a code from a 5xx is the server failing, not a verdict on the call.
        if (status >= 500) return { kind: 'unknown', reason: `HTTP ${status} error without a code` };
        return failed(new ProviderError(`The payment provider refused the call: ${description || `HTTP ${status}`}`));
      }
      return failed(new ProviderRejectedError(`The payment provider rejected the call: ${description || `error ${code}`}`, code));
  }
}

function throttled(retryAfterHeader: string | null): RateLimitedError {
  const header = Number(retryAfterHeader);
  const seconds = Number.isInteger(header) && header > 0 ? header : WEPAY_THROTTLE_WINDOW_SECONDS;
  return new RateLimitedError('The payment provider is throttling calls; retry later', seconds);
}

function describeTransportFailure(error: unknown, secrets: string[]): string {
  if (!(error instanceof Error)) return 'transport failure';
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code = cause && 'code' in cause ? String(cause.code) : undefined;
  return redact(`${error.name}: ${error.message}${code ? ` (${code})` : cause ? ` (${cause.message})` : ''}`, secrets);
}

/** Belt and braces: a provider message or a transport error must never carry a credential out. */
function redact(text: string, secrets: string[]): string {
  let clean = text;
  for (const secret of secrets) if (secret) clean = clean.split(secret).join('[redacted]');
  return clean;
}

// ── WePay objects ─────────────────────────────────────────────────────────────

/** WePay ids are integers on the wire; keep them exact (as text) and send them as numbers when they are. */
function providerId(id: string): JsonNumberLiteral | string {
  return /^(?:0|[1-9]\d*)$/.test(id) ? new JsonNumberLiteral(id) : id;
}

function isObject(value: unknown): value is WePayObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(field: string): ProviderError {
  return new ProviderError(`The payment provider sent an unexpected ${field}`);
}

function optionalText(body: WePayObject, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw malformed(field);
}

function requiredText(body: WePayObject, field: string): string {
  const value = optionalText(body, field);
  if (value === undefined || value === '') throw malformed(field);
  return value;
}

function cents(body: WePayObject | undefined, field: string): number | undefined {
  const value = body?.[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw malformed(field);
  try {
    return fromDecimalDollars(value);
  } catch {
    throw malformed(field);
  }
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown, field: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw malformed(field);
}

/** WePay's checkout object → the port's ProviderCheckout. Numbers arrive as exact text (parseExactJson). */
function toProviderCheckout(body: WePayObject): ProviderCheckout {
  // Fees appear under `fee` in current responses and at the top level in older ones;
  // refunds and chargebacks either flat or under `refund` / `chargeback`.
  const fee = isObject(body.fee) ? body.fee : body;
  const refund = isObject(body.refund) ? body.refund : undefined;
  const chargeback = isObject(body.chargeback) ? body.chargeback : undefined;
  const amount = cents(body, 'amount');
  if (amount === undefined) throw malformed('amount');
  const createTime = Number(requiredText(body, 'create_time'));
  if (!Number.isSafeInteger(createTime)) throw malformed('create_time');
  const checkout: ProviderCheckout = {
    checkoutId: requiredText(body, 'checkout_id'),
    accountId: requiredText(body, 'account_id'),
    state: oneOf(providerCheckoutStates, body.state, 'state'),
    amount,
    currency: oneOf<Currency>(currencies, body.currency, 'currency'),
    shortDescription: optionalText(body, 'short_description') ?? '',
    type: oneOf<CheckoutType>(checkoutTypes, body.type, 'type'),
    appFee: cents(fee, 'app_fee') ?? 0,
    feePayer: fee.fee_payer === undefined ? 'payer' : oneOf<FeePayer>(feePayers, fee.fee_payer, 'fee_payer'),
    processingFee: cents(fee, 'processing_fee') ?? 0,
    amountRefunded: cents(body, 'amount_refunded') ?? cents(refund, 'amount_refunded') ?? 0,
    amountChargedBack: cents(body, 'amount_charged_back') ?? cents(chargeback, 'amount_charged_back') ?? 0,
    createTime,
  };
  const uniqueId = optionalText(body, 'unique_id');
  if (uniqueId) checkout.uniqueId = uniqueId;
  const referenceId = optionalText(body, 'reference_id');
  if (referenceId) checkout.referenceId = referenceId;
  return checkout;
}
