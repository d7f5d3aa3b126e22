// Errors as typed objects: every non-2xx answer of the API becomes a
// PaymentsApiError carrying the API's error body (type, code, param, request_id)
// and its status; a request that never got an answer (after the retries) is a
// PaymentsNetworkError.

/** The API's error types. */
export type ErrorType =
  | 'invalid_request'
  | 'authentication_error'
  | 'card_error'
  | 'permission_error'
  | 'not_found'
  | 'idempotency_error'
  | 'rate_limit_error'
  | 'provider_error'
  | 'api_error';

/**
 * The API's error codes, copied rather than imported: the client ships without the
 * server's code (test/unit/client/error-codes.test.ts keeps the copy complete).
 * `string & {}` keeps the union open to codes added later without losing completion.
 */
export type ErrorCode =
  | 'parameter_missing'
  | 'parameter_invalid'
  | 'unknown_parameter'
  | 'body_unparseable'
  | 'credentials_in_url'
  | 'raw_card_data'
  | 'app_fee_too_high'
  | 'account_name_unrecognizable'
  | 'account_name_invalid'
  | 'authentication_required'
  | 'token_invalid'
  | 'token_expired'
  | 'token_revoked'
  | 'card_declined'
  | 'permission_denied'
  | 'mandate_scope'
  | 'mandate_exceeded'
  | 'resource_missing'
  | 'method_not_allowed'
  | 'idempotency_key_in_use'
  | 'invalid_state'
  | 'checkout_busy'
  | 'email_in_use'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'idempotency_key_reused'
  | 'rate_limited'
  | 'provider_error'
  | 'provider_unavailable'
  | 'internal_error'
  | (string & {});

export interface ApiErrorBody {
  type: ErrorType;
  code: ErrorCode;
  message: string;
  param?: string;
  request_id: string;
}

export class PaymentsApiError extends Error {
  override readonly name = 'PaymentsApiError';
  readonly status: number;
  readonly type: ErrorType;
  readonly code: ErrorCode;
  readonly param: string | undefined;
  /** The X-Request-Id of the answer: quote it when reporting a problem. */
  readonly requestId: string;
  /** Seconds, from the Retry-After header, when the answer carried one. */
  readonly retryAfter: number | undefined;

  constructor(status: number, body: ApiErrorBody, retryAfter?: number) {
    super(body.message);
    this.status = status;
    this.type = body.type;
    this.code = body.code;
    this.param = body.param;
    this.requestId = body.request_id;
    this.retryAfter = retryAfter;
  }

  /** The API's field name, for code that logs or shows the body's spelling. */
  get request_id(): string {
    return this.requestId;
  }
}

/** No answer at all (connection refused or dropped, or a timeout), after the client's retries. */
export class PaymentsNetworkError extends Error {
  override readonly name = 'PaymentsNetworkError';
  readonly code = 'network_error';
  readonly status = 0;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function isErrorBody(value: unknown): value is { error: ApiErrorBody } {
  const error = (value as { error?: Partial<ApiErrorBody> } | null)?.error;
  return typeof error === 'object' && error !== null && typeof error.code === 'string' && typeof error.type === 'string';
}

/** The typed error of a non-2xx answer; an answer without the API's body (a proxy's page) still gets a status and a request id. */
export function toApiError(response: Response, body: unknown): PaymentsApiError {
  const requestId = response.headers.get('X-Request-Id') ?? '';
  const retryAfter = retryAfterSeconds(response.headers.get('Retry-After'));
  if (isErrorBody(body)) return new PaymentsApiError(response.status, { ...body.error, request_id: body.error.request_id ?? requestId }, retryAfter);
  const type: ErrorType = response.status >= 500 ? 'api_error' : 'invalid_request';
  return new PaymentsApiError(response.status, { type, code: response.status >= 500 ? 'internal_error' : 'unexpected_answer', message: `HTTP ${response.status}`, request_id: requestId }, retryAfter);
}

/** Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110); undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null, now: () => number = Date.now): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now()) / 1000));
}
