// Named domain errors. Each carries the API error code it stands for; the one
// place that turns them into HTTP is functions/http/error-response.ts.

export type InvalidRequestCode =
  | 'parameter_missing'
  | 'parameter_invalid'
  | 'unknown_parameter'
  | 'body_unparseable'
  | 'credentials_in_url'
  | 'raw_card_data'
  | 'app_fee_too_high'
  | 'account_name_unrecognizable'
  | 'account_name_invalid'
  | 'method_not_allowed'
  | 'body_too_large'
  | 'unsupported_media_type';

export type AuthenticationCode = 'authentication_required' | 'token_invalid' | 'token_expired' | 'token_revoked';

export type ErrorCode =
  | InvalidRequestCode
  | AuthenticationCode
  | 'card_declined'
  | 'permission_denied'
  | 'mandate_scope'
  | 'mandate_exceeded'
  | 'resource_missing'
  | 'idempotency_key_in_use'
  | 'invalid_state'
  | 'checkout_busy'
  | 'email_in_use'
  | 'idempotency_key_reused'
  | 'rate_limited'
  | 'provider_error'
  | 'provider_unavailable'
  | 'internal_error';

export abstract class PaymentsError extends Error {
  abstract readonly code: ErrorCode;
  /** The request field at fault, when there is one. */
  readonly param: string | undefined;
  /** Seconds the client should wait before retrying, when retrying helps. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options: { param?: string; retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.param = options.param;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export class InvalidRequestError extends PaymentsError {
  constructor(
    readonly code: InvalidRequestCode,
    message: string,
    options: { param?: string } = {},
  ) {
    super(message, options);
  }
}

export class AuthenticationError extends PaymentsError {
  constructor(
    readonly code: AuthenticationCode,
    message: string,
  ) {
    super(message);
  }
}

export class CardDeclinedError extends PaymentsError {
  readonly code = 'card_declined';
}

export class PermissionDeniedError extends PaymentsError {
  readonly code = 'permission_denied';
}

/** An agent's checkout outside its mandate's currency or accounts. */
export class MandateScopeError extends PaymentsError {
  readonly code = 'mandate_scope';
}

/** An agent's checkout over its mandate's per-checkout, total or count limit. */
export class MandateExceededError extends PaymentsError {
  readonly code = 'mandate_exceeded';
}

/** Also for resources that exist but belong to someone else: never reveal which. */
export class NotFoundError extends PaymentsError {
  readonly code = 'resource_missing';
}

export class InvalidStateError extends PaymentsError {
  readonly code = 'invalid_state';
}

/** Another capture, cancel or refund of the checkout is in flight: retry after `retryAfterSeconds`. */
export class CheckoutBusyError extends PaymentsError {
  readonly code = 'checkout_busy';
  constructor(retryAfterSeconds: number) {
    super('Another action on this checkout is in progress; retry later', { retryAfterSeconds });
  }
}

/** The email names a provider identity that belongs to another of our users: never hand it over. */
export class EmailInUseError extends PaymentsError {
  readonly code = 'email_in_use';
  constructor() {
    super('This email is already registered by another user', { param: 'email' });
  }
}

export class IdempotencyKeyInUseError extends PaymentsError {
  readonly code = 'idempotency_key_in_use';
  constructor(retryAfterSeconds: number) {
    super('A request with this unique_id is still in progress; retry later', { retryAfterSeconds, param: 'unique_id' });
  }
}

export class IdempotencyKeyReusedError extends PaymentsError {
  readonly code = 'idempotency_key_reused';
  constructor() {
    super('This unique_id was already used with a different request body', { param: 'unique_id' });
  }
}

export class RateLimitedError extends PaymentsError {
  readonly code = 'rate_limited';
  constructor(message: string, retryAfterSeconds: number) {
    super(message, { retryAfterSeconds });
  }
}

/** The provider refused the call for a reason the client cannot fix by retrying. */
export class ProviderError extends PaymentsError {
  readonly code = 'provider_error';
}

/** The provider could not be reached or its outcome is unknown: safe to retry with the same unique_id. */
export class ProviderUnavailableError extends PaymentsError {
  readonly code = 'provider_unavailable';
  constructor(message = 'The payment provider is unavailable; retry with the same unique_id', retryAfterSeconds = 5, cause?: unknown) {
    super(message, { retryAfterSeconds, cause });
  }
}

/** The merchant's provider credential was revoked: the merchant must re-authorize. */
export class ProviderCredentialsRevokedError extends ProviderError {}

/** The provider rejected the call's parameters (`providerErrorCode` says how): retrying the same call will not help. */
export class ProviderRejectedError extends ProviderError {
  constructor(
    message: string,
    readonly providerErrorCode: number,
  ) {
    super(message);
  }
}

/**
 * The provider does not know the card token the checkout names: the caller's mistake, not the
 * provider's fault (the checkout use case answers it as 400 parameter_invalid on the token's field).
 */
export class UnknownCardTokenError extends ProviderRejectedError {
  constructor(providerErrorCode: number) {
    super('The payment provider does not know this card token', providerErrorCode);
  }
}
