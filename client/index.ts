// A thin, typed client of the payments API on openapi-fetch. `api` is the raw
// client: every route of the OpenAPI document, typed from client/schema.d.ts
// (generated). The helpers around it throw typed errors (PaymentsApiError) and
// make retries safe: one unique_id per order, reused by every retry.
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.d.ts';
import { PaymentsApiError, toApiError } from './errors.ts';
import { retryingFetch, type RetryPolicy } from './retry.ts';

export { PaymentsApiError, PaymentsNetworkError, type ApiErrorBody, type ErrorCode, type ErrorType } from './errors.ts';
export { defaultRetryPolicy, type RetryEvent, type RetryPolicy } from './retry.ts';
export type { components, paths } from './schema.d.ts';

export type Schemas = components['schemas'];
export type Checkout = Schemas['Checkout'];
export type CheckoutList = Schemas['CheckoutList'];
export type CreateCheckoutRequest = Schemas['CreateCheckoutRequest'];
export type FeeQuote = Schemas['FeeQuote'];
export type FeeQuoteRequest = Schemas['ExplicitFeeQuoteRequest'] | Schemas['PolicyFeeQuoteRequest'];
export type MerchantAccount = Schemas['MerchantAccount'];
export type CreateMerchantRequest = Schemas['CreateMerchantRequest'];
export type RefundCheckoutRequest = Schemas['RefundCheckoutRequest'];
export type CaptureCheckoutRequest = Schemas['CaptureCheckoutRequest'];
export type CancelCheckoutRequest = Schemas['CancelCheckoutRequest'];
export type ListCheckoutsQuery = NonNullable<paths['/v1/checkouts']['get']['parameters']['query']>;

export interface PaymentsClientOptions {
  /** The API's origin, e.g. http://127.0.0.1:3000 (no /v1). */
  baseUrl: string;
  /** The bearer token (a JWT, or an agent's agt_ token), or a function giving the current one. */
  token?: string | (() => string | Promise<string>);
  /** Defaults to globalThis.fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** Overrides of defaultRetryPolicy (attempts, waiting budget, injectable sleep and clock). */
  retry?: Partial<RetryPolicy>;
}

/** A fresh idempotency key: make one per order (or per refund), and reuse it for every retry of it. */
export function newUniqueId(prefix = 'order'): string {
  return `${prefix}-${globalThis.crypto.randomUUID()}`;
}

export interface Created<T> {
  value: T;
  /** True when the API answered with a stored answer (`Idempotent-Replayed: true`): nothing was done again. */
  replayed: boolean;
  requestId: string;
}

/** A checkout to create, bound to its unique_id. `submit()` may be called any number of times: it never charges twice. */
export interface PreparedCheckout {
  readonly uniqueId: string;
  readonly body: CreateCheckoutRequest;
  /** Sends the creation (with the client's retries); a call while one is in flight joins it. */
  submit(): Promise<Created<Checkout>>;
}

type Answer<D> = { data?: D; error?: unknown; response: Response };

async function unwrap<D>(call: Promise<Answer<D>>): Promise<Created<D>> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) throw toApiError(response, error);
  return { value: data, replayed: response.headers.get('Idempotent-Replayed') === 'true', requestId: response.headers.get('X-Request-Id') ?? '' };
}

const value = async <D>(call: Promise<Answer<D>>): Promise<D> => (await unwrap(call)).value;

export function createPaymentsClient(options: PaymentsClientOptions) {
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const api: Client<paths> = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/$/, ''), fetch: retryingFetch(baseFetch, options.retry) });
  api.use({
    async onRequest({ request }) {
      const token = typeof options.token === 'function' ? await options.token() : options.token;
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  });
  const id = (checkoutId: string) => ({ params: { path: { id: checkoutId } } });

  return {
    /** The typed openapi-fetch client: every route, answers as `{ data, error, response }`. */
    api,
    health: () => value(api.GET('/v1/health')),
    quoteFees: (body: FeeQuoteRequest) => value(api.POST('/v1/fees/quote', { body })),
    createMerchant: (body: CreateMerchantRequest) => value(api.POST('/v1/merchants', { body })),
    getMerchant: (merchantId: string) => value(api.GET('/v1/merchants/{id}', id(merchantId))),
    /** Binds a checkout to a unique_id (a new one unless given): keep the result for the order, and submit it again after a failure. */
    prepareCheckout(body: Omit<CreateCheckoutRequest, 'unique_id'> & { unique_id?: string }): PreparedCheckout {
      const prepared: CreateCheckoutRequest = { ...body, unique_id: body.unique_id ?? newUniqueId() };
      let inFlight: Promise<Created<Checkout>> | null = null;
      return {
        uniqueId: prepared.unique_id,
        body: prepared,
        submit() {
          inFlight ??= unwrap(api.POST('/v1/checkouts', { body: prepared })).finally(() => {
            inFlight = null;
          });
          return inFlight;
        },
      };
    },
    /** One creation; retries (inside) reuse body.unique_id. */
    createCheckout: (body: CreateCheckoutRequest) => value(api.POST('/v1/checkouts', { body })),
    getCheckout: (checkoutId: string) => value(api.GET('/v1/checkouts/{id}', id(checkoutId))),
    listCheckouts: (query: ListCheckoutsQuery = {}) => value(api.GET('/v1/checkouts', { params: { query } })),
    captureCheckout: (checkoutId: string, body: CaptureCheckoutRequest) => value(api.POST('/v1/checkouts/{id}/capture', { ...id(checkoutId), body })),
    cancelCheckout: (checkoutId: string, body: CancelCheckoutRequest) => value(api.POST('/v1/checkouts/{id}/cancel', { ...id(checkoutId), body })),
    refundCheckout: (checkoutId: string, body: RefundCheckoutRequest) => value(api.POST('/v1/checkouts/{id}/refund', { ...id(checkoutId), body })),
  };
}

export type PaymentsClient = ReturnType<typeof createPaymentsClient>;

/** Narrowing helper: `if (isApiError(e, 'card_declined'))`. */
export function isApiError(error: unknown, code?: string): error is PaymentsApiError {
  return error instanceof PaymentsApiError && (code === undefined || error.code === code);
}
